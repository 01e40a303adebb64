"""``syncd --reconcile`` against the real ITFlow, the other three systems on the sandbox: the whole story.

Fill, a second run that writes nothing, edits both ways, archive and unarchive, a phone typed the web UI's
way (country code apart), a ``<`` in a title, a read-only key whose changes wait and go out once the key is
fixed, and eight-way write concurrency over shared mailboxes without a duplicate. Each step prints its
figures (``pytest -s``); ``SYNCD_LIVE_FIGURES=path`` also writes them as JSON. ``SYNCD_LIVE_PEOPLE`` sets
the number of synthetic people (default 60). Skipped unless ``SYNCD_LIVE_ITFLOW_URL`` is set (CI has no
ITFlow); every contact it made in ITFlow is deleted at the end.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syncd.model import Contact, normalize_email
from syncd.sandbox.run import build, embedded
from syncd.sandbox.serve import free_port_base
from tests.contract.vendors.itflow_target import LIVE_KEY, LIVE_SQL, LIVE_URL, SEEDED_KEYS

PEOPLE = int(os.environ.get("SYNCD_LIVE_PEOPLE", "60"))
FIGURES: dict[str, Any] = {}
SHARED = "info@acme-freight.example"


class Live:
    """The real ITFlow through its API (admin key), and SQL for the web UI's own columns."""

    def __init__(self) -> None:
        self.client = httpx.Client(base_url=LIVE_URL, timeout=60)
        #: every mailbox of this test's people
        self.world: set[str | None] = set()

    def rows(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            answer = self.client.get("/api/v1/contacts/read.php", params={
                "api_key": LIVE_KEY, "limit": "500", "offset": str(len(out))}).json()
            data = answer.get("data") or []
            out += data
            if len(data) < 500:
                return out

    def post(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.client.post(f"/api/v1/contacts/{action}.php",
                                                  json={"api_key": LIVE_KEY, **body}).json()
        return result

    def by_email(self, email: str) -> list[dict[str, Any]]:
        return [r for r in self.rows() if normalize_email(r["contact_email"]) == normalize_email(email)]

    def sql(self, statement: str) -> None:
        subprocess.run(LIVE_SQL.split(), input=statement, text=True, check=True, capture_output=True)

    def delete(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.post("delete", {"contact_id": row["contact_id"], "client_id": row["contact_client_id"]})


def syncd(config: Path, *args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config), "--reconcile", "--json", *args],
                          capture_output=True, text=True, env=env, timeout=900, cwd=config.parent)
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"syncd exited {done.returncode}:\n{done.stdout}\n{done.stderr}") from None
    report["_seconds"] = round(time.perf_counter() - started, 2)
    report["_exit"] = done.returncode
    report["_stderr"] = done.stderr[-2000:]
    return report


def figures(step: str, report: dict[str, Any]) -> dict[str, Any]:
    keys = ("scanned", "created", "updated", "deactivated", "reactivated", "parked", "held", "waiting", "failed")
    shown = {name: {k: s[k] for k in keys if s.get(k)} for name, s in report["systems"].items()}
    out = {"exit": report["_exit"], "seconds": report["_seconds"], "planned_writes": report["planned_writes"],
           "linked": report["linked"], "new_entities": report["new_entities"], "systems": shown,
           "not_done": report.get("not_done", [])}
    FIGURES[step] = out
    print(f"\n[{step}] " + json.dumps(out, ensure_ascii=False))
    return report


def writes(report: dict[str, Any], system: str | None = None) -> int:
    keys = ("created", "updated", "deactivated", "reactivated", "deleted")
    return sum(s.get(k, 0) for name, s in report["systems"].items() if system in (None, name) for k in keys)


