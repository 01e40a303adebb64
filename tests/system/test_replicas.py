"""Two `syncd run` processes on one PostgreSQL store against one sandbox: no change applied twice, and when
one is killed the other carries on (an edit made after the kill still reaches every system)."""

from __future__ import annotations

import collections
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from syncd.sandbox.serve import free_port
from tests.conftest import PG_URL, reset_postgres

from .test_crash import Sandbox, env, workdir_for
from .test_crash import reference as reference
from .vendors import EMAIL_KEYS, TITLE_KEYS, duplicates_against

pytestmark = pytest.mark.skipif(not PG_URL, reason="SYNCD_TEST_DATABASE_URL is not set (CI sets it)")


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class Replica:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.listen = f"127.0.0.1:{free_port()}"
        config = (cwd / "config.toml").read_text()
        config = config.replace('url = "sqlite:///syncd.db"', f'url = "{PG_URL}"')
        config = config.replace("127.0.0.1:9188", self.listen).replace("poll_interval = 60", "poll_interval = 1")
        for name in ("flowtrac", "lightening", "itflow", "cirrus"):
            config = config.replace(f"[connectors.{name}]\n", f"[connectors.{name}]\npoll_jitter = 0.5\n")
        (cwd / "config.toml").write_text(config)
        self.log_path = cwd / "daemon.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "syncd", "run", "--grace", "20"], cwd=cwd, env=env(),
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def cycles(self) -> int:
        return self.log_path.read_text().count('"cycle done"')

    def quiet(self) -> bool:
        """The last cycle of every connector wrote nothing."""
        last: dict[str, bool] = {}
        for line in self.log_path.read_text().splitlines():
            if '"cycle done"' in line:
                event = json.loads(line)
                last[event["connector"]] = not any(event["writes"].values()) and not event["failed"]
        return len(last) == 4 and all(last.values())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[Sandbox, Replica, Replica]]:
    assert PG_URL
    reset_postgres(PG_URL)
    sandbox = Sandbox(tmp_path, seed=5, contacts=150)
    first = second = None
    try:
        first = Replica(workdir_for(tmp_path / "a", sandbox))
        second = Replica(workdir_for(tmp_path / "b", sandbox))
        yield sandbox, first, second
    finally:
        for replica in (first, second):
            if replica is not None:
                replica.stop()
        sandbox.stop()


def query(sql: str) -> list[Any]:
    assert PG_URL
    engine = create_engine(PG_URL)
    with engine.connect() as connection:
        rows = list(connection.execute(text(sql)))
    engine.dispose()
    return rows


def applied_twice() -> list[Any]:
    """Creates applied more than once for one person in one system."""
    return query("SELECT entity_id, system, count(*) FROM outbox WHERE operation = 'create' AND status = 'applied' "
                 "GROUP BY entity_id, system HAVING count(*) > 1")


def orphans() -> list[Any]:
    """Records the store knows that belong to no person and wait for no review: where a double create hides."""
    return query("SELECT r.system, r.remote_id FROM remote_records r LEFT JOIN links l ON l.system = r.system "
                 "AND l.remote_id = r.remote_id LEFT JOIN review_items v ON v.system = r.system AND "
                 "v.remote_id = r.remote_id AND v.status = 'open' WHERE r.tombstoned_at IS NULL "
                 "AND l.id IS NULL AND v.id IS NULL")


def test_two_replicas_apply_nothing_twice_and_one_takes_over(
    replicas: tuple[Sandbox, Replica, Replica], reference: dict[str, collections.Counter[str]]
) -> None:
    sandbox, first, second = replicas
    wait_for(lambda: first.quiet() and second.quiet(), 120, "the two replicas to fill the four systems")
    wait_for(lambda: first.cycles() and second.cycles(), 60, "both replicas to run cycles")
    assert applied_twice() == [] and orphans() == []
    problems = duplicates_against(sandbox.holdings(), reference, counts=False)
    assert not problems, f"the vendors hold duplicates after the fill: {problems}"

    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    killed_at = second.cycles()
    person = next(r for r in sandbox.records("cirrus") if r.get("email"))
    httpx.put(f"{sandbox.roots['cirrus']}/contacts/{person['id']}", json={"title": "Taken over"},
              headers={"X-Token": "sandbox-cirrus-token"}, timeout=10).raise_for_status()
    email = str(person["email"]).lower()

    def carried() -> bool:
        for name in ("flowtrac", "itflow"):
            rows = [r for r in sandbox.records(name) if str(r.get(EMAIL_KEYS[name]) or "").lower() == email]
            if not rows or rows[0].get(TITLE_KEYS[name]) != "Taken over":
                return False
        return True

    wait_for(carried, 60, "the surviving replica to carry an edit made after the kill")
    assert second.cycles() > killed_at
    problems = duplicates_against(sandbox.holdings(), reference, counts=False)
    assert not problems, f"the vendors hold a duplicate after the takeover: {problems}"
    assert applied_twice() == [] and orphans() == []

    second.process.send_signal(signal.SIGTERM)
    assert second.process.wait(timeout=30) == 0
