"""Whatever a vendor sends can be stored: NUL bytes, control characters and lone surrogates in a raw row
or a contact never break a cycle, on SQLite or on PostgreSQL (which refuses NUL in text and JSON)."""

from __future__ import annotations

from sqlalchemy import select

from syncd.engine.reconcile import MatchSettings
from syncd.engine.report import CycleReport
from syncd.engine.snapshot import ScanResult
from syncd.engine.state import EngineState
from syncd.model import Contact, RemoteRecord, clean_text
from syncd.store import tables as t
from syncd.store.repository import Store

HOSTILE = "Ada\x00 \x1b[31mLove\ud800lace\udcff \u202e{0} %s"


def test_hostile_strings_are_stored_cleaned(store: Store) -> None:
    contact = Contact(full_name=clean_text(HOSTILE), email="ada@example.com", title=clean_text("\x07Boss"))
    record = RemoteRecord(system="a", remote_id="1", contact=contact,
                          raw={"name": HOSTILE, HOSTILE: [HOSTILE, {"nested": HOSTILE}], "n": 1})
    state = EngineState(store, kind="test", dry_run=False, systems=["a"])
    report = CycleReport(run_id=state.run_id, dry_run=False)
    state.record_scan(ScanResult("a", [record], complete=True))
    state.reconcile(MatchSettings(), report)
    state.commit()
    state.finish(report, error=None)

    with store.session_factory() as s:
        row = s.scalars(select(t.RemoteRecordRow)).one()
    assert row.fields["full_name"] == "Ada [31mLove\ufffdlace\ufffd \u202e{0} %s"
    assert row.fields["title"] == "Boss"
    assert row.raw["name"] == row.fields["full_name"] and row.raw["n"] == 1
    assert "\x00" not in str(row.raw) and "\ud800" not in str(row.raw)
