"""The hard cases from the matcher's issue, each by name, and the model's own properties.

Tiny inputs are decided by the declared (weak, generic) parameters; the tests that need learned ones
train on a generated population first and say so.
"""

from __future__ import annotations

import json

import numpy as np

from syncd.matching import Decisions, MatchRecord, MatchSettings, Model, ReconcileResult, reconcile
from syncd.matching.blocking import blocking_keys
from syncd.matching.comparisons import compare
from syncd.matching.features import FeatureTable, features_of, normalize_street
from syncd.model import Contact

S = MatchSettings()
#: thresholds that put the declared model's doubtful pairs (a name and an alternative email; a name and a
#: city) into the review and search bands: the defaults are placed for models learned from a population
DECLARED = MatchSettings(auto_link=0.92, review=0.75, search=0.3)


def rec(key: str, **fields: object) -> MatchRecord:
    return MatchRecord(key, key.split(":")[0], Contact(**fields))  # type: ignore[arg-type]


def same(result: ReconcileResult, *keys: str) -> bool:
    refs = {result.assignments.get(k) for k in keys}
    return len(refs) == 1 and None not in refs


def linked(result: ReconcileResult, a: str, b: str) -> bool:
    return same(result, a, b)


def levels(a: MatchRecord, b: MatchRecord) -> dict[str, str]:
    table = FeatureTable([features_of(r.system, r.contact, S.shared_mailboxes) for r in (a, b)])
    model = reconcile([a, b], S).model
    comparisons = Model.from_json(model or {}).comparisons
    out = compare(comparisons, table, np.array([0], dtype=np.int32), np.array([1], dtype=np.int32))
    return {c.name: c.levels[int(out.levels[0, k])].label for k, c in enumerate(comparisons)}


def test_no_email_no_phone_but_same_name_street_and_zip_is_one_person() -> None:
    r = reconcile([rec("flowtrac:1", full_name="Ingrid Holm", street="12 Birch Road", zip="41101", city="Göteborg"),
                   rec("cirrus:2", given_name="Ingrid", family_name="Holm", street="12 Birch Rd", zip="41101")], S)
    assert linked(r, "flowtrac:1", "cirrus:2")
    assert r.links["cirrus:2"].reasons["street"].startswith("same street address")


def test_street_suffixes_and_unit_numbers_are_normalised() -> None:
    found = levels(rec("flowtrac:1", full_name="A B", street="Apt 4, 12 Main Street"),
                   rec("cirrus:2", full_name="A B", street="12 Main St., apt 4"))
    assert found["street"] == "exact"
    other_unit = levels(rec("flowtrac:1", full_name="A B", street="12 Main Street, Apt 4"),
                        rec("cirrus:2", full_name="A B", street="12 Main St, Apt 9"))
    assert other_unit["street"] == "same_house"


def test_an_alternative_email_and_nothing_else_goes_to_review_not_to_a_new_person() -> None:
    r = reconcile([rec("flowtrac:1", full_name="Noor Haddad", email="noor.haddad@globex.example"),
                   rec("lightening:2", full_name="Noor Haddad", email="noorh1988@gmail.com")], DECLARED)
    assert not linked(r, "flowtrac:1", "lightening:2")
    assert r.reviews and {v.key for v in r.reviews} <= {"flowtrac:1", "lightening:2"}


def test_a_name_typo_with_a_shared_email_and_phone_still_links() -> None:
    r = reconcile([rec("flowtrac:1", full_name="Aln Turner", email="a.turner@initech.example",
                       phone_mobile="+1 415 555 0142"),
                   rec("itflow:2", full_name="Ann Turner", email="a.turner@initech.example",
                       phone_mobile="(415) 555-0142")], S)
    assert linked(r, "flowtrac:1", "itflow:2")
    assert "typo" in r.links["itflow:2"].reasons["given"]


