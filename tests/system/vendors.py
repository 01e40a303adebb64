"""What the sandbox vendors hold, read through their `/_sandbox/records` endpoint (not through syncd)."""

from __future__ import annotations

import collections
from collections.abc import Mapping
from typing import Any

import httpx

NAMES = ("flowtrac", "lightening", "itflow", "cirrus")
EMAIL_KEYS = {"flowtrac": "email", "lightening": "email", "itflow": "contact_email", "cirrus": "email"}
TITLE_KEYS = {"flowtrac": "title", "itflow": "contact_title", "cirrus": "title"}


def records(root: str) -> list[dict[str, Any]]:
    data: Any = httpx.get(f"{root}/_sandbox/records", timeout=10).json()
    return list(data)


def holdings(roots: Mapping[str, str]) -> dict[str, collections.Counter[str]]:
    """system -> how many records hold each (lower-cased) email; blank emails under ''.

    Two runs that left the vendors with equal holdings created the same records: a duplicate made by one
    of them shows up as an email counted twice (or a count that differs)."""
    return {name: collections.Counter(str(r.get(EMAIL_KEYS[name]) or "").strip().lower() for r in records(root))
            for name, root in roots.items()}


def set_faults(roots: Mapping[str, str], **config: Any) -> None:
    for root in roots.values():
        httpx.put(f"{root}/_sandbox/faults", json=config, timeout=5).raise_for_status()


def fault_state(roots: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    return {name: httpx.get(f"{root}/_sandbox/faults", timeout=5).json() for name, root in roots.items()}


def duplicates_against(after: Mapping[str, collections.Counter[str]],
                       reference: Mapping[str, collections.Counter[str]], *, counts: bool = True) -> dict[str, Any]:
    """What ``after`` holds beyond a reference run that no duplicate can hide in: per system, a different number
    of records, or an email held more often than in the reference. Which values won may differ between the two
    (records matched in another order, say when scans failed). ``counts=False`` compares emails only: for runs
    whose order of work differs so much (systems polled one at a time) that a person may end up, rightly,
    deactivated in one run and created in the other."""
    problems: dict[str, Any] = {}
    for name in reference:
        count, expected = sum(after[name].values()), sum(reference[name].values())
        twice = sorted(e for e, n in after[name].items() if e and n > 1 and reference[name][e] < n)
        if (counts and count != expected) or twice:
            problems[name] = {"records": count, "in_reference": expected, "emails_held_twice": twice}
    return problems


#: what the seeded sandbox cannot hold by its vendors' own rules (ITFlow needs an email, Lightening and
#: Cirrus a company they know): parked creates, reported as not done — and nothing else may be
STRUCTURAL = frozenset({"parked/no_company", "parked/invalid"})


def assert_settled(report: Any, *, poll: bool = False) -> None:
    """Everything asked for was done, but for the creates the vendors' own rules refuse (see STRUCTURAL).
    After a one-system ``poll``, a create may also wait for its target's own poll ("pending/new": syncd
    writes a create only into a system it read in the same cycle)."""
    data = report if isinstance(report, dict) else report.as_json()
    allowed = STRUCTURAL | {"pending/new"} if poll else STRUCTURAL
    for name, s in data["systems"].items():
        assert not (s["scan_error"] or s["guard"] or s["write_error"]), (name, s)
        assert s["failed"] == s["held"] == s["waiting"] == 0, (name, s)
        assert set(s["backlog"]) <= allowed, (name, s["backlog"], s["errors"][:5])
    assert data["outcome"] in ("ok", "partial"), data["not_done"]
