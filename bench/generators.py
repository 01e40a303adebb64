"""What each people generator produces, measured from its output: proportions, hard cases, time, memory.

    python bench/generators.py [--people 100000] [--seed 1] [--only other] [--stream]

For ``people`` (syncd.sandbox.people) and ``other`` (syncd.sandbox.othergen) it prints, from the records and the
truth alone (not from the generator's own counters): records per person, how many systems a person is in,
records with no email, emails at free-mail providers, role mailboxes, people who share a street address, a
phone or a full name in one town with someone else, people whose copies disagree on zip or family name; then
the generation time and the peak of Python allocations. ``--stream`` counts othergen's stream without keeping
the records (the memory a streaming consumer needs).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from syncd.model import fold_name, normalize_email, normalize_phone
from syncd.sandbox.othergen_places import FREEMAIL, ROLE_LOCALS
from syncd.sandbox.people import SeededContact

FREE = {d for d, _ in FREEMAIL}
ROLES = {r for group in ROLE_LOCALS.values() for r in group}


def measure(seeded: list[SeededContact]) -> dict[str, float]:
    people: dict[str, list[SeededContact]] = defaultdict(list)
    for s in seeded:
        people[s.truth_id].append(s)
    n_people, n_records = len(people), len(seeded)
    systems = Counter(len({s.system for s in copies}) for copies in people.values())
    emails = [normalize_email(s.contact.email) for s in seeded]
    with_email = [e for e in emails if e]
    no_email = sum(1 for s, e in zip(seeded, emails, strict=True) if not e and not s.contact.emails)
    free = sum(1 for e in with_email if e.rpartition("@")[2] in FREE)
    role = sum(1 for e in with_email if e.partition("@")[0] in ROLES)
    by_address: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_phone: dict[str, set[str]] = defaultdict(set)
    by_name_town: dict[tuple[str, str], set[str]] = defaultdict(set)
    with_address: set[str] = set()
    for s in seeded:
        c = s.contact
        if c.street and c.zip:
            by_address[(fold_name(c.street), c.zip.replace(" ", "").upper())].add(s.truth_id)
            with_address.add(s.truth_id)
        for phone in (c.phone_office, c.phone_mobile):
            if phone:
                by_phone[str(normalize_phone(phone))].add(s.truth_id)
        name = fold_name(c.full_name or " ".join(p for p in (c.given_name, c.family_name) if p))
        if name and c.city:
            by_name_town[(name, fold_name(c.city))].add(s.truth_id)
    shared_address = {t for group in by_address.values() if len(group) > 1 for t in group}
    shared_phone = {t for group in by_phone.values() if len(group) > 1 for t in group}
    namesakes = {t for group in by_name_town.values() if len(group) > 1 for t in group}
    zips_differ = sum(1 for copies in people.values()
                      if len({c.contact.zip.replace(" ", "").upper() for c in copies if c.contact.zip}) > 1)
    family_differ = sum(1 for copies in people.values()
                        if len({fold_name(c.contact.family_name or (c.contact.full_name or "").split(" ")[-1])
                                for c in copies}) > 1)
    multi = sum(1 for copies in people.values() if len(copies) > 1)
    return {
        "people": n_people, "records": n_records, "records_per_person": n_records / n_people,
        **{f"in_{k}_systems_pct": 100 * systems[k] / n_people for k in sorted(systems)},
        "records_without_email_pct": 100 * no_email / n_records,
        "emails_at_freemail_pct": 100 * free / max(1, len(with_email)),
        "emails_role_mailbox_pct": 100 * role / max(1, len(with_email)),
        "people_sharing_address_pct": 100 * len(shared_address) / max(1, len(with_address)),
        "people_sharing_a_phone_pct": 100 * len(shared_phone) / n_people,
        "people_with_namesake_in_town_pct": 100 * len(namesakes) / n_people,
        "multi_copy_people_zip_differs_pct": 100 * zips_differ / max(1, multi),
        "multi_copy_people_family_differs_pct": 100 * family_differ / max(1, multi),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("people", "other"))
    parser.add_argument("--stream", action="store_true", help="othergen only: count the stream, keep nothing")
    args = parser.parse_args()
    from syncd.sandbox import othergen, people

    if args.stream:
        started = time.perf_counter()
        tracemalloc.start()
        n = sum(1 for _ in othergen.stream(args.seed, args.people))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"othergen stream: {n} records of {args.people} people in {time.perf_counter() - started:.1f}s "
              f"(under tracemalloc), peak {peak / 2**20:.0f} MB")
        return
    for name, generate in (("people", people.generate), ("other", othergen.generate)):
        if args.only and name != args.only:
            continue
        started = time.perf_counter()
        seeded = generate(args.seed, args.people)
        seconds = time.perf_counter() - started
        print(f"{name}: {len(seeded)} records of {args.people} people in {seconds:.1f}s")
        for key, value in measure(seeded).items():
            print(f"  {key:40s} {value:10.2f}" if isinstance(value, float) else f"  {key:40s} {value:10d}")


if __name__ == "__main__":
    main()