def test_names_written_the_other_way_round_with_an_initial_or_a_typo_are_compared_crosswise() -> None:
    # family name first in capitals, the other record with an initial; an initial and a family name
    # against a given and a family name; family name first with a typo in it
    for a, b, given in (({"full_name": "TÓTH Mária"}, {"given_name": "M.", "family_name": "Tóth"}, "initial"),
                        ({"full_name": "A. Murugan"}, {"given_name": "Murugan", "family_name": "Annamalai"},
                         "initial"),
                        ({"full_name": "NAGY Erzsébet"}, {"full_name": "Erzsébet Nagi"}, "swapped")):
        found = levels(rec("flowtrac:1", **a), rec("cirrus:2", **b))
        if given == "swapped":
            assert (found["given"], found["family"]) in {("one_edit", "exact"), ("exact", "one_edit")}, (a, found)
        else:
            assert (found["given"], found["family"]) == (given, "exact"), (a, found)
    # written in order, the straight comparison stays: an initial is not turned into a swap
    assert levels(rec("flowtrac:1", full_name="M. Tóth"), rec("cirrus:2", full_name="Mária Tóth"))["given"] == \
        "initial"
    assert levels(rec("flowtrac:1", full_name="Kimura Akiko"),
                  rec("cirrus:2", given_name="Akiko", family_name="Kimura"))["given"] == "swapped"


def test_a_typo_in_an_email_domain_is_a_typo_not_a_different_mailbox() -> None:
    found = levels(rec("flowtrac:1", email="fernanda.pereira98@hotmail.con"),
                   rec("cirrus:2", email="fernanda.pereira98@hotmail.com"))
    assert found["email"] == "typo"
    other = levels(rec("flowtrac:1", email="fernanda@hotmail.com"), rec("cirrus:2", email="maria@hotmail.com"))
    assert other["email"] == "else"


def test_a_number_added_to_a_mailbox_makes_another_mailbox_not_a_typo() -> None:
    numbered = levels(rec("flowtrac:1", email="dewi.dewi@gmail.com"), rec("cirrus:2", email="dewi.dewi16@gmail.com"))
    assert numbered["email"] == "else"
    assert levels(rec("flowtrac:1", email="jsmith1@gmail.com"),
                  rec("cirrus:2", email="jsmith2@gmail.com"))["email"] == "else"
    # the same digits typed in another order, or a letter typo next to the number, are one mailbox
    assert levels(rec("flowtrac:1", email="smith1985@gmail.com"),
                  rec("cirrus:2", email="smith1958@gmail.com"))["email"] == "typo"
    assert levels(rec("flowtrac:1", email="cyrstal_per19@gmail.com"),
                  rec("cirrus:2", email="crystal_per19@gmail.com"))["email"] == "typo"


def test_a_job_title_and_its_initials_agree() -> None:
    assert levels(rec("flowtrac:1", full_name="A B", title="Chief Financial Officer"),
                  rec("cirrus:2", full_name="A B", title="CFO"))["title"] == "acronym"
    assert levels(rec("flowtrac:1", full_name="A B", title="Head of Sales & Marketing"),
                  rec("cirrus:2", full_name="A B", title="HSM"))["title"] == "acronym"
    assert levels(rec("flowtrac:1", full_name="A B", title="Accountant"),
                  rec("cirrus:2", full_name="A B", title="accountant"))["title"] == "exact"
    assert levels(rec("flowtrac:1", full_name="A B", title="Accountant"),
                  rec("cirrus:2", full_name="A B", title="Warehouse Manager"))["title"] == "else"


def test_colleagues_with_one_given_name_and_one_role_are_not_one_person() -> None:
    # found by a daemon fill of the second generator: same given name, company, town and role, family names
    # that differ; a role is shared by colleagues, so it adds nothing for two different family names
    found = levels(rec("cirrus:1", full_name="Giulia Greco", title="Key Account Manager"),
                   rec("flowtrac:2", full_name="Giulia Dell'Acqua", title="KAM"))
    assert (found["family"], found["title"]) == ("else", "acronym")
    pair = [rec("cirrus:1", given_name="Giulia", family_name="Greco", phone_office="+390117437553",
                title="Key Account Manager", company="ALIMENTARI FERRARI S.R.L.", city="Milano", zip="20175"),
            rec("flowtrac:2", full_name="Giulia Dell'Acqua", title="KAM", company="Alimentari Ferrari",
                street="v. giuseppe verdi 113", city="Milano", zip="20175")]
    r = reconcile(pair, S)
    assert not linked(r, "cirrus:1", "flowtrac:2")
    why = next(iter(r.reviews)).reasons if r.reviews else {}
    assert "title" not in why or "(+" not in why["title"]


