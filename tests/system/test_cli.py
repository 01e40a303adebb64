"""The command line as a user runs it: real processes, the embedded sandbox over loopback, a SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from syncd.sandbox.serve import free_port_base

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def syncd(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    result = subprocess.run([sys.executable, "-m", "syncd", *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"syncd {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A config like the example, on four free ports, with the sandbox embedded."""
    base = free_port_base()
    text = EXAMPLE.read_text(encoding="utf-8")
    for i, port in enumerate(range(8701, 8705)):
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{base + i}")
    text = text.replace("port_base = 8701", f"port_base = {base}").replace("contacts = 200", "contacts = 60")
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_help_and_version(tmp_path: Path) -> None:
    assert "--reconcile" in syncd("--help", cwd=tmp_path).stdout
    assert syncd("--version", cwd=tmp_path).stdout.startswith("syncd ")


def test_a_broken_config_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[matching]\nauto_link = "high"\nbogus = 1\n')
    result = syncd("config", "check", cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert "matching.auto_link" in result.stderr and "matching.bogus: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_only_an_unknown_system_is_refused_with_exit_2(workdir: Path) -> None:
    result = syncd("--reconcile", "--only", "salesforce", cwd=workdir, check=False)
    assert result.returncode == 2
    assert "--only salesforce: no such enabled connector" in result.stderr and "itflow" in result.stderr


def test_db_upgrade_then_check(workdir: Path) -> None:
    assert "upgraded" in syncd("db", "upgrade", cwd=workdir).stdout
    assert "up to date" in syncd("db", "upgrade", cwd=workdir).stdout
    syncd("db", "check", cwd=workdir)
    assert oct((workdir / "syncd.db").stat().st_mode & 0o777) == "0o600"


def _only_structural_parks(report: dict[str, Any]) -> None:
    """The sandbox holds people no vendor rule lets syncd create everywhere (no email for ITFlow, a company
    a vendor has no id for): exactly those, and nothing else, are reported as not done."""
    assert report["outcome"] == "partial" and report["exit_code"] == 1 and report["ok"] is False
    kinds = {key for s in report["systems"].values() for key in s["backlog"]}
    assert kinds and kinds <= {"parked/no_company", "parked/invalid"}, kinds
    assert all(s["failed"] == s["held"] == s["waiting"] == 0 for s in report["systems"].values())
    assert all(line.split(": ", 1)[1].split(" ", 1)[0].isdigit() for line in report["not_done"])


def test_reconcile_links_fills_and_then_writes_nothing(workdir: Path) -> None:
    dry = syncd("--dry-run", cwd=workdir, check=False)
    assert dry.returncode == 1, dry.stderr
    assert "would change" in dry.stdout and "create" in dry.stdout
    assert "not done (partial, exit code 1)" in dry.stderr and "parked" in dry.stderr

    run = syncd("--reconcile", "--json", cwd=workdir, check=False)
    assert run.returncode == 1, run.stderr
    first = json.loads(run.stdout)
    _only_structural_parks(first)
    assert first["new_entities"] > 0 and first["linked"] > first["new_entities"]
    assert sum(s["created"] for s in first["systems"].values()) > 0
    for secret in ("sandbox-itflow-key", "sandbox-cirrus-token", "sandbox-lightening-token"):
        assert secret not in json.dumps(first)

    again = syncd("--reconcile", "--json", cwd=workdir, check=False)
    assert again.returncode == 1
    second = json.loads(again.stdout)
    _only_structural_parks(second)
    assert second["planned_writes"] == 0
    assert all(s["created"] + s["updated"] + s["deactivated"] == 0 for s in second["systems"].values())

    status = syncd("status", "--json", cwd=workdir)
    data = json.loads(status.stdout)
    assert data["entities"] == first["new_entities"]
    assert {s["system"] for s in data["systems"]} == {"flowtrac", "lightening", "itflow", "cirrus"}
    syncd("review", "list", cwd=workdir)
    assert first["matcher"]["comparisons"] and "creates_held" in first
    import sqlite3

    with sqlite3.connect(workdir / "syncd.db") as db:
        item = db.execute("SELECT id FROM review_items ORDER BY id LIMIT 1").fetchone()
    if item is not None:  # the matcher's weights are shown beside the fields and the reasons
        assert "what the matcher learned" in syncd("review", "show", str(item[0]), cwd=workdir).stdout
    database = (workdir / "syncd.db").read_bytes()
    for secret in (b"sandbox-itflow-key", b"sandbox-cirrus-token", b"sandbox-lightening-token"):
        assert secret not in database


def test_match_a_csv_file_offline(tmp_path: Path) -> None:
    import csv

    from syncd.sandbox.people import CSV_HEADER, generate, to_csv_rows

    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_HEADER)
        writer.writeheader()
        writer.writerows(to_csv_rows(generate(3, 200)))
    result = syncd("match", str(source), "-o", str(tmp_path / "out.csv"), "--explain", str(tmp_path / "model.json"),
                   cwd=tmp_path)
    assert "entities" in result.stdout
    with (tmp_path / "out.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0].keys()) == ["system", "record_id", "entity_id", "confidence", "status", "candidate",
                                    "candidate_score"]
    assert len({r["entity_id"] for r in rows if r["entity_id"]}) < len(rows)
    assert {r["status"] for r in rows} <= {"linked", "alone", "review"} and any(r["status"] == "linked" for r in rows)
    for row in rows:  # a held record has no entity, and names its best candidate with that match's probability
        assert (row["status"] == "review") == (not row["entity_id"])
        if row["status"] == "review":
            assert row["candidate"] and 0 <= float(row["candidate_score"]) <= 1
    import json

    model = json.loads((tmp_path / "model.json").read_text())
    email = next(c for c in model["comparisons"] if c["output_column_name"] == "email")
    exact = next(level for level in email["comparison_levels"] if level["label"] == "exact")
    assert exact["m_probability"] > exact["u_probability"] and model["training"]["learned"]

    (tmp_path / "bad.csv").write_text("system,record_id,email\nitflow,1,a@b.example\nitflow,,x@y.example\n")
    bad = syncd("match", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "o2.csv"), cwd=tmp_path, check=False)
    assert bad.returncode == 2 and "line 3" in bad.stderr and "must not be empty" in bad.stderr


