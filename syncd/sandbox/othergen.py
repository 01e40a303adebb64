"""A second generator of people across systems, written to be unlike ``people.py`` on purpose.

A matcher tuned on one generator learns that generator. This one was written apart from the matcher and
from ``people.py``, from what is known of real contact data, so the project has a set it did not shape:

- **People live in households.** Several people share a street address, and often a landline; partners,
  adult children and flatmates, some with the same surname, some not (patronymics, kept names); now and then
  a father and son of the same name at one address. Colleagues share their company's switchboard number and
  its role mailboxes (``info@``, ``verkoop@``, ``kontakt@``…), and some copies know a person only by those.
- **Names from 23 cultures, most common first** (Zipf-like draws, so namesakes happen by themselves): Dutch
  particles ("van der Berg", sorted as "Berg, van der"), Spanish and Portuguese double surnames, Russian and
  Icelandic patronymics, Tamil initials, Indonesian single names, Hungarian, Japanese and Korean names written
  family-first, hyphenated and apostrophe names, honorifics typed into the name field.
- **Namesakes in the same town** are made on purpose as well: a different person with the same full name.
- **Life happens between systems**: households that moved (new street, city, zip and landline in some copies,
  the old ones in others), married-name changes (maiden name in some copies), job changes (old company, email
  and office line in some copies).
- **Emails**: about a third of the records have none; many personal addresses are at free-mail providers
  (two strangers at one provider share nothing), work addresses follow each company's own pattern.
- **Typing**: nicknames, short and anglicised forms, transliterations; initials; typos of several kinds
  (transpositions, OCR confusions, dropped, doubled and neighbouring keys, phonetic spellings); accents lost
  or spelled out (ü → ue); phone numbers in national and international formats, with and without the country
  code, with extensions; office and mobile swapped; titles and departments in the country's language or in
  English; street abbreviations, postcode spacing, city exonyms; copies with most fields missing.

Each system holds only the fields its vendor holds (``schema="vendor"``: addresses in Flowtrac and Cirrus,
given/family split in Cirrus only, extra addresses in Lightening), or every field (``schema="full"``).
``truth_id`` says which copies are one person. Every knob is an option of :func:`generate` with a
documented default (:class:`OtherGenOptions`); the same seed, size and options give the same records.
:func:`stream` yields them one at a time for sets too large to hold.

Measured at the defaults from the records and truth alone (``python bench/generators.py``, 100,000 people,
seed 1; people.py's figure in brackets): 1.88 records per person (2.41); people in 1/2/3/4 systems
45/30/17/8% (30/23/23/24%); records without any email 33% (12%); emails at a free-mail provider 41% (0%);
emails that are a role mailbox 8% (0%); people who share their street address with another person 40% of those
with an address (0.1%); people who share a phone number with another person 12% (0.1%); people with a namesake
in their town 29% (60%: people.py has few names and towns); people in two or more systems whose copies disagree
on the zip 4% (0%). Generation: about 6 s of CPU per 100,000 people, linear; :func:`stream` holds one household.
``tests/unit/test_othergen.py`` checks these and counts every kind of mess.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncd.sandbox.othergen_names import CULTURES, Culture
from syncd.sandbox.othergen_places import (
    COUNTRIES,
    DEPARTMENTS,
    FREEMAIL,
    ROLE_LOCALS,
    SECTORS,
    TITLES,
    City,
    Country,
)
from syncd.sandbox.othergen_text import Pick, one, zipf
from syncd.sandbox.othergen_text import local as _fold
from syncd.sandbox.people import SeededContact

__all__ = ["DEFAULT_SYSTEMS", "OtherGenOptions", "SeededContact", "generate", "stream"]

DEFAULT_SYSTEMS: tuple[str, ...] = ("flowtrac", "lightening", "itflow", "cirrus")


@dataclass(frozen=True, slots=True)
class OtherGenOptions:
    """Every knob of the generator. Rates are probabilities in [0, 1]; ``mess`` scales all corruption."""

    #: share of people in exactly 1, 2, 3, 4… systems (people.py: 30% in one, the rest spread evenly)
    system_counts: tuple[float, ...] = (0.45, 0.30, 0.17, 0.08)
    #: relative chance of each system to hold a person, by name (a name not listed weighs 1.0)
    system_weights: tuple[tuple[str, float], ...] = (("flowtrac", 0.9), ("lightening", 1.0), ("itflow", 0.7),
                                                     ("cirrus", 1.4))
    #: which fields each system holds: "vendor" (as the four vendors do) or "full" (every field everywhere)
    schema: str = "vendor"
    #: share of households of 1, 2, 3, 4, 5 people
    household_sizes: tuple[float, ...] = (0.50, 0.25, 0.13, 0.08, 0.04)
    #: a household of two or more has a landline; a single person has one less often (half this)
    landline: float = 0.65
    #: a member of a household with a landline gives it as their office/landline number
    landline_used: float = 0.55
    #: a household of two or more shares one personal mailbox (e.g. fam.jansen@ziggo.nl)
    family_email: float = 0.05
    #: a household moved: some copies hold the old street, city, zip and landline
    moved: float = 0.10
    #: a copy of a person who moved shows the old address
    stale_copy: float = 0.5
    #: a person changed job: some copies hold the old company, work email and office line
    job_change: float = 0.04
    #: a woman who married took (or hyphenated) her partner's surname recently: some copies hold the maiden name
    name_change: float = 0.25
    #: a household member (after the first) is a partner rather than a child or flatmate
    partner: float = 0.7
    #: a son living with his father carries his father's given name (two people, one name, one address)
    junior: float = 0.08
    #: a new household's first person is a namesake of a recent person in the same town
    namesake: float = 0.03
    #: a person has no email at all
    no_email: float = 0.16
    #: a person (with a company) has a work email
    work_email: float = 0.62
    #: a person has a personal address (always, if they have no work email and some email)
    personal_email: float = 0.42
    #: a person's personal address is at a free-mail provider (else at their own domain / ISP)
    freemail: float = 0.85
    #: a copy leaves out an email the person has
    email_missing: float = 0.2
    #: a copy (of a person with a company) knows only the company's role mailbox as their email
    role_mailbox: float = 0.06
    #: a person has no company (a private customer)
    private: float = 0.1
    #: people per company (the pool of companies grows with the set)
    people_per_company: int = 25
    #: a person's office number is their company's switchboard, shared with colleagues
    switchboard: float = 0.15
    #: a person has a mobile number
    mobile: float = 0.72
    #: per copy: a nickname, short form, anglicised form or transliteration, where the name has one
    nickname: float = 0.18
    #: per copy: the given name written as initials
    initials: float = 0.05
    #: per copy: a typo in a name
    typo: float = 0.07
    #: per copy: a typo in the email, street or city
    field_typo: float = 0.03
    #: per copy: accents dropped or spelled out
    ascii: float = 0.25
    #: per copy: office and mobile swapped
    swap_phones: float = 0.08
    #: per copy: most fields missing (name and one way to reach the person)
    sparse: float = 0.07
    #: per copy: the title or department written in the country's language (else English)
    local_language: float = 0.5
    #: per copy: an honorific or suffix typed into the name field
    honorific: float = 0.04
    #: per copy of a family-first culture: written in native order in a full-name field
    native_order: float = 0.5
    #: per copy: deactivated
    inactive: float = 0.02
    #: multiplies every per-copy corruption rate above (0 = clean copies)
    mess: float = 1.0

    @classmethod
    def from_kwargs(cls, options: dict[str, Any]) -> OtherGenOptions:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown othergen option(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        opts = cls(**options)
        if opts.schema not in ("vendor", "full"):
            raise ValueError(f"othergen option schema must be 'vendor' or 'full', not {opts.schema!r}")
        return opts


_LANG = {"NL": "nl", "DE": "de", "FR": "fr", "MA": "fr", "IT": "it", "ES": "es", "MX": "es", "PT": "pt",
         "BR": "pt", "HU": "hu", "RU": "ru", "TR": "tr"}

# --- the world: companies, households, people ----------------------------------------------------------

Phone = tuple[str, str, str]  # (calling code, area code or mobile prefix, subscriber number)


@dataclass(slots=True)
class _Company:
    name: str
    domain: str
    country: str
    lang: str
    switchboard: Phone
    roles: tuple[str, ...]
    #: how this company writes work addresses: first.last, flast, f.last, first, last.first, first_last
    pattern: str
    #: work addresses given out (as :func:`_key`), so two colleagues never share one by accident
    taken: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Address:
    country: str
    street: str
    number: str
    unit: str | None
    city: City
    zip: str


@dataclass(slots=True)
class _Person:
    truth_id: str
    culture: Culture
    female: bool
    given: str
    middle: str | None
    family: str
    maiden: str | None
    company: _Company | None
    work_email: str | None
    personal_email: str | None
    office: Phone | None
    mobile: Phone | None
    home: _Address
    old_home: _Address | None
    home_phone: Phone | None
    old_home_phone: Phone | None
    title: int
    department: int
    old_job: tuple[_Company, str | None, Phone | None] | None


_CULTURE_PICK = Pick(CULTURES, [c.weight for c in CULTURES])
_BY_COUNTRY: dict[str, list[Culture]] = {}
for _culture in CULTURES:
    _BY_COUNTRY.setdefault(_culture.country, []).append(_culture)
_GIVEN_M = {c.key: zipf(c.male) for c in CULTURES}
_GIVEN_F = {c.key: zipf(c.female) for c in CULTURES}
_FAMILY = {c.key: zipf(c.family) for c in CULTURES if c.family}
_FREEMAIL_GLOBAL = tuple(d for d, where in FREEMAIL if not where)
_FREEMAIL_LOCAL: dict[str, tuple[str, ...]] = {}
for _domain, _where in FREEMAIL:
    for _code in _where:
        _FREEMAIL_LOCAL[_code] = (*_FREEMAIL_LOCAL.get(_code, ()), _domain)


def _key(text: str) -> int:
    """A stable 64-bit key of a string: the uniqueness sets hold these, not the strings (a million people's
    addresses would otherwise be most of the generator's memory). Python's own hash is salted per process."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _digits(rng: random.Random, n: int) -> str:
    return str(int(rng.random() * 10**n)).zfill(n) if n else ""


def _landline(rng: random.Random, country: Country, city: City) -> Phone:
    return country.calling, city.area, one(rng, city.lead) + _digits(rng, city.subscriber - 1)


def _mobile(rng: random.Random, country: Country) -> Phone:
    if not country.mobiles:  # North America: mobiles are numbered like landlines
        return _landline(rng, country, one(rng, country.cities))
    prefix, length = one(rng, country.mobiles)
    return country.calling, prefix, _digits(rng, length)


def _zip(rng: random.Random, country: Country, city: City) -> str:
    out = [city.zip_prefix]
    for ch in country.zip_shape:
        out.append(str(int(rng.random() * 10)) if ch == "9" else chr(65 + int(rng.random() * 26)) if ch == "A"
                   else ch)
    return "".join(out)


def _address(rng: random.Random, country: Country, city: City | None = None) -> _Address:
    city = city or one(rng, country.cities)
    number = str(1 + int(rng.random() ** 2 * 180))
    if rng.random() < 0.08:
        number += one(rng, "abcAB")
    unit = str(1 + int(rng.random() * 40)) if rng.random() < 0.25 else None
    return _Address(country.code, one(rng, country.streets), number, unit, city, _zip(rng, country, city))


def _companies(seed: int, n_people: int, opts: OtherGenOptions) -> dict[str, list[_Company]]:
    rng = random.Random(f"othergen-companies:{seed}")
    count = max(40, n_people // max(1, opts.people_per_company))
    out: dict[str, list[_Company]] = {}
    domains: set[str] = set()
    for i in range(count):
        culture: Culture = _CULTURE_PICK(rng)
        country = COUNTRIES[culture.country]
        lang = _LANG.get(country.code, "en")
        sectors, forms = SECTORS.get(lang, SECTORS["en"])
        owner = _FAMILY[culture.key](rng) if culture.key in _FAMILY else _GIVEN_M[culture.key](rng)
        sector, form = one(rng, sectors), one(rng, forms)
        roll = rng.random()
        if roll < 0.45:
            name, stem = f"{owner} {sector}", _fold(owner)
        elif roll < 0.75:
            name, stem = f"{sector} {owner}", _fold(owner)
        elif roll < 0.9:
            letters = "".join(chr(65 + int(rng.random() * 26)) for _ in range(2 + int(rng.random() * 2)))
            name, stem = f"{letters} {sector}", letters.lower() + _fold(sector)[:4]
        else:
            name, stem = f"{owner} & {_FAMILY.get(culture.key, _GIVEN_M[culture.key])(rng)}", _fold(owner)
        if form:
            name = f"{name} {form}"
        domain = f"{stem}{'-' + _fold(sector)[:6] if rng.random() < 0.4 else ''}{country.tld}"
        if domain in domains:
            domain = f"{stem}{i}{country.tld}"
        domains.add(domain)
        roles = ROLE_LOCALS.get(lang, ROLE_LOCALS["en"])
        chosen = tuple(dict.fromkeys([roles[0], one(rng, roles), one(rng, roles)]))
        company = _Company(name, domain, country.code, lang, _landline(rng, country, one(rng, country.cities)),
                           chosen, one(rng, ("first.last", "first.last", "flast", "f.last", "first", "last.first",
                                              "first_last", "firstl")))
        out.setdefault(country.code, []).append(company)
    return out


def _patronymic_ru(father: str, female: bool) -> str:
    stem = father[:-1] if father[-1] in "iy" else father
    if father[-1] in "iy":
        return stem + ("yevna" if female else "yevich")
    return stem + ("ovna" if female else "ovich")


def _female_ru(family: str) -> str:
    return family + "a" if family.endswith(("ov", "ev", "in")) else family


def _family_for(rng: random.Random, culture: Culture, female: bool, father_given: str | None = None) -> str:
    s = culture.structure
    if s == "mononym":
        return ""
    if s == "patronymic_is":
        father = father_given or _GIVEN_M[culture.key](rng)
        stem = father[:-2] if father.endswith("ur") else father
        return stem + ("sdóttir" if female else "sson")
    if s == "initial":
        return father_given or _FAMILY[culture.key](rng)
    base: str = _FAMILY[culture.key](rng)
    if s == "double":
        return f"{base} {_FAMILY[culture.key](rng)}"
    if s == "compound_pt":
        second: str = _FAMILY[culture.key](rng)
        particle = one(rng, ("da ", "dos ", "de ", "")) if rng.random() < 0.3 else ""
        return f"{base} {particle}{second}" if second != base else base
    if s == "patronymic_ru" and female:
        return _female_ru(base)
    return base


def _email_local(rng: random.Random, given: str, family: str, pattern: str) -> str:
    g = _fold(given.split()[0]) or "x"
    fam_parts = [p for p in family.replace("-", " ").split() if p]
    f = _fold("".join(fam_parts)) or g
    if pattern == "first.last":
        return f"{g}.{f}"
    if pattern == "flast":
        return f"{g[0]}{f}"
    if pattern == "f.last":
        return f"{g[0]}.{f}"
    if pattern == "first":
        return g
    if pattern == "last.first":
        return f"{f}.{g}"
    if pattern == "first_last":
        return f"{g}_{f}"
    return f"{g}{f[0]}"


def _personal_local(rng: random.Random, given: str, family: str) -> str:
    g = _fold(given.split()[0]) or "me"
    f = _fold(family.replace(" ", "")) or g
    roll = rng.random()
    if roll < 0.3:
        return f"{g}.{f}{int(rng.random() * 100) if rng.random() < 0.5 else ''}"
    if roll < 0.5:
        return f"{g}{f}{1950 + int(rng.random() * 55)}"
    if roll < 0.65:
        return f"{g[0]}{f}{int(rng.random() * 1000)}"
    if roll < 0.8:
        return f"{g}_{f[:3]}{int(rng.random() * 100)}"
    if roll < 0.9:
        return f"{one(rng, ('sunny', 'blue', 'big', 'little', 'the', 'mr', 'lady', 'king', 'crazy'))}{g}"
    return f"{f}.{g}"


# --- the generator ----------------------------------------------------------------------------------------


class _World:
    """Generator state that outlives one household: companies, the recent people per town (for namesakes)."""

    def __init__(self, seed: int, n_people: int, systems: Sequence[str], opts: OtherGenOptions,
                 tally: Counter[str] | None) -> None:
        self.rng = random.Random(f"othergen:{seed}")
        self.opts = opts
        self.systems = list(systems)
        self.companies = _companies(seed, n_people, opts)
        self.all_companies = [c for group in self.companies.values() for c in group]
        weights = dict(opts.system_weights)
        self.system_weight = [weights.get(s, 1.0) for s in self.systems]
        counts = opts.system_counts[:len(self.systems)] or (1.0,)
        self.count_pick = Pick(range(1, len(counts) + 1), counts)
        self.size_pick = Pick(range(1, len(opts.household_sizes) + 1), opts.household_sizes)
        self.recent: dict[str, list[tuple[Culture, bool, str, str | None, str]]] = {}
        self.tally = tally
        self.personal_taken: set[int] = set()  # personal addresses given out, as _key()

    def count(self, what: str, n: int = 1) -> None:
        if self.tally is not None:
            self.tally[what] += n

    def choose_systems(self) -> list[str]:
        rng = self.rng
        k = min(self.count_pick(rng), len(self.systems))
        if k == len(self.systems):
            return list(self.systems)
        pool, weights, chosen = list(self.systems), list(self.system_weight), []
        for _ in range(k):
            mark, i = rng.random() * sum(weights), 0
            while i < len(weights) - 1 and mark >= weights[i]:
                mark -= weights[i]
                i += 1
            chosen.append(pool.pop(i))
            weights.pop(i)
        return chosen

    # -- households and people

    def household(self, first_index: int) -> list[_Person]:
        rng, opts = self.rng, self.opts
        culture: Culture = _CULTURE_PICK(rng)
        country = COUNTRIES[culture.country]
        size = self.size_pick(rng)
        home = _address(rng, country)
        has_line = rng.random() < (opts.landline if size > 1 else opts.landline / 2)
        line = _landline(rng, country, home.city) if has_line else None
        old_home = old_line = None
        if rng.random() < opts.moved:
            same_city = rng.random() < 0.5
            old_home = _address(rng, country, home.city if same_city else None)
            old_line = _landline(rng, country, old_home.city) if has_line else None
            self.count("moved_household")
        family_mail = None
        if size > 1 and rng.random() < opts.family_email:
            family_mail = str(one(rng, ("fam.", "familie", "the", "family.", "casa", "")))
        members: list[_Person] = []
        head_female = rng.random() < 0.45
        namesake = self._namesake(home.city.name) if rng.random() < opts.namesake else None
        if namesake:
            culture, head_female, given, middle, family = namesake
            self.count("namesake")
        else:
            given = (_GIVEN_F if head_female else _GIVEN_M)[culture.key](rng)
            family = _family_for(rng, culture, head_female)
            middle = self._middle(culture, head_female)
        head = self._person(first_index, culture, head_female, given, middle, family, None, home, old_home, line,
                            old_line)
        members.append(head)
        for k in range(1, size):
            idx = first_index + k
            roll = rng.random()
            if k == 1 and roll < opts.partner:
                members.append(self._partner(idx, head, home, old_home, line, old_line))
            elif roll < 0.85:
                members.append(self._child(idx, head, members, home, old_home, line, old_line))
            else:
                mate: Culture = _CULTURE_PICK(rng) if rng.random() < 0.4 else culture
                female = rng.random() < 0.5
                members.append(self._person(idx, mate, female, (_GIVEN_F if female else _GIVEN_M)[mate.key](rng),
                                            self._middle(mate, female), _family_for(rng, mate, female), None, home,
                                            old_home, line, old_line))
                self.count("flatmate")
        if family_mail:
            provider = self._freemail(country.code)
            mailbox = f"{family_mail}{_fold(head.family or head.given)}{int(rng.random() * 100)}@{provider}"
            for person in members:
                if rng.random() < 0.7:
                    person.personal_email = mailbox
            self.count("family_mailbox")
        bucket = self.recent.setdefault(home.city.name, [])
        bucket.append((head.culture, head.female, head.given, head.middle, head.family))
        if len(bucket) > 64:
            del bucket[: len(bucket) - 64]
        return members

    def _namesake(self, city: str) -> tuple[Culture, bool, str, str | None, str] | None:
        bucket = self.recent.get(city)
        return one(self.rng, bucket) if bucket else None

    def _middle(self, culture: Culture, female: bool) -> str | None:
        rng = self.rng
        if culture.structure == "patronymic_ru":
            return _patronymic_ru(_GIVEN_M[culture.key](rng), female)
        if culture.key == "ph" and rng.random() < 0.7:  # the mother's maiden name
            return str(_FAMILY["ph"](rng))
        if culture.key in ("us", "gb", "de", "nl") and rng.random() < 0.12:
            return str((_GIVEN_F if female else _GIVEN_M)[culture.key](rng))
        return None

    def _partner(self, idx: int, head: _Person, home: _Address, old_home: _Address | None, line: Phone | None,
                 old_line: Phone | None) -> _Person:
        rng = self.rng
        culture = head.culture if rng.random() < 0.8 else _CULTURE_PICK(rng)
        female = not head.female if rng.random() < 0.93 else head.female
        given = (_GIVEN_F if female else _GIVEN_M)[culture.key](rng)
        own = _family_for(rng, culture, female)
        family, maiden = own, None
        married = rng.random() < 0.6 and female and not head.female
        if married and culture.marriage == "takes" and head.family:
            family, maiden = (_female_ru(head.family) if culture.structure == "patronymic_ru" else head.family), own
        elif married and culture.marriage == "double" and head.family:
            family, maiden = f"{head.family}-{own}" if rng.random() < 0.7 else f"{own}-{head.family}", own
        if maiden is not None and rng.random() >= self.opts.name_change:
            maiden = None  # married long ago: every system knows the married name
        if maiden is not None:
            self.count("married_name")
        self.count("partner")
        return self._person(idx, culture, female, given, self._middle(culture, female), family, maiden, home,
                            old_home, line, old_line)

    def _child(self, idx: int, head: _Person, members: list[_Person], home: _Address, old_home: _Address | None,
               line: Phone | None, old_line: Phone | None) -> _Person:
        rng, culture = self.rng, head.culture
        female = rng.random() < 0.5
        father = next((m for m in members if not m.female), None)
        if father is not None and not female and rng.random() < self.opts.junior:
            given = father.given
            self.count("junior")
        else:
            given = (_GIVEN_F if female else _GIVEN_M)[culture.key](rng)
        if culture.structure in ("patronymic_is", "initial"):
            family = _family_for(rng, culture, female, father.given if father else None)
        elif culture.structure == "mononym":
            family = ""
        elif culture.structure in ("double", "compound_pt") and head.family:
            first = head.family.split("-")[0].split()[0]
            family = f"{first} {_family_for(rng, culture, female).split()[-1]}"
        elif culture.structure == "patronymic_ru":
            base = (father.family if father else head.family).removesuffix("a")
            family = _female_ru(base) if female else base
        else:
            family = (father.family if father else head.family).split("-")[0] if head.family else ""
        middle = (_patronymic_ru(father.given, female) if father else self._middle(culture, female)) \
            if culture.structure == "patronymic_ru" else self._middle(culture, female)
        self.count("child")
        return self._person(idx, culture, female, given, middle, family, None, home, old_home, line, old_line)

    def _freemail(self, country: str) -> str:
        rng = self.rng
        local = _FREEMAIL_LOCAL.get(country)
        if local and rng.random() < 0.55:
            return str(one(rng, local))
        return str(one(rng, _FREEMAIL_GLOBAL))

    def _company_for(self, country: str) -> _Company:
        rng = self.rng
        group = self.companies.get(country)
        if group and rng.random() < 0.85:
            return one(rng, group)  # type: ignore[no-any-return]
        return one(rng, self.all_companies)  # type: ignore[no-any-return]

    def _work(self, company: _Company, given: str, family: str) -> tuple[str, Phone]:
        rng = self.rng
        local = _email_local(rng, given, family or given, company.pattern)
        if _key(local) in company.taken:
            local = f"{local}{len(company.taken)}"
        company.taken.add(_key(local))
        country = COUNTRIES[company.country]
        city = next((c for c in country.cities if c.area == company.switchboard[1]), country.cities[0])
        if rng.random() < self.opts.switchboard:
            self.count("switchboard")
            office = company.switchboard
        else:
            office = _landline(rng, country, city)
        return f"{local}@{company.domain}", office

    def _person(self, index: int, culture: Culture, female: bool, given: str, middle: str | None, family: str,
                maiden: str | None, home: _Address, old_home: _Address | None, line: Phone | None,
                old_line: Phone | None) -> _Person:
        rng, opts = self.rng, self.opts
        country = COUNTRIES[culture.country]
        company = None if rng.random() < opts.private else self._company_for(home.country)
        work_email = office = None
        if company is not None:
            email, office = self._work(company, given, maiden or family)
            work_email = email if rng.random() < opts.work_email else None
            if rng.random() < 0.25:
                office = None
        home_phone, old_home_phone = (line, old_line) if line and rng.random() < opts.landline_used else (None, None)
        personal = None
        if rng.random() < opts.no_email:
            work_email = None
            self.count("no_email_person")
        elif work_email is None or rng.random() < opts.personal_email:
            if rng.random() < opts.freemail:
                domain = self._freemail(country.code)
            else:
                domain = company.domain if company and rng.random() < 0.3 else f"{_fold(family or given)}.net"
            local = _personal_local(rng, given, family)
            address = f"{local}@{domain}"
            while _key(address) in self.personal_taken:
                address = f"{local}{int(rng.random() * 10000)}@{domain}"
            self.personal_taken.add(_key(address))
            personal = address
        old_job = None
        if company is not None and rng.random() < opts.job_change:
            old = self._company_for(home.country)
            if old is not company:
                old_email, old_office = self._work(old, given, maiden or family)
                old_job = (old, old_email if work_email else None, old_office if office else None)
                self.count("job_change")
        return _Person(
            truth_id=f"o{index:07d}", culture=culture, female=female, given=given, middle=middle, family=family,
            maiden=maiden, company=company, work_email=work_email, personal_email=personal, office=office,
            mobile=_mobile(rng, country) if rng.random() < opts.mobile else None, home=home, old_home=old_home,
            home_phone=home_phone, old_home_phone=old_home_phone, title=int(rng.random() * len(TITLES)),
            department=int(rng.random() * len(DEPARTMENTS)), old_job=old_job)


def stream(
    seed: int, n_people: int, systems: Sequence[str] = DEFAULT_SYSTEMS, *, tally: Counter[str] | None = None,
    **options: Any,
) -> Iterator[SeededContact]:
    """Yield the copies of ``n_people`` people, household by household (see :func:`generate`).

    ``tally``, when given, counts each kind of mess as it is applied (by name), for tests and reports.
    """
    from syncd.sandbox.othergen_copy import render

    opts = OtherGenOptions.from_kwargs(options)
    if not systems:
        raise ValueError("othergen needs at least one system")
    world = _World(seed, n_people, systems, opts, tally)
    index = 0
    while index < n_people:
        members = world.household(index)[: n_people - index]
        if len(members) > 1:
            world.count("household_shared", len(members))
        for person in members:
            chosen = world.choose_systems()
            world.count(f"systems_{len(chosen)}")
            for system in chosen:
                yield SeededContact(person.truth_id, system, render(world, person, system))
        index += len(members)


def generate(
    seed: int, n_people: int, systems: Sequence[str] = DEFAULT_SYSTEMS, **options: Any,
) -> list[SeededContact]:
    """``n_people`` people in households, each copied into one or more of ``systems``.

    Keyword options are the fields of :class:`OtherGenOptions` (unknown names are refused), plus
    ``tally`` (a :class:`collections.Counter` that receives the count of each kind of mess applied).
    """
    # nothing made here forms a reference cycle: the cyclic collector would only rescan the growing list
    # (a fifth of the time at a million people)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return list(stream(seed, n_people, systems, **options))
    finally:
        if collecting:
            gc.enable()