def test_two_very_short_values_are_never_one_typo_apart() -> None:
    assert levels(rec("flowtrac:1", full_name="Person 4"), rec("cirrus:2", full_name="Person 9"))["family"] == "else"
    assert levels(rec("flowtrac:1", full_name="Al Turner"), rec("cirrus:2", full_name="Ed Turner"))["given"] != \
        "one_edit"
    assert levels(rec("flowtrac:1", full_name="Ann Turner"), rec("cirrus:2", full_name="Aln Turner"))["given"] == \
        "one_edit"


def test_two_addresses_at_one_free_mail_provider_are_not_one_organisation() -> None:
    free = levels(rec("flowtrac:1", full_name="Peter Smith", email="peter.smith@gmail.com"),
                  rec("itflow:2", full_name="Peter Smith", email="psmith77@gmail.com"))
    assert free["email"] == "else"
    work = levels(rec("flowtrac:1", full_name="Peter Smith", email="peter.smith@acme.example"),
                  rec("itflow:2", full_name="Peter Smith", email="psmith@acme.example"))
    assert work["email"] == "same_org"


def test_a_domain_shared_by_many_companies_is_learned_to_be_a_mail_provider() -> None:
    records = [rec(f"flowtrac:{i}", full_name=f"Person{i} Family{i}", email=f"p{i}@postbox.example",
                   company=f"Company {i}") for i in range(8)]
    table = FeatureTable([features_of(r.system, r.contact, S.shared_mailboxes) for r in records])
    model = Model.from_json(reconcile(records, S).model or {})
    out = compare(model.comparisons, table, np.array([0], dtype=np.int32), np.array([1], dtype=np.int32))
    email = [c.name for c in model.comparisons].index("email")
    assert model.comparisons[email].levels[int(out.levels[0, email])].label == "else"


def test_a_common_name_over_the_block_cap_still_meets_through_surname_and_zip() -> None:
    crowd = [rec(f"itflow:{i}", full_name="John Smith", zip=f"{10000 + i}") for i in range(60)]
    crowd += [rec(f"cirrus:{i}", given_name="John", family_name="Smith", zip=f"{20000 + i}") for i in range(60)]
    pair = [rec("flowtrac:x", full_name="John Smith", street="7 Elm Street", zip="55555"),
            rec("cirrus:x", given_name="John", family_name="Smith", street="7 Elm St", zip="55555")]
    r = reconcile(crowd + pair, S)
    assert linked(r, "flowtrac:x", "cirrus:x")


def _meet(a: MatchRecord, b: MatchRecord) -> bool:
    """The two records share a blocking key: they are compared at all."""
    fa, fb = (features_of(r.system, r.contact, S.shared_mailboxes) for r in (a, b))
    return bool(blocking_keys(fa) & blocking_keys(fb))


def test_a_family_name_written_without_its_particle_still_meets_and_is_a_part() -> None:
    a = rec("lightening:1", full_name="Sanne Jong", company="YL Handelsonderneming")
    b = rec("cirrus:2", given_name="Sanne", family_name="DE Jong", company="YL Handelsonderneming")
    assert _meet(a, b)
    assert levels(a, b)["family"] == "part"
    # a name that merely begins like a particle keeps its whole self: "Delgado" is no "de Lgado"
    assert features_of("x", Contact(full_name="Ana Delgado"), S.shared_mailboxes).family_part == ""


def test_a_single_name_meets_the_same_word_written_as_given_or_as_family_name() -> None:
    assert _meet(rec("flowtrac:1", given_name="Sukarno"), rec("cirrus:2", family_name="Sukarno"))


