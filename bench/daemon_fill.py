"""A fill driven by the daemon: what one `syncd run` start does to four vendors that already hold people.

    python bench/daemon_fill.py [--people 5000] [--generator people|other] [--seed 3]

The four simulators start seeded (each person typed into one or more of them, written each system's way),
the store is empty, and `syncd run`'s daemon polls the connectors one at a time, as in production, until a
full round of polls writes nothing. Then every vendor is read again and compared with what it held
before, record by record and field by field:

- fields emptied: a value a vendor held before and holds no more (no user cleared anything here);
- values nobody typed: a field changed to a value that none of the person's seeded copies holds (a cut or
  mangled value spread from another vendor); names are left out, as a system that holds given and family
  names derives them from another system's full name; a value that came from another person because the
  matcher took the two for one is counted apart (values from a false link: the matcher's precision);
- personal emails replaced by a shared one (info@, sales@, ...);
- records adopted wrongly: a seeded record linked to an entity together with records of another person
  (the truth is the generator's), split into those the matcher linked and those adopted after a create;
- duplicates written: a person held twice in one vendor after the fill;
- the review items left open, by kind, and their share of the records the vendors held before.

The same function backs `tests/system/test_daemon_fill.py` at a CI-sized count.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import multiprocessing as mp
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from syncd.config import Settings
from syncd.connectors.registry import build_connector
from syncd.engine.mailboxes import RoleAddresses
from syncd.model import CANONICAL_FIELDS, Contact, RemoteRecord, comparable, equivalent, fold_name, normalize_email
from syncd.sandbox.defaults import SANDBOX_CONNECTORS
from syncd.sandbox.serve import free_port_base
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store

FIELDS = tuple(f for f in CANONICAL_FIELDS if f not in ("active", "company"))
#: a name may rightly become shorter (another system's newer "Dan" over "Daniel"): not a cut
NAMES = frozenset({"given_name", "family_name", "full_name"})


def _serve(people: int, seed: int, generator: str, port_base: int, ready: Any) -> None:
    from syncd.sandbox.run import build, serve_forever

    sandboxes = build(seed=seed, contacts=people, port_base=port_base, generator=generator)
    ready.set()
    asyncio.run(serve_forever(sandboxes))


def _settings(url: str, port_base: int, poll: float) -> Settings:
    connectors = {}
    for i, (name, values) in enumerate(SANDBOX_CONNECTORS.items()):
        cfg = dict(values)
        cfg["base_url"] = cfg["base_url"].replace(f":{8701 + i}", f":{port_base + i}")
        cfg.update(rate_limit=100_000, burst=1000, concurrency=8, poll_interval=poll, poll_jitter=0)
        connectors[name] = cfg
    return Settings(database={"url": url}, connectors=connectors, sync={"write_concurrency": 16},
                    server={"enabled": False}, sandbox={"embedded": "never"})


async def _read_all(settings: Settings) -> dict[str, dict[str, Contact]]:
    out: dict[str, dict[str, Contact]] = {}
    for name, cfg in settings.enabled_connectors().items():
        connector = build_connector(name, cfg)
        try:
            out[name] = {r.remote_id: r.contact async for r in connector.scan() if isinstance(r, RemoteRecord)}
        finally:
            await connector.aclose()
    return out


def _key(system: str, c: Contact) -> tuple[str, ...]:
    name = c.full_name or " ".join(p for p in (c.given_name, c.family_name) if p)
    return (system, fold_name(name), normalize_email(c.email) or "", str(comparable("phone_office", c.phone_office)))


Truth = tuple[dict[tuple[str, ...], str | None], dict[str, dict[str, set[Any]]]]


def _truth(people: int, seed: int, generator: str) -> Truth:
    """(system, name, email, phone) -> the person's truth id (None where two people share the key), and
    truth id -> field -> the values the person's seeded copies hold."""
    from syncd.sandbox import othergen
    from syncd.sandbox import people as ours

    generate = {"people": ours.generate, "other": othergen.generate}[generator]
    seen: dict[tuple[str, ...], str | None] = {}
    typed: dict[str, dict[str, set[Any]]] = collections.defaultdict(lambda: collections.defaultdict(set))
    for seeded in generate(seed, people, tuple(SANDBOX_CONNECTORS)):
        key = _key(seeded.system, seeded.contact)
        seen[key] = seeded.truth_id if key not in seen or seen[key] == seeded.truth_id else None
        for name in FIELDS:
            typed[seeded.truth_id][name].add(comparable(name, seeded.contact.get(name)))
    return seen, typed


