"""A daemon start on empty stores, with people already in every system: the first polls, one system at a
time, must not empty, cut or mangle a field anywhere, replace a personal address by a shared one, or tie two
people together — counted record by record and field by field against what the vendors held before
(`bench/daemon_fill.py`, which prints the same figures for thousands of people).

Both generators seed the vendors: ours, and the second one written apart from the engine and the matcher.
``SYNCD_FILL_PEOPLE`` raises the count (CI: a few hundred records per generator).
"""

from __future__ import annotations

import os

import pytest

from bench.daemon_fill import fill

PEOPLE = int(os.environ.get("SYNCD_FILL_PEOPLE", "120"))


@pytest.mark.parametrize("generator", ["people", "other"])
async def test_a_daemon_fill_loses_and_mixes_nothing(generator: str) -> None:
    result = await fill(PEOPLE, seed=5, generator=generator, poll=2.0, limit=600)
    shown = {k: v for k, v in result.items() if k != "examples"} | {"examples": result["examples"]}
    assert result["quiet"], shown
    assert result["fields_emptied"] == 0, shown
    assert result["values_nobody_typed"] == 0, shown
    assert result["personal_emails_replaced_by_shared"] == 0, shown
    assert result["records_adopted_wrongly"] == 0, shown
    assert result["entities_mixing_people"] == 0, shown
    assert result["records_after"] > result["records_before"], "the fill wrote nothing"
    assert result["last_run_outcome"] in ("ok", "partial"), shown