def test_a_family_name_with_two_letters_swapped_meets_when_its_name_key_is_crowded() -> None:
    """"Camille Bnonet" for "Camille Bonnet": at a big customer the given name and the family's initial are
    shared by more records than a block holds, so only the name's letters in order still bring them together;
    they are then linked (or at least held), never two people by default. Anagrams stay apart."""
    families = ["Bernard", "Blanc", "Boyer", "Brun", "Barbier", "Benoit", "Bertrand", "Bailly", "Bouvier", "Berger"]
    crowd = [rec(f"itflow:{i}", full_name=f"Camille {families[i % 10]}{'e' * (i // 10)}", company="Acme Freight")
             for i in range(45)]
    crowd += [rec(f"cirrus:{i}", full_name=f"Camille {families[i % 10]}{'e' * (i // 10)}", company="Acme Freight")
              for i in range(45)]
    pair = [rec("flowtrac:x", full_name="Camille Bonnet", company="Acme Freight", title="Dispatcher"),
            rec("lightening:x", full_name="Camille Bnonet", company="Acme Freight", title="Dispatcher")]
    r = reconcile(crowd + pair, S)
    held = {(v.key, v.candidate) for v in r.reviews}
    assert linked(r, "flowtrac:x", "lightening:x") or {("flowtrac:x", "lightening:x"),
                                                         ("lightening:x", "flowtrac:x")} & held
    assert not _meet(rec("flowtrac:1", full_name="Amir Khan"), rec("cirrus:2", full_name="Mira Khan"))


def test_a_mailbox_with_two_letters_swapped_still_meets() -> None:
    a = rec("lightening:1", full_name="Crystal Perez", email="crystal_per19@comcast.net")
    b = rec("itflow:2", full_name="Krystal Perez", email="cyrstal_per19@comcast.net")
    assert _meet(a, b)
    assert not _meet(rec("lightening:1", full_name="A B", email="ab@x.com"),
                     rec("itflow:2", full_name="C D", email="ba@x.com"))  # too short to say


def test_an_address_with_typos_in_its_postal_code_town_or_street_type_still_meets() -> None:
    """FEBRL's corrupted copies: every field of the address may carry a typo, and the names may be replaced.
    The house number and a word of the street, or the street and its town, still bring the pair together."""
    a = rec("flowtrac:1", full_name="Tristan Shepherdson", street="33 Benson Crescent, Allensleigh",
            city="Brighton", zip="4356")
    b = rec("cirrus:2", full_name="Mikhayla Clacke", street="33 Benson Drescent, Allensleigh", city="Brigton",
            zip="3456")
    assert _meet(a, b)
    moved = rec("cirrus:3", full_name="Butt Thomas", street="22 Medworth Crescent", city="Booval", zip="4502")
    assert _meet(rec("flowtrac:4", full_name="Thomas Matthews", street="144 Medworth Crescent", city="Booval",
                     zip="4502"), moved)  # another number on the same street in the same town
    # a street-type word ("Crescent", "Via") is no street's name: one number on two streets does not meet
    assert not _meet(rec("flowtrac:5", full_name="A B", street="7 Rue Crescent"),
                     rec("cirrus:6", full_name="C D", street="7 Rue Haute"))


def test_an_address_left_without_its_street_line_is_the_second_line_of_the_other() -> None:
    """"6 Kirwan Circuit, Ardrossan" and "6, Ardrossan": one copy kept only the second line (a building, an
    estate, a locality). They meet, and compare as one address written two ways, not as two streets."""
    a = rec("flowtrac:1", full_name="A Reid", street="6 Kirwan Circuit, Ardrossan", city="Shoalwater", zip="4701")
    b = rec("cirrus:2", full_name="B Reid", street="6, Ardrossan", city="Ringwood", zip="4701")
    assert _meet(a, b)
    assert levels(a, b)["street"] == "other_line"
    swapped = rec("cirrus:3", full_name="C Nguyen", street="Calliope Caravan Park, Hackett Garden", zip="5608")
    assert _meet(rec("flowtrac:4", full_name="D Moody", street="Hackett Garden, Calliope Caravan Park", zip="5608"),
                 swapped)
    # another house number on that line is another house
    assert levels(a, rec("cirrus:5", full_name="E Reid", street="8, Ardrossan", zip="4701"))["street"] != "other_line"


