"""One value written the ways people and vendors write it: the matcher reads each to the same thing.

Each case is a way of writing that a data set the matcher was not tuned on may use (vendor exports, other
generators, real address books); none of them is a rule about any one data set.
"""

from __future__ import annotations

import numpy as np

from syncd.matching import MatchRecord, MatchSettings, Model, reconcile
from syncd.matching.blocking import blocking_keys
from syncd.matching.comparisons import compare
from syncd.matching.features import Features, FeatureTable, features_of, normalize_street
from syncd.model import Contact

S = MatchSettings()


def feats(**fields: object) -> Features:
    return features_of("flowtrac", Contact(**fields), S.shared_mailboxes)  # type: ignore[arg-type]


def rec(key: str, **fields: object) -> MatchRecord:
    return MatchRecord(key, key.split(":")[0], Contact(**fields))  # type: ignore[arg-type]


def level(a: MatchRecord, b: MatchRecord, field: str) -> str:
    table = FeatureTable([features_of(r.system, r.contact, S.shared_mailboxes) for r in (a, b)])
    comparisons = Model.from_json(reconcile([a, b], S).model or {}).comparisons
    out = compare(comparisons, table, np.array([0], dtype=np.int32), np.array([1], dtype=np.int32))
    names = [c.name for c in comparisons]
    k = names.index(field)
    return comparisons[k].levels[int(out.levels[0, k])].label


def test_an_extension_is_not_part_of_the_number() -> None:
    plain = feats(phone_office="+1 (555) 123-4567").phones
    assert plain == ("551234567",)
    for written in ("+1 (555) 123-4567 x89", "555.123.4567 ext. 89", "555-123-4567x89", "+1 555 123 4567 #89",
                    "+1 555 123 4567, ext 89", "+1 555 123 4567 Extension: 89"):
        assert feats(phone_office=written).phones == ("551234567x89",), written
    # a number read through the library (national, no region) loses its extension the same way
    assert feats(phone_office="055 616 2239 ext 275").phones == ("556162239x275",)
    # a last group after a dash is the number's own: not read as an extension
    assert feats(phone_office="+49 30 1234567-0").phones == ("012345670",)


def test_a_switchboard_with_and_without_an_extension() -> None:
    """The same number with an extension on one side only may be one person written shorter; two extensions
    of one switchboard are two lines (colleagues). Both are levels of their own, learned like the others, and
    a number with its extension meets the switchboard written alone."""
    a = rec("flowtrac:1", full_name="Ann Lee", phone_office="+1 212 555 0100 x12")
    assert level(a, rec("cirrus:2", full_name="Ann Lee", phone_office="(212) 555-0100"), "phone") == "extension"
    assert level(a, rec("cirrus:3", full_name="Ann Lee", phone_office="212-555-0100 ext. 12"), "phone") == "exact"
    assert level(a, rec("cirrus:4", full_name="Ann Lee", phone_office="212-555-0100 ext. 40"),
                 "phone") == "other_extension"
    assert "p:125550100" in blocking_keys(feats(phone_office="+1 212 555 0100 x12"))


def test_an_extension_glued_onto_the_digits_by_a_vendor_is_the_same_line() -> None:
    """ITFlow keeps a phone's digits only: "+36 96 638 071 ext 151" comes back as "3696638071151". The two are
    one line, not two numbers, and they meet."""
    a = rec("flowtrac:1", full_name="Ann Lee", phone_office="+36 96 638 071 ext 151")
    b = rec("itflow:2", full_name="Ann Lee", phone_office="3696638071151")
    assert level(a, b, "phone") == "extension"
    assert blocking_keys(feats(phone_office="+36 96 638 071 ext 151")) & blocking_keys(
        feats(phone_office="3696638071151"))
    assert level(a, rec("itflow:3", full_name="Ann Lee", phone_office="3696638071152"), "phone") != "extension"


def test_a_zip_plus_4_code_is_its_five_digit_code() -> None:
    assert feats(zip="02134-1234").zip == feats(zip="02134").zip == "02134"
    # other postal codes with a dash keep every character (Brazil's CEP, Poland's, Japan's)
    assert feats(zip="30354-401").zip == "30354401"
    assert feats(zip="00-950").zip == "00950"


def test_an_address_with_its_display_name_or_several_in_one_field() -> None:
    assert feats(email="Ann Lee <ANN.LEE@Example.com>").emails == ("ann.lee@example.com",)
    assert feats(email="mailto:ann.lee@example.com").emails == ("ann.lee@example.com",)
    assert feats(email='"Lee, Ann" <ann.lee@example.com>').emails == ("ann.lee@example.com",)
    assert feats(email="ann.lee@example.com; ann@home.example.org").emails == (
        "ann.lee@example.com", "ann@home.example.org")
    assert feats(email="not an address").emails == ()
    # the same mailbox written two ways is one personal email in common
    a = rec("flowtrac:1", full_name="Ann Lee", email="Ann Lee <ann.lee@example.com>")
    assert level(a, rec("cirrus:2", full_name="A. Lee", email="ann.lee@example.com"), "email") == "exact"


def test_a_house_number_after_the_street_and_a_comma_is_the_house_number() -> None:
    """"Avenida Paulista, 1000": the number written after the street and a comma (Portuguese, Spanish,
    Italian habit) is the house number, as it is without the comma; a line that is a street of its own
    ("5 Some Lane") is not taken for one."""
    assert normalize_street("Avenida Paulista, 1000") == normalize_street("Av. Paulista 1000")
    assert normalize_street("Main Street, 12, Apt 4") == normalize_street("12 Main St, Apt 4") == (
        "12 main st", "main st", "4")
    assert normalize_street("Calle Mayor, 3, 2º B")[0] == "3 calle mayor"
    assert normalize_street("Hackett Garden, 5 Some Lane")[0] == "hackett garden"


def test_the_abbreviated_street_type_of_german_and_dutch_streets() -> None:
    assert normalize_street("Hauptstr. 5") == normalize_street("Hauptstraße 5") == ("5 haupt st", "haupt st", "")
    assert normalize_street("Kerkstr. 74") == normalize_street("Kerkstraat 74") == normalize_street("Kerk straat 74")


def test_a_name_written_in_another_script_meets_its_latin_spelling() -> None:
    """One system holds "Елена Иванова", another "Elena Ivanova": they are compared (and blocked) by their
    Latin spelling; Latin letters fold as they always did."""
    cyrillic = feats(full_name="Елена Иванова", city="Москва")
    latin = feats(given_name="Elena", family_name="Ivanova", city="Moskva")
    assert (cyrillic.given, cyrillic.family, cyrillic.city) == (
        latin.given, latin.family, latin.city) == ("elena", "ivanova", "moskva")
    assert blocking_keys(cyrillic) & blocking_keys(latin)
    greek = feats(full_name="Γεώργιος Παπαδόπουλος")
    assert greek.given == "georgios"
    a = rec("flowtrac:1", full_name="Γεώργιος Παπαδόπουλος", phone_office="+30 21 0123 4567")
    assert level(a, rec("cirrus:2", full_name="Georgios Papadopoulos", phone_office="+30 21 0123 4567"),
                 "family") == "one_edit"  # the transliteration writes omicron-upsilon as "oy"
    assert feats(full_name="Jürgen Müller").family == "muller"