async def _run_daemon_until_quiet(settings: Settings, store: Store, limit: float) -> dict[str, Any]:
    from syncd.daemon import Daemon

    daemon = Daemon(settings, store, None, grace=60)
    started = time.monotonic()
    names = sorted(settings.enabled_connectors())

    async def watch() -> dict[str, Any]:
        while time.monotonic() - started < limit:
            await asyncio.sleep(1)
            with store.session_factory() as s:
                runs = s.execute(select(t.SyncRun.kind, t.SyncRun.stats).where(t.SyncRun.finished_at.is_not(None))
                                 .order_by(t.SyncRun.id)).all()
            polled = {kind for kind, _ in runs}
            recent = runs[-2 * len(names):]
            quiet = all(sum(s["created"] + s["updated"] + s["deactivated"] + s["reactivated"] + s["deleted"]
                            for s in (stats or {}).get("systems", {}).values()) == 0 for _, stats in recent)
            if all(f"poll {n}" in polled for n in names) and len(runs) >= 3 * len(names) and quiet:
                daemon.stopping.set()
                return {"polls": len(runs), "seconds": round(time.monotonic() - started, 1), "quiet": True}
        daemon.stopping.set()
        return {"polls": -1, "seconds": round(time.monotonic() - started, 1), "quiet": False}

    watcher = asyncio.create_task(watch())
    await daemon.run()
    return await watcher


def compare(before: Mapping[str, Mapping[str, Contact]], after: Mapping[str, Mapping[str, Contact]],
            store: Store, truth: Truth) -> dict[str, Any]:
    roles = RoleAddresses()
    keys, typed = truth
    mixers = _mixing_records(before, store, keys)
    emptied: collections.Counter[str] = collections.Counter()
    foreign: collections.Counter[str] = collections.Counter()
    foreign_by_false_link = 0
    replaced_by_shared = 0
    examples: list[str] = []
    for system, records in before.items():
        for rid, old in records.items():
            new = after[system].get(rid)
            if new is None:
                continue
            person = keys.get(_key(system, old))
            for name in FIELDS:
                was, now = comparable(name, old.get(name)), comparable(name, new.get(name))
                if was in (None, ()) or was == now:
                    continue
                if now in (None, ()):
                    emptied[name] += 1
                    if len(examples) < 10:
                        examples.append(f"{system}:{rid} {name} {old.get(name)!r} -> emptied")
                elif name not in NAMES and person and not any(equivalent(name, now, v) for v in typed[person][name]):
                    if (system, rid) in mixers:
                        foreign_by_false_link += 1  # the matcher took two people for one: the other's value
                        continue
                    foreign[name] += 1
                    if len(examples) < 10:
                        examples.append(f"{system}:{rid} {name} {old.get(name)!r} -> {new.get(name)!r}")
            if old.email and not roles.is_role(old.email) and roles.is_role(new.email):
                replaced_by_shared += 1
    # who each entity is, by the seeded records linked to it
    with store.session_factory() as s:
        links = s.execute(select(t.Link.entity_id, t.Link.system, t.Link.remote_id, t.Link.linked_by)).all()
    people: dict[str, set[str]] = collections.defaultdict(set)
    adopted_people: dict[str, set[str]] = collections.defaultdict(set)
    members: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for entity_id, system, remote_id, linked_by in links:
        members[entity_id].append((system, remote_id))
        contact = before.get(system, {}).get(remote_id)
        if contact is None:
            continue  # made by syncd: it is who its entity is
        person = keys.get(_key(system, contact))
        if person:
            (adopted_people if linked_by == "syncd" else people)[entity_id].add(person)
    mixed = sum(1 for e, who in people.items() if len(who) > 1)
    adopted_wrongly = sum(1 for e, who in adopted_people.items() if who - people.get(e, who))
    per_person: collections.Counter[tuple[str, str]] = collections.Counter()
    for entity_id, who in people.items():
        if len(who) != 1:
            continue
        (person,) = who
        for system, _ in members[entity_id]:
            per_person[(system, person)] += 1
    duplicates = sum(n - 1 for n in per_person.values() if n > 1)
    return {"fields_emptied": sum(emptied.values()), "emptied_by_field": dict(emptied),
            "values_nobody_typed": sum(foreign.values()), "foreign_by_field": dict(foreign),
            "values_from_a_false_link": foreign_by_false_link,
            "personal_emails_replaced_by_shared": replaced_by_shared,
            "entities_mixing_people": mixed, "records_adopted_wrongly": adopted_wrongly,
            "duplicates_across_entities_in_one_system": duplicates, "examples": examples,
            "records_before": sum(len(r) for r in before.values()),
            "records_after": sum(len(r) for r in after.values())}


