"""Crash safety: real `syncd --reconcile` processes killed with SIGKILL, over and over, against a running sandbox.

The sandbox runs as its own process (`syncd sandbox`), so it outlives every kill, exactly like a real vendor.
Kills land at chosen kinds of moments, from a fixed list of seeds:

- ``scan``: early, while the vendors are being read;
- ``in_flight``: as soon as the store shows a change marked in flight (committed to the outbox, sent or
  about to be), with the vendors answering writes slowly, so the kill mostly falls after the vendor acted
  and before syncd committed the result: the window where a careless sync creates duplicates.

Then a normal run. Afterwards every vendor holds exactly what one uninterrupted run against the same seeded
data produces (no duplicate, nothing missing), edits made between the kill series reached every system, and
one more run writes nothing. ``SYNCD_CRASH_KILLS`` sets the number of kills per series (CI: the default).
"""

from __future__ import annotations

import collections
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syncd.sandbox.serve import free_port_base

from .test_cli import EXAMPLE
from .vendors import EMAIL_KEYS, NAMES, TITLE_KEYS, assert_settled, holdings, records, set_faults

CONTACTS = 150
#: the vendors answer writes this late (after acting on them), so a run's writes take seconds, not milliseconds
SLOW_WRITES = {"response_latency_ms": 150, "methods": ["POST", "PUT", "DELETE"]}
KILLS = int(os.environ.get("SYNCD_CRASH_KILLS", "6"))
SEEDS = [1009 * i + 17 for i in range(KILLS)]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}


class Sandbox:
    """`syncd sandbox` as a separate, long-lived process."""

    def __init__(self, tmp: Path, seed: int, contacts: int) -> None:
        self.base = free_port_base()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "syncd", "sandbox", "--seed", str(seed), "--contacts", str(contacts),
             "--port-base", str(self.base)], cwd=tmp, env=env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.roots = {name: f"http://127.0.0.1:{self.base + i}" for i, name in enumerate(NAMES)}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.roots['cirrus']}/_sandbox/records", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("the sandbox did not start")

    def records(self, name: str) -> list[dict[str, Any]]:
        return records(self.roots[name])

    def faults(self, **config: Any) -> None:
        set_faults(self.roots, **config)

    def holdings(self) -> dict[str, collections.Counter[str]]:
        return holdings(self.roots)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def workdir_for(tmp: Path, sandbox: Sandbox) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    text = EXAMPLE.read_text(encoding="utf-8")
    for i, port in enumerate(range(8701, 8705)):
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{sandbox.base + i}")
    text = text.replace("port_base = 8701", f"port_base = {sandbox.base}")
    (tmp / "config.toml").write_text(text, encoding="utf-8")
    return tmp


def reconcile(cwd: Path, *extra: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "syncd", "--reconcile", "--json", *extra], cwd=cwd, env=env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    try:
        data: dict[str, Any] = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"not a JSON report:\n{result.stdout}\n{result.stderr}") from None
    return data


def in_flight(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05) as connection:
            row = connection.execute("SELECT count(*) FROM outbox WHERE status = 'in_flight'").fetchone()
    except sqlite3.Error:
        return False
    return bool(row and row[0])


def kill_series(cwd: Path, seeds: list[int]) -> int:
    """One killed `syncd --reconcile` per seed; returns how many were killed while still running."""
    killed = 0
    for seed in seeds:
        rng = random.Random(seed)
        mode = rng.choice(("scan", "in_flight", "in_flight"))
        process = subprocess.Popen([sys.executable, "-m", "syncd", "--reconcile"], cwd=cwd, env=env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        if mode == "scan":
            time.sleep(rng.uniform(0.8, 2.0))
        else:
            while process.poll() is None and not in_flight(cwd / "syncd.db") and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.15))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=30)
    return killed


@pytest.fixture
def reference(tmp_path: Path) -> Iterator[dict[str, collections.Counter[str]]]:
    """What the vendors hold after one uninterrupted run on the same seeded data."""
    sandbox = Sandbox(tmp_path, seed=5, contacts=CONTACTS)
    try:
        cwd = workdir_for(tmp_path / "reference", sandbox)
        assert_settled(reconcile(cwd))
        yield sandbox.holdings()
    finally:
        sandbox.stop()


@pytest.mark.slow
def test_sigkill_at_any_moment_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, reference: dict[str, collections.Counter[str]]
) -> None:
    sandbox = Sandbox(tmp_path, seed=5, contacts=CONTACTS)
    try:
        cwd = workdir_for(tmp_path / "killed", sandbox)
        sandbox.faults(**SLOW_WRITES)
        survived = kill_series(cwd, SEEDS)
        sandbox.faults()
        first = reconcile(cwd)
        assert_settled(first)
        assert sandbox.holdings() == reference, "after the kills the vendors differ from an uninterrupted run"

        # edits made in the vendors, then another series of kills while they are carried
        people = [r for r in sandbox.records("cirrus") if r.get("email")][:30]
        for person in people:
            response = httpx.put(f"{sandbox.roots['cirrus']}/contacts/{person['id']}",
                                 json={"title": f"Edited {person['id']}"},
                                 headers={"X-Token": "sandbox-cirrus-token"}, timeout=10)
            response.raise_for_status()
        sandbox.faults(**SLOW_WRITES)
        survived += kill_series(cwd, [seed + 1 for seed in SEEDS])
        sandbox.faults()
        assert_settled(reconcile(cwd))
        final = reconcile(cwd)
        assert final["planned_writes"] == 0, final
        assert sandbox.holdings() == reference, "the second kill series changed what the vendors hold"
        titles = {name: {str(r.get(EMAIL_KEYS[name]) or "").lower(): r.get(TITLE_KEYS[name])
                         for r in sandbox.records(name)} for name in ("flowtrac", "itflow", "cirrus")}
        for person in people:
            email = person["email"].lower()
            for name, by_email in titles.items():
                if email in by_email:
                    assert by_email[email] == f"Edited {person['id']}", (name, email, by_email[email])
        print(f"\nkills survived: {survived} of {2 * len(SEEDS)} runs; duplicates 0; edits lost 0")
        assert survived >= len(SEEDS), "too few runs were still going when killed: the test proves little"
    finally:
        sandbox.stop()