def test_a_house_number_written_on_its_own_line_is_the_house_number() -> None:
    assert normalize_street("15, High Street") == normalize_street("15 High Street") == ("15 high st", "high st", "")
    assert normalize_street("Flat 3, 15, High St") == ("15 high st", "high st", "3")


def test_a_street_type_typed_onto_the_name_is_the_street_type() -> None:
    glued, apart = normalize_street("162 Callistercrescent"), normalize_street("1 Callister Crescent")
    assert glued[1] == apart[1] == "callister cres"
    assert normalize_street("Hauptstraße 5")[1] == "haupt st"
    # a type a language writes onto the name as a rule stays on it: its typo'd copies still look like it
    assert normalize_street("Storgatan 3")[1] == "storgatan"
    assert normalize_street("12 Broadway")[1] == "broadway" and normalize_street("5 Southgate")[1] == "southgate"


def test_household_members_sharing_phone_and_address_are_not_linked() -> None:
    """Learned, not declared: in a population with households, the pairs within one system (known to be
    two people) show that a shared phone and address say little once the given names differ: the
    strangers' mixture learns that a family name, a phone, a street and a postal code come together."""
    import random

    rng = random.Random(7)
    givens = ["Maria", "Paolo", "Giulia", "Marco", "Sara", "Luca", "Anna", "Pietro", "Elena", "Davide"]
    records: list[MatchRecord] = []
    for h in range(300):
        family, phone = f"Fam{h:03d}x", f"+39 06 {1000 + h:04d} {rng.randint(1000, 9999)}"
        street, zip_code = f"Via Nuova {h % 97 + 1}", f"{10000 + h}"
        for member, given in enumerate(rng.sample(givens, 2)):
            fields = {"full_name": f"{given} {family}", "phone_office": phone, "street": street, "zip": zip_code,
                      "email": f"{given.lower()}.{family.lower()}@mail{h % 7}.example"}
            records.append(rec(f"flowtrac:{h}-{member}", **fields))
            if rng.random() < 0.6:
                records.append(rec(f"cirrus:{h}-{member}", **{**fields, "email": None}))
    r = reconcile(records, S)
    assert r.model is not None and r.model["training"]["learned"]
    cross = [(f"flowtrac:{h}-0", f"cirrus:{h}-1") for h in range(300)]
    wrong = [p for p in cross if p[1].partition(":")[2] and linked(r, *p)]
    right = [h for h in range(300) if linked(r, f"flowtrac:{h}-0", f"cirrus:{h}-0")]
    assert not wrong and len(right) > 100


def test_namesakes_at_one_company_with_their_own_mailboxes_are_two_people() -> None:
    r = reconcile([rec("flowtrac:1", full_name="Wei Zhang", email="wei.zhang@hooli.example", company="Hooli"),
                   rec("itflow:2", full_name="Wei Zhang", email="wzhang2@hooli.example", company="Hooli")], S)
    assert not linked(r, "flowtrac:1", "itflow:2")


def test_same_surname_strangers_are_not_linked() -> None:
    r = reconcile([rec("flowtrac:1", full_name="Anna Nowak", company="Initech", city="Kraków"),
                   rec("itflow:2", full_name="Piotr Nowak", company="Initech", city="Kraków")], S)
    assert not linked(r, "flowtrac:1", "itflow:2") and not r.reviews


def test_a_role_address_alone_never_links_even_when_everything_else_is_missing() -> None:
    shared = MatchSettings(shared_mailboxes=frozenset({"sales", "dispatch"}))
    r = reconcile([rec("flowtrac:1", email="dispatch@acme.example"), rec("itflow:2", email="dispatch@acme.example")],
                  shared)
    assert not linked(r, "flowtrac:1", "itflow:2") and not r.reviews