def _mixing_records(before: Mapping[str, Mapping[str, Contact]], store: Store,
                    keys: Mapping[tuple[str, ...], str | None]) -> set[tuple[str, str]]:
    """The records of entities the matcher made of two or more people."""
    with store.session_factory() as s:
        links = s.execute(select(t.Link.entity_id, t.Link.system, t.Link.remote_id)).all()
    who: dict[str, set[str]] = collections.defaultdict(set)
    members: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for entity_id, system, remote_id in links:
        members[entity_id].append((system, remote_id))
        contact = before.get(system, {}).get(remote_id)
        person = keys.get(_key(system, contact)) if contact is not None else None
        if person:
            who[entity_id].add(person)
    return {m for e, people in who.items() if len(people) > 1 for m in members[e]}


async def fill(people: int, *, seed: int = 3, generator: str = "people", poll: float = 5.0,
               limit: float = 3600.0) -> dict[str, Any]:
    port_base = free_port_base()
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    server = ctx.Process(target=_serve, args=(people, seed, generator, port_base, ready), daemon=True)
    server.start()
    try:
        ready.wait(600)
        await asyncio.sleep(1.0)
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/syncd.db"
            migrate.upgrade(url)
            store = Store(url)
            settings = _settings(url, port_base, poll)
            before = await _read_all(settings)
            run = await _run_daemon_until_quiet(settings, store, limit)
            after = await _read_all(settings)
            result = compare(before, after, store, _truth(people, seed, generator))
            with store.session_factory() as s:
                kinds = s.execute(select(t.ReviewItem.kind).where(t.ReviewItem.status == "open")).scalars().all()
            result["open_review_items"] = dict(collections.Counter(kinds))
            result["review_share_of_records"] = round(len(kinds) / max(result["records_before"], 1), 4)
            with store.session_factory() as s:
                last = s.scalars(select(t.SyncRun).order_by(t.SyncRun.id.desc()).limit(1)).first()
                result["last_run_outcome"] = last.status if last else None
                result["not_done"] = (last.stats or {}).get("not_done", []) if last else []
            store.dispose()
            return {"people": people, "generator": generator, **run, **result}
    finally:
        server.terminate()
        with contextlib.suppress(Exception):
            server.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--generator", choices=("people", "other"), default="people")
    args = parser.parse_args()
    result = asyncio.run(fill(args.people, seed=args.seed, generator=args.generator))
    for key, value in result.items():
        print(f"{key:>42}: {value}")


if __name__ == "__main__":
    main()
