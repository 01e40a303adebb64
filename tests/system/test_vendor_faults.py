"""A full reconcile while every vendor fails 20% of its requests, in every way the sandbox can fail.

5xx (empty or HTML), 429 with Retry-After, timeouts, malformed bodies, dropped connections and expired
sessions, drawn from a fixed seed. The cycles complete or resume; once the faults stop the vendors converge
to exactly what an undisturbed run produces (so no duplicate was created), the last cycle writes nothing,
and every request refused with 429 was repeated no sooner than the vendor asked (measured at the vendor).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from syncd.config import load_settings
from syncd.engine.build import build_engine
from syncd.engine.cycle import Engine
from syncd.sandbox.run import SandboxSet, build, embedded
from syncd.sandbox.serve import free_port_base
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store

from .test_cli import EXAMPLE
from .vendors import NAMES, assert_settled, duplicates_against, fault_state, holdings, set_faults

RETRY_AFTER = 0.4
FAULTS = {"error_rate": 0.05, "rate_limit_rate": 0.04, "retry_after": RETRY_AFTER, "timeout_rate": 0.02,
          "timeout_seconds": 3.0, "malformed_rate": 0.04, "drop_rate": 0.03, "session_expiry_rate": 0.02}
CONTACTS = 60


def roots(sandbox: SandboxSet) -> dict[str, str]:
    return {name: f"http://127.0.0.1:{sandbox.port(name)}" for name in NAMES}


def engine_for(sandbox: SandboxSet, tmp: Path) -> Engine:
    tmp.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE.read_text(encoding="utf-8")
    for i, port in enumerate(range(8701, 8705)):
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{sandbox.port_base + i}")
    for name in NAMES:  # a vendor that hangs is given up on after 1.5 s (and the read retried)
        text = text.replace(f"[connectors.{name}]\n", f"[connectors.{name}]\ntimeout = 1.5\n")
    text = text.replace('embedded = "auto"', 'embedded = "never"')
    (tmp / "config.toml").write_text(text, encoding="utf-8")
    settings = load_settings(tmp / "config.toml")
    url = f"sqlite:///{tmp / 'syncd.db'}"
    migrate.upgrade(url)
    return build_engine(settings, Store(url))


def retries_due_now(engine: Engine) -> None:
    """Time passes: every failed write's backoff (wall-clock minutes) is over."""
    with engine.store.session_factory() as s, s.begin():
        s.execute(update(t.OutboxItem).where(t.OutboxItem.status == "failed", t.OutboxItem.next_attempt_at.is_not(None))
                  .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))


async def close(engine: Engine) -> None:
    for connector in engine.connectors.values():
        await connector.aclose()
    engine.store.dispose()


@pytest.fixture
def sandbox() -> Iterator[SandboxSet]:
    sandboxes = build(seed=21, contacts=CONTACTS, port_base=free_port_base())
    with embedded(sandboxes):
        yield sandboxes


@pytest.fixture
async def reference(tmp_path: Path) -> dict[str, Any]:
    """The vendors after an undisturbed run on the same seeded data."""
    clean = build(seed=21, contacts=CONTACTS, port_base=free_port_base())
    with embedded(clean):
        engine = engine_for(clean, tmp_path / "reference")
        assert_settled(await engine.run_cycle())
        await close(engine)
        return holdings(roots(clean))


@pytest.mark.slow
async def test_a_full_reconcile_through_twenty_percent_faults_converges_without_duplicates(
    sandbox: SandboxSet, tmp_path: Path, reference: dict[str, Any]
) -> None:
    vendors = roots(sandbox)
    engine = engine_for(sandbox, tmp_path / "faulty")
    try:
        for name, root in vendors.items():
            set_faults({name: root}, **FAULTS, seed=NAMES.index(name) + 1)
        faulty_cycles = []
        for _ in range(3):
            retries_due_now(engine)
            faulty_cycles.append(await engine.run_cycle())
        assert any(r.failed for r in faulty_cycles), "20% faults and not one failure: the faults are not on"
        state = fault_state(vendors)
        set_faults(vendors)

        for _ in range(4):
            retries_due_now(engine)
            report = await engine.run_cycle()
            if report.planned_writes == 0 and not any(r.failed or r.waiting or r.held for r in report.systems.values()):
                break
        assert_settled(report)
        assert report.planned_writes == 0, report.as_json()
        problems = duplicates_against(holdings(vendors), reference)
        assert not problems, f"after the faults the vendors differ from an undisturbed run: {problems}"

        injected: dict[str, int] = {}
        for vendor in state.values():
            for kind, count in vendor["injected"].items():
                injected[kind] = injected.get(kind, 0) + count
        requests = sum(v["requests"] for v in state.values())
        gaps = [v["retries_after_429"] for v in state.values() if v["retries_after_429"]["count"]]
        repeated = sum(g["count"] for g in gaps)
        shortest = min(g["min_seconds"] for g in gaps)
        print(f"\nfaults injected: {sum(injected.values())} in {requests} requests {injected}; "
              f"429s repeated: {repeated}, shortest wait {shortest:.3f}s (asked {RETRY_AFTER}s); duplicates 0")
        assert injected.get("rate_limit", 0) > 0 and repeated > 0
        assert shortest >= RETRY_AFTER * 0.95, f"a 429 was repeated after {shortest:.3f}s, before its Retry-After"
    finally:
        await close(engine)
