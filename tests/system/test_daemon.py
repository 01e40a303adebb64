"""`syncd run` as a real process against the embedded sandbox: health, metrics, propagation, faults, SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syncd.sandbox.serve import free_port

from .test_cli import EXAMPLE
from .test_cli import workdir as workdir


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@pytest.fixture
def daemon(workdir: Path) -> Iterator[tuple[subprocess.Popen[str], str, dict[str, str]]]:
    listen = f"127.0.0.1:{free_port()}"
    config = (workdir / "config.toml").read_text()
    config = config.replace("poll_interval = 60", "poll_interval = 1").replace("127.0.0.1:9188", listen)
    config = config.replace('[connectors.flowtrac]', '[connectors.flowtrac]\npoll_jitter = 0')
    for name in ("lightening", "itflow", "cirrus"):
        config = config.replace(f"[connectors.{name}]", f"[connectors.{name}]\npoll_jitter = 0")
    (workdir / "config.toml").write_text(config)
    bases = {}
    for line in config.splitlines():
        if line.startswith("base_url"):
            url = line.split('"')[1]
            bases[url.split(":")[-1].split("/")[0]] = url
    ports = sorted(bases)
    vendors = dict(zip(["flowtrac", "lightening", "itflow", "cirrus"], [bases[p] for p in ports], strict=True))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    log = (workdir / "daemon.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "syncd", "run", "--grace", "20"], cwd=workdir, env=env,
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        yield process, f"http://{listen}", vendors
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def records(base: str) -> list[dict[str, Any]]:
    root = base.removesuffix("/api")
    return httpx.get(f"{root}/_sandbox/records", timeout=5).json()  # type: ignore[no-any-return]


def test_the_daemon_syncs_serves_health_and_stops_cleanly(
    daemon: tuple[subprocess.Popen[str], str, dict[str, str]], workdir: Path,
) -> None:
    process, server, vendors = daemon
    assert wait_for(lambda: httpx.get(f"{server}/healthz", timeout=2).status_code == 200, 30, "/healthz")
    wait_for(lambda: httpx.get(f"{server}/readyz", timeout=2).status_code == 200, 60, "/readyz")
    # the first cycles fill every system: wait until ITFlow holds as many contacts as Lightening
    wait_for(lambda: len(records(vendors["itflow"])) >= 0.9 * len(records(vendors["lightening"])), 90, "fill")

    # an admin edits a contact in Lightening; it must reach ITFlow within a few intervals
    # (a contact ITFlow also holds, so it is linked, not waiting in the review queue)
    in_itflow = {r["contact_email"].lower() for r in records(vendors["itflow"])}
    row = next(r for r in records(vendors["lightening"])
               if r["email"] and r["email"].lower() in in_itflow and r["is_active"] == "1")
    token = {"Authorization": "sandbox-lightening-token"}
    answer = httpx.post(f"{vendors['lightening']}/contact/{row['id']}", headers=token,
                        json={"name": row["name"], "role": "Chief Daemon Tester"}, timeout=5).json()
    assert answer["result"] is True
    wait_for(lambda: any(r["contact_title"] == "Chief Daemon Tester" for r in records(vendors["itflow"])), 60,
             "the edit to reach ITFlow")

    metrics = httpx.get(f"{server}/metrics", timeout=5).text
    for series in ("syncd_records_scanned_total", "syncd_changes_total", "syncd_vendor_requests_total",
                   "syncd_vendor_request_seconds_bucket", "syncd_cycle_seconds_bucket",
                   "syncd_last_success_timestamp_seconds", "syncd_review_backlog"):
        assert series in metrics, series

    # a vendor made to fail is reported, and recovers by itself
    faults = f"{vendors['cirrus']}/_sandbox/faults"
    httpx.put(faults, json={"error_rate": 1.0}, timeout=5)
    ready = wait_for(lambda: (r := httpx.get(f"{server}/readyz", timeout=5)).status_code == 503 and r.json(), 60,
                     "cirrus to be reported")
    assert ready["connectors"]["cirrus"]["consecutive_failures"] >= 1
    httpx.put(faults, json={}, timeout=5)
    wait_for(lambda: httpx.get(f"{server}/readyz", timeout=5).status_code == 200, 60, "recovery")

    # SIGHUP: a broken configuration is refused (the daemon keeps the old one), a valid one is taken
    config_path = workdir / "config.toml"
    good = config_path.read_text()
    broken = re.sub(r"(?m)^auto_link = [0-9.]+", 'auto_link = "high"', good)
    assert broken != good
    config_path.write_text(broken)
    process.send_signal(signal.SIGHUP)
    wait_for(lambda: "reload refused" in (workdir / "daemon.log").read_text(), 20, "the broken reload refused")
    assert process.poll() is None
    assert httpx.get(f"{server}/healthz", timeout=2).status_code == 200
    config_path.write_text(good)
    process.send_signal(signal.SIGHUP)
    wait_for(lambda: "configuration reloaded" in (workdir / "daemon.log").read_text(), 20, "the reload")
    cycles = (workdir / "daemon.log").read_text().count('"cycle done"')
    wait_for(lambda: (workdir / "daemon.log").read_text().count('"cycle done"') > cycles, 30,
             "cycles to go on after the reload")

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert time.monotonic() - started < 25
    log = (workdir / "daemon.log").read_text()
    assert "stopped" in log
    for secret in ("sandbox-itflow-key", "sandbox-cirrus-token", "sandbox-lightening-token"):
        assert secret not in log
    assert json.loads(log.splitlines()[-1])["event"] == "stopped"
    assert EXAMPLE.exists()