def test_outbox_list_show_and_retry(workdir: Path) -> None:
    syncd("--reconcile", cwd=workdir, check=False)
    groups = json.loads(syncd("outbox", "list", "--json", cwd=workdir).stdout)
    assert groups, "the sandbox always leaves a change its vendor refuses (an ITFlow contact without an email)"
    group = groups[0]
    assert group["cause"] and group["fix"] and group["count"] == len(group["ids"])
    listed = syncd("outbox", "list", cwd=workdir).stdout
    assert group["message"] in listed and "fix:" in listed
    change = group["ids"][0]
    shown = syncd("outbox", "show", str(change), cwd=workdir).stdout
    assert f"change {change}:" in shown and "reason:" in shown and "fix:" in shown
    detail = json.loads(syncd("outbox", "show", str(change), "--json", cwd=workdir).stdout)
    assert detail["status"] in ("parked", "failed") and detail["fields"]
    retried = syncd("outbox", "retry", str(change), cwd=workdir)
    assert "set to pending" in retried.stdout
    after = json.loads(syncd("outbox", "show", str(change), "--json", cwd=workdir).stdout)
    assert after["status"] == "pending" and after["retried_by"].startswith("cli")
    again = syncd("outbox", "retry", str(change), cwd=workdir, check=False)
    assert again.returncode == 1 and "it is pending, not parked or failed" in again.stderr
    by_cause = syncd("outbox", "retry", "--cause", group["cause"], cwd=workdir)
    assert "set to pending" in by_cause.stdout or "nothing to retry" in by_cause.stdout
    missing = syncd("outbox", "show", "999999", cwd=workdir, check=False)
    assert missing.returncode == 1 and "there is no change 999999" in missing.stderr
    bad = syncd("outbox", "retry", "--cause", "bogus", cwd=workdir, check=False)
    assert bad.returncode == 1 and "'bogus' is not a cause" in bad.stderr
    assert syncd("outbox", "retry", cwd=workdir, check=False).returncode == 2
