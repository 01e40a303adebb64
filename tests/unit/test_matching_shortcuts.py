"""The matcher's shortcuts give what the plain computation gives."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from syncd.matching.arrays import distinct
from syncd.matching.blocking import BlockTable
from syncd.matching.comparisons import DEFAULT_COMPARISONS, compare
from syncd.matching.features import FeatureTable, features_of
from syncd.model import Contact

digits = st.text(alphabet="0123456789", min_size=7, max_size=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=-(2 ** 40), max_value=2 ** 40), max_size=200))
def test_distinct_is_numpys_unique(values: list[int]) -> None:
    array = np.asarray(values, dtype=np.int64)
    assert distinct(array).tolist() == np.unique(array).tolist()


def _edited(draw: st.DrawFn, base: str) -> str:
    op = draw(st.sampled_from(["same", "sub", "ins", "del", "swap", "other"]))
    at = draw(st.integers(min_value=0, max_value=len(base) - 1))
    digit = draw(st.sampled_from("0123456789"))
    if op == "sub":
        return base[:at] + digit + base[at + 1:]
    if op == "ins":
        return base[:at] + digit + base[at:]
    if op == "del":
        return base[:at] + base[at + 1:]
    if op == "swap" and at + 1 < len(base):
        return base[:at] + base[at + 1] + base[at] + base[at + 2:]
    if op == "other":
        return draw(digits)
    return base


@st.composite
def phone_pairs(draw: st.DrawFn) -> list[tuple[str, str]]:
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        base = draw(digits)
        other = _edited(draw, base)
        if len(other) >= 7:
            out.append((base, other))
    return out


@settings(max_examples=200, deadline=None)
@given(phone_pairs())
def test_one_digit_phone_level_is_the_plain_edit_distance(pairs: list[tuple[str, str]]) -> None:
    if not pairs:
        return
    # written as international numbers, the digits are kept as they are (the last nine)
    records = [features_of(system, Contact(phone_office=f"+49{number}"), frozenset())
               for a, b in pairs for system, number in (("flowtrac", a), ("cirrus", b))]
    table = FeatureTable(records)
    i = np.arange(0, len(records), 2, dtype=np.int32)
    phone = [c.name for c in DEFAULT_COMPARISONS].index("phone")
    found = compare(DEFAULT_COMPARISONS, table, i, i + 1).levels[:, phone]
    labels = [lv.label for lv in DEFAULT_COMPARISONS[phone].levels]
    for k, level in enumerate(found.tolist()):
        a, b = records[2 * k].phones[0], records[2 * k + 1].phones[0]
        want = "exact" if a == b else "one_digit" if OSA.distance(a, b) <= 1 else "else"
        assert labels[level] == want, (a, b)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.frozensets(st.sampled_from([f"k{n}" for n in range(12)]), max_size=4), min_size=2, max_size=25),
       st.lists(st.integers(min_value=0, max_value=2), min_size=25, max_size=25))
def test_block_pairs_are_the_records_sharing_a_key(keys: list[frozenset[str]], systems: list[int]) -> None:
    system = np.asarray(systems[:len(keys)], dtype=np.int16)
    codes = [np.fromiter(map(hash, ks), dtype=np.int64, count=len(ks)) for ks in keys]
    i, j = BlockTable(codes).pairs(system, cap=40)
    want = {(a, b) for a, b in itertools.combinations(range(len(keys)), 2)
            if keys[a] & keys[b] and system[a] != system[b]}
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == want


def _phone_digits_parsed(raw: str) -> str:
    """The subscriber digits by the general path: the number parsed (E.164 where it can be read)."""
    from syncd.matching.features import _PHONE_DIGITS
    from syncd.model import normalize_phone

    p = normalize_phone(raw)
    digits = "".join(ch for ch in p if ch.isdigit()) if p else ""
    return digits[-_PHONE_DIGITS:] if len(digits) >= 6 else ""


@st.composite
def written_numbers(draw: st.DrawFn) -> str:
    """Phone numbers as people type them: a prefix (trunk 0, 1, an international 00 / 011 and a country
    code, or none), digits, separators."""
    prefix = draw(st.sampled_from(["", "0", "1", "8", "011", "00", "0031", "001", "011 44 ", "00 49 "]))
    digits = draw(st.text(alphabet="0123456789", min_size=8, max_size=12))
    groups = [digits[k:k + 3] for k in range(0, len(digits), 3)]
    separator = draw(st.sampled_from([" ", "-", ".", "/", ""]))
    area = draw(st.booleans())
    body = separator.join(groups)
    return f"{prefix}({body[:3]}) {body[3:]}" if area else f"{prefix}{body}"


@settings(max_examples=400, deadline=None)
@given(written_numbers(), st.sampled_from(["US", "DE", "GB", "NL", "DK", "BE", "IN"]))
def test_digits_read_without_parsing_are_the_parsed_ones(raw: str, region: str) -> None:
    from syncd.matching.features import _phone_digits
    from syncd.model import set_default_region

    set_default_region(region)
    try:
        assert _phone_digits(raw) == _phone_digits_parsed(raw)
    finally:
        set_default_region("US")


def test_a_number_read_in_one_region_is_read_again_in_another() -> None:
    """The matcher remembers what it read per region: "646 448 37" is a German number in DE and not a
    readable one in the US (hypothesis once found the DE reading served in the US)."""
    from syncd.matching.features import _phone_digits
    from syncd.model import set_default_region

    raw = "646 448 37"
    try:
        for region in ("DE", "US", "DE"):
            set_default_region(region)
            assert _phone_digits(raw) == _phone_digits_parsed(raw), region
    finally:
        set_default_region("US")