CONFIG = """
[database]
url = "sqlite:///{db}"
[sandbox]
embedded = "never"
[sync]
write_concurrency = 8
[server]
enabled = false
[connectors.flowtrac]
type = "flowtrac"
base_url = "{flowtrac}"
badge = "sandbox"
pin = "0000"
rate_limit = 500
burst = 50
[connectors.lightening]
type = "lightening"
base_url = "{lightening}"
token = "sandbox-lightening-token"
rate_limit = 500
burst = 50
[connectors.cirrus]
type = "cirrus"
base_url = "{cirrus}"
x_token = "sandbox-cirrus-token"
rate_limit = 500
burst = 50
[connectors.itflow]
type = "itflow"
base_url = "{itflow}"
api_key_file = "{key_file}"
concurrency = 8
rate_limit = 200
burst = 50
company_map = {{ "Acme Freight" = "1", "Initech" = "2", "Müller & Söhne GmbH" = "3" }}
default_company_id = "4"
"""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Path, Any, Live]]:
    live = Live()
    sandboxes = build(seed=23, contacts=PEOPLE, port_base=free_port_base())
    # shared mailboxes: several people at one company answer the same address, in two systems
    for i, (system, name) in enumerate([("cirrus", "Front Desk"), ("cirrus", "Sales Team"),
                                         ("lightening", "Bookings Desk"), ("lightening", "Dispatch Desk"),
                                         ("cirrus", "Support Desk"), ("lightening", "Accounts Desk"),
                                         ("cirrus", "Night Desk"), ("lightening", "Day Desk")]):
        contact = Contact(full_name=f"{name} {i}", given_name=name.split()[0], family_name=f"{name.split()[1]}{i}",
                          email=SHARED, company="Acme Freight", active=True)
        sandboxes.vendors[system].seed([contact])
    itflow_people = [c for c in sandboxes.vendors["itflow"].rows()]
    known = {normalize_email(r["contact_email"]) for r in itflow_people} | {SHARED}
    emails = known | {normalize_email(r.get("email")) for name in ("flowtrac", "lightening", "cirrus")
                      for r in sandboxes.vendors[name].rows()}
    live.world = emails
    stale = [r for r in live.rows() if normalize_email(r["contact_email"]) in emails]
    live.delete(stale)
    # the people the sandbox would have put in ITFlow go into the real one, through its API
    clients = {"Acme Freight": "1", "Initech": "2", "Müller & Söhne GmbH": "3"}
    sandbox_clients = sandboxes.vendors["itflow"].clients
    for row in itflow_people:
        client = clients.get(sandbox_clients.get(int(row["contact_client_id"]), ""), "4")
        live.post("create", {k: row[k] for k in ("contact_name", "contact_title", "contact_department",
                                                  "contact_email", "contact_phone", "contact_mobile")}
                  | {"client_id": client})
    key_file = tmp_path / "itflow.key"
    key_file.write_text(LIVE_KEY, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.format(db=tmp_path / "syncd.db", key_file=key_file, itflow=LIVE_URL,
                                    **{n: sandboxes.base_url(n) for n in ("flowtrac", "lightening", "cirrus")}),
                      encoding="utf-8")
    try:
        with embedded(sandboxes):
            yield config, sandboxes, live
    finally:
        live.delete([r for r in live.rows() if normalize_email(r["contact_email"]) in emails])
        if os.environ.get("SYNCD_LIVE_FIGURES"):
            Path(os.environ["SYNCD_LIVE_FIGURES"]).write_text(json.dumps(FIGURES, indent=1, ensure_ascii=False))


def duplicates(live: Live) -> dict[str, int]:
    """(client, email) held more than once, among the mailboxes of this test's world (a real instance may
    hold other rows, earlier tests' leftovers among them)."""
    counts = collections.Counter((r["contact_client_id"], normalize_email(r["contact_email"])) for r in live.rows()
                                 if normalize_email(r["contact_email"]) in live.world)
    return {f"{client}:{email}": n for (client, email), n in counts.items() if n > 1}


def linked_pair(sandboxes: Any, live: Live) -> tuple[dict[str, Any], dict[str, Any]]:
    """A contact in ITFlow and in the Cirrus sandbox with one email (syncd linked them)."""
    cirrus = {normalize_email(r["email"]): r for r in sandboxes.vendors["cirrus"].rows()
              if r["email"] and normalize_email(r["email"]) != SHARED}
    for row in live.rows():
        email = normalize_email(row["contact_email"])
        if email in cirrus and not row["contact_archived_at"] and cirrus[email]["active"]:
            return row, cirrus[email]
    raise AssertionError("no contact is in both ITFlow and Cirrus")