def test_a_role_mailbox_in_a_language_no_list_knows_is_learned_and_never_links_colleagues() -> None:
    """``verkoop@`` (Dutch "sales") is in no list of shared mailboxes. At company after company it is held by
    people it does not name, so the matcher learns it is a role mailbox: two colleagues who both wrote it are
    not made one person by it, while a personal mailbox ("j.dekker@") still links its holder."""
    givens = ["Jan", "Pieter", "Sanne", "Femke", "Daan", "Lotte", "Bram", "Anouk"]
    families = ["Dekker", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters", "Hendriks"]
    records: list[MatchRecord] = []
    for c in range(40):
        domain, company = f"firma{c}.nl", f"Firma {c} B.V."
        for p in range(4):
            given, family = givens[(c + p) % len(givens)], families[(3 * c + p) % len(families)]
            personal = f"{given[0].lower()}.{family.lower()}@{domain}"
            phone = f"+31 20 {c:03d} {p:04d}"
            # one system knows the colleague by the company's sales mailbox only, the other by their own
            records.append(rec(f"flowtrac:{c}-{p}", full_name=f"{given} {family}", company=company,
                               email=f"verkoop@{domain}" if p < 2 else personal, phone_office=phone))
            records.append(rec(f"cirrus:{c}-{p}", full_name=f"{given} {family}", company=company, email=personal))
    r = reconcile(records, S)
    assert r.model is not None
    null = r.model["comparisons"][[c["output_column_name"] for c in r.model["comparisons"]].index("email")]
    assert null["comparison_levels"][0].get("learned_role_mailboxes") == ["verkoop"]
    # a colleague known by the sales mailbox in one system and another known by it too: two people
    table = FeatureTable([features_of(x.system, x.contact, S.shared_mailboxes)
                          for x in (rec("flowtrac:a", full_name="Jan Dekker", email="verkoop@firma1.nl"),
                                    rec("cirrus:b", full_name="Sanne Visser", email="verkoop@firma1.nl"))])
    model = Model.from_json(r.model)
    out = compare(model.comparisons, table, np.array([0], dtype=np.int32), np.array([1], dtype=np.int32))
    email = [c.name for c in model.comparisons].index("email")
    assert model.comparisons[email].levels[int(out.levels[0, email])].is_null  # the role address is not compared
    # the people behind the personal mailboxes are still linked by them
    assert all(linked(r, f"flowtrac:{c}-3", f"cirrus:{c}-3") for c in range(40))


def test_two_namesakes_competing_for_one_record_go_to_review() -> None:
    """One record per system: two equally good candidates in one system cannot both be this person."""
    r = reconcile([rec("cirrus:1", given_name="Omar", family_name="Saleh", company="Globex"),
                   rec("itflow:2", full_name="Omar Saleh", company="Globex"),
                   rec("itflow:3", full_name="Omar Saleh", company="Globex")], S)
    assert not linked(r, "cirrus:1", "itflow:2") and not linked(r, "cirrus:1", "itflow:3")


def test_no_create_without_a_search_holds_a_plausible_duplicate_and_counts_it() -> None:
    r = reconcile([rec("flowtrac:1", full_name="Lena Weber", city="Köln"),
                   rec("itflow:2", full_name="Lena Weber")], DECLARED)
    held = [v for v in r.reviews if v.kind == "search"]
    assert held and r.creates_held == len(held)
    assert all("may already be" in v.reasons["held"] for v in held)
    assert not set(r.assignments) & {v.key for v in held}  # a held record creates nothing


def test_admin_decisions_win_even_against_strong_evidence() -> None:
    records = [rec("flowtrac:1", full_name="Ada Lovelace", email="ada@engine.example", phone_office="+442079460018"),
               rec("itflow:2", full_name="Ada Lovelace", email="ada@engine.example", phone_office="+442079460018")]
    r = reconcile(records, S, decisions=Decisions(cannot_link={frozenset(("flowtrac:1", "itflow:2"))}))
    assert not linked(r, "flowtrac:1", "itflow:2") and not r.reviews


def test_reasons_are_words_built_from_the_per_field_weights() -> None:
    r = reconcile([rec("flowtrac:1", full_name="Ada Lovelace", email="ada@engine.example"),
                   rec("itflow:2", full_name="Ada Lovelace", email="ada@engine.example")], S)
    reasons = dict(r.links["itflow:2"].reasons)
    assert reasons["email"].startswith("same personal email (+") and "match weight" in reasons["score"]


def test_the_model_is_learned_from_the_data_and_round_trips_as_json() -> None:
    from syncd.sandbox.people import generate

    def train(seed: int, n: int, **options: object) -> Model:
        seeded = generate(seed, n, **options)  # type: ignore[arg-type]
        records = [MatchRecord(f"{s.system}:{i}", s.system, s.contact) for i, s in enumerate(seeded)]
        return Model.from_json(reconcile(records, S).model or {})

    tidy, messy = train(5, 800, mess=0.2), train(5, 800, mess=1.0)
    assert tidy.training["learned"] and messy.training["learned"]
    email = {m.comparisons[2].name: m for m in (tidy,)}["email"].comparisons[2]
    exact = next(level for level in email.levels if level.label == "exact")
    assert exact.m is not None and exact.u is not None and exact.m > 100 * exact.u
    # other data, other weights: nothing is a constant
    assert tidy.level_weights()[0].tolist() != messy.level_weights()[0].tolist()
    again = Model.from_json(json.loads(json.dumps(messy.as_json())))
    assert again.as_json() == messy.as_json()


def _variants(result: ReconcileResult) -> list[tuple[str, str]]:
    assert result.model is not None
    given = next(c for c in result.model["comparisons"] if c["output_column_name"] == "given")
    level = next(lv for lv in given["comparison_levels"] if lv["condition"] == "variant")
    return [tuple(pair) for pair in level.get("learned_variants", [])]


def test_pet_names_no_list_knows_are_learned_from_records_that_share_a_mailbox() -> None:
    """'Peppe' for 'Giuseppe' is on no nickname list: the records written so by people who keep one mailbox
    and one phone in both systems teach it, and a pair with only a name, a company and a postal code then
    agrees on it."""
    import random

    rng = random.Random(3)
    givens = ["Paolo", "Giulia", "Marco", "Sara", "Luca", "Anna", "Pietro", "Elena", "Davide", "Chiara"]
    records: list[MatchRecord] = []
    for p in range(300):
        given = rng.choice(givens)
        family, phone = f"Fam{p:03d}y", f"+39 02 {2000 + p:04d} {rng.randint(1000, 9999)}"
        email = f"{given.lower()}.{family.lower()}@ditta{p % 11}.example"
        pet = p < 12  # twelve people write their pet name in the CRM
        records.append(rec(f"flowtrac:{p}", full_name=f"{'Giuseppe' if pet else given} {family}", email=email,
                           phone_office=phone, company=f"Ditta {p % 11}"))
        records.append(rec(f"cirrus:{p}", given_name="Peppe" if pet else given, family_name=family, email=email,
                           phone_mobile=phone))
    # a pair that shares no mailbox or phone: a name, a company and a postal code
    records += [rec("flowtrac:x", full_name="Giuseppe Verdi", company="Lirica", zip="43011"),
                rec("cirrus:x", given_name="Peppe", family_name="Verdi", company="Lirica", zip="43011")]
    r = reconcile(records, S)
    assert ("giuseppe", "peppe") in _variants(r)
    assert r.links["cirrus:x"].reasons["given"].startswith("given names this data shows written for one another")


def test_a_couple_sharing_a_mailbox_teaches_no_variant() -> None:
    """Two given names that one system holds as two people (a couple with one family mailbox, one phone, one
    address) are not learned as one name, however often a copy of one meets the other through all they share."""
    import random

    rng = random.Random(5)
    records: list[MatchRecord] = []
    for h in range(200):
        family, phone = f"Fam{h:03d}z", f"+31 20 {3000 + h:04d} {rng.randint(100, 999)}"
        shared = dict(phone_office=phone, street=f"{h % 50 + 1} Kerkstraat", zip=f"{1000 + h} AB",
                      email=f"fam{family.lower()}@thuis.example")
        for given in ("Anna", "Marco"):
            records.append(rec(f"flowtrac:{h}-{given}", full_name=f"{given} {family}", **shared))
        # the CRM knows only Marco, at the household's mailbox, phone and address
        records.append(rec(f"cirrus:{h}", given_name="Marco", family_name=family, **shared))
    r = reconcile(records, S)
    assert ("anna", "marco") not in _variants(r)
