"""Hypothesis-generated bad vendor rows never break a scan: the bad row is skipped with a reason, the rest arrive.

Each example takes one of a vendor's real rows and replaces some of its fields with junk — wrong types,
nulls, huge strings, control characters, lone surrogates (sent as invalid UTF-8), emails and phones of
every shape — or drops its id, serves it from the simulator over loopback HTTP, and scans.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.model import BadRecord, RemoteRecord

from .test_contract import SEED

VENDORS = ["flowtrac", "lightening", "itflow", "cirrus"]
ID_KEYS = {"flowtrac": "id", "lightening": "id", "itflow": "contact_id", "cirrus": "id"}
#: keys by which the vendor itself files a row (Lightening lists contacts per customer): junk there makes the
#: row belong nowhere in the vendor's own listing, which is not a bad row but a different one
STRUCTURAL = {"lightening": {"customer_id"}, "itflow": {"contact_client_id"}}
EXAMPLES = int(os.environ.get("SYNCD_BAD_INPUT_EXAMPLES", "40"))
TRIED: dict[str, int] = {}

EMAILS = st.sampled_from(["", " ", "@", "a@", "@b", "a@b", "ADA@EXAMPLE.COM ", "a b@c.d", "x" * 300 + "@e.com",
                          "ü@ñ.example", "a@b@c", "<a@b.c>", "a@b.c\n", "mailto:a@b.c"])
PHONES = st.sampled_from(["", "+", "0", "++44 20", "+44 (20) 7946-0018", "ext. 12", "0" * 40, "+999 999",
                          "☎ 555", "1-800-FLOWERS", "+1 212 555 0142 x99", "00442079460018"])
NASTY = ["\x00", "\x01", "\x1b", "\x7f", "\u202e", "\ufeff", "\n", "\t", "\ud800", "\udcff", "é", "\U0001d518",
         "'", '"', "{", "%s", "{0}", "Ada"]
NASTY_TEXT = st.lists(st.sampled_from(NASTY), max_size=12).map("".join)
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30), NASTY_TEXT, st.just("x" * 5000), EMAILS, PHONES,
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@pytest.fixture(params=VENDORS)
async def rig(request: pytest.FixtureRequest) -> Any:
    vendor = importlib.import_module(f"tests.contract.vendors.{request.param}")
    async with vendor.make(SEED, timeout=5, retries=0) as (connector, sandbox):
        try:
            yield request.param, connector, sandbox
        finally:
            await connector.aclose()


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_a_bad_row_is_skipped_or_read_never_breaks_the_scan(rig: Any, data: st.DataObject) -> None:
    name, connector, sandbox = rig
    row_id, original = next(iter(sandbox.contacts.items()))
    fields = sorted(set(original) - STRUCTURAL.get(name, set()))
    junk = data.draw(st.dictionaries(st.sampled_from(fields), JUNK, min_size=1, max_size=4), label="junk")
    drop_id = data.draw(st.booleans(), label="drop id")
    bad_row = {**original, **junk}
    if drop_id:
        bad_row.pop(ID_KEYS[name], None)
    sandbox.contacts[row_id] = bad_row
    TRIED[name] = TRIED.get(name, 0) + 1
    try:
        items = [item async for item in connector.scan()]
    finally:
        sandbox.contacts[row_id] = original
    good = [i for i in items if isinstance(i, RemoteRecord)]
    bad = [i for i in items if isinstance(i, BadRecord)]
    assert len(good) + len(bad) == len(SEED), (items, bad_row)
    assert len(good) >= len(SEED) - 1, "a bad row took a good one with it"
    for record in bad:
        assert record.system == name and record.reason
        assert "x" * 200 not in record.reason, "the reason echoes a huge value"
    for record in good:
        for value in record.contact.as_dict().values():
            if isinstance(value, str):
                assert "\x00" not in value, "a NUL reached the canonical contact (PostgreSQL cannot store it)"
                assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in value), "a lone surrogate got through"


def test_zz_report_how_many_bad_rows_were_tried() -> None:
    print(f"\nbad vendor rows tried: {TRIED}")