def test_reconcile_against_the_real_itflow(world: tuple[Path, Any, Live]) -> None:
    config, sandboxes, live = world
    before = len(live.rows())

    fill = figures("fill", syncd(config))
    assert writes(fill, "itflow") > 0 and fill["_exit"] in (0, 1), fill["_stderr"]
    FIGURES["fill"]["itflow_rows"] = {"before": before, "after": len(live.rows())}
    assert duplicates(live) == {}, "8-way concurrent creates with shared mailboxes made a duplicate"
    assert len(live.by_email(SHARED)) == 1
    FIGURES["fill"]["shared_mailbox_rows_in_client_1"] = len(live.by_email(SHARED))

    second = figures("second run", syncd(config))
    assert second["planned_writes"] == 0 and writes(second) == 0, second

    # an edit in ITFlow reaches the others
    row, cirrus_row = linked_pair(sandboxes, live)
    live.post("update", {"contact_id": row["contact_id"], "client_id": row["contact_client_id"],
                         "contact_title": "Chief Cartographer"})
    edit_itflow = figures("edit in ITFlow", syncd(config))
    assert sandboxes.vendors["cirrus"].contacts[cirrus_row["id"]]["title"] == "Chief Cartographer"
    assert writes(edit_itflow, "itflow") == 0

    # an edit in Cirrus reaches ITFlow
    sandboxes.vendors["cirrus"].contacts[cirrus_row["id"]]["department"] = "Surveying"
    sandboxes.vendors["cirrus"]._version += 1
    edit_cirrus = figures("edit in Cirrus", syncd(config))
    assert live.by_email(cirrus_row["email"])[0]["contact_department"] == "Surveying"
    assert writes(edit_cirrus, "itflow") == 1

    # archive in ITFlow: deactivated elsewhere; unarchive: reactivated
    live.post("archive", {"contact_id": row["contact_id"], "client_id": row["contact_client_id"]})
    archived = figures("archive in ITFlow", syncd(config))
    assert sandboxes.vendors["cirrus"].contacts[cirrus_row["id"]]["active"] == 0, archived
    live.post("unarchive", {"contact_id": row["contact_id"], "client_id": row["contact_client_id"]})
    unarchived = figures("unarchive in ITFlow", syncd(config))
    assert sandboxes.vendors["cirrus"].contacts[cirrus_row["id"]]["active"] == 1, unarchived
    assert writes(figures("after unarchive", syncd(config))) == 0

    # a phone typed in the web UI: country code in its own column
    if LIVE_SQL:
        live.sql(f"UPDATE contacts SET contact_phone_country_code = '44', contact_phone = '2079460123' "
                 f"WHERE contact_id = {int(row['contact_id'])};")
        figures("UI phone with a country code", syncd(config))
        assert sandboxes.vendors["cirrus"].contacts[cirrus_row["id"]]["officephone"] == "+442079460123"
        assert writes(figures("after UI phone", syncd(config))) == 0
        assert live.by_email(cirrus_row["email"])[0]["contact_phone"] == "2079460123", "not rewritten by syncd"

    # a "<" in a title: everyone else gets it, ITFlow would cut it, so it is parked there
    sandboxes.vendors["cirrus"].contacts[cirrus_row["id"]]["title"] = "Head of R<D"
    sandboxes.vendors["cirrus"]._version += 1
    lt = figures("'<' in a title", syncd(config))
    assert live.by_email(cirrus_row["email"])[0]["contact_title"] == "Chief Cartographer", "nothing cut was sent"
    assert any("would_mangle" in line for line in lt["not_done"]), lt["not_done"]
    assert writes(figures("after '<'", syncd(config)), "itflow") == 0

    # a read-only key: its writes are refused with 403, the changes wait; fixed, they go out
    sandboxes.vendors["cirrus"].contacts[cirrus_row["id"]]["title"] = "Map Keeper"
    sandboxes.vendors["cirrus"]._version += 1
    key_file = config.parent / "itflow.key"
    key_file.write_text(os.environ.get("SYNCD_LIVE_ITFLOW_READONLY_KEY", SEEDED_KEYS["readonly"]), encoding="utf-8")
    denied = figures("read-only key", syncd(config))
    itflow = denied["systems"]["itflow"]
    assert denied["_exit"] == 1 and itflow.get("waiting", 0) + itflow.get("failed", 0) >= 1, denied
    assert any("permission" in line for line in denied["not_done"]), denied["not_done"]
    assert live.by_email(cirrus_row["email"])[0]["contact_title"] == "Chief Cartographer"
    key_file.write_text(LIVE_KEY, encoding="utf-8")
    fixed = figures("key fixed", syncd(config))
    assert live.by_email(cirrus_row["email"])[0]["contact_title"] == "Map Keeper", fixed
    assert writes(figures("after the fix", syncd(config))) == 0
    assert duplicates(live) == {}
    FIGURES["end"] = {"itflow_rows": len(live.rows()), "duplicates": duplicates(live)}
