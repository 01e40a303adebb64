"""What the matcher compares: each record reduced to normalised identity fields, then to columns.

A record becomes a :class:`Features` once (cached by contact, so a daemon's incremental cycles redo
only the records that changed); a batch of them becomes a :class:`FeatureTable` of integer codes per
field, which the comparisons and the blocking work on with numpy instead of Python loops.
Normalisation is about how people write things (case, accents, street suffixes, unit numbers,
nicknames), never about any one data set: what counts as evidence is learned later, from the data.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from anyascii import anyascii

from syncd.matching.nicknames import canonical_given
from syncd.model import Contact, default_region, fold_name, normalize_email, normalize_phone

__all__ = ["EXTENSION_MARK", "FIELDS", "STREET_SUFFIXES", "FeatureTable", "Features", "Vocabulary", "features_of",
           "glued_digits", "normalize_street"]

_COMPANY_NOISE = frozenset({"inc", "ltd", "llc", "gmbh", "ab", "as", "sa", "srl", "sarl", "bv", "nv", "oy", "ag",
                            "plc", "co", "corp", "corporation", "company", "limited", "the", "group", "spa", "sl",
                            "kg", "aps", "sp", "zoo", "pty"})

#: street-type words and their usual abbreviation (postal conventions: USPS, Australia Post, Royal Mail...)
STREET_SUFFIXES = {"street": "st", "str": "st", "strasse": "st", "straat": "st", "road": "rd", "avenue": "ave",
                   "av": "ave", "avenida": "ave", "boulevard": "blvd", "drive": "dr", "lane": "ln", "court": "ct",
                   "place": "pl", "crescent": "cres", "circuit": "cct", "terrace": "tce", "parade": "pde",
                   "highway": "hwy", "square": "sq", "close": "cl", "way": "way", "circle": "cir", "grove": "gr",
                   "gardens": "gdns", "parkway": "pkwy", "esplanade": "esp", "mount": "mt", "north": "n", "south": "s",
                   "east": "e", "west": "w", "saint": "st", "gatan": "gatan", "weg": "weg", "platz": "pl", "gasse": "g"}
#: street types long enough to be told apart when typed onto the name by mistake ("callistercrescent",
#: "oakstreet"), German "-strasse" and Dutch "-straat" and their common abbreviation "-str" ("Hauptstr. 5" is
#: "Hauptstrasse 5", "Kerkstr." "Kerkstraat"); not those a language writes onto the name as a rule ("storgatan",
#: "marktplatz", "kirchgasse": split, a typo'd copy, "storgtaan", would no longer look like them), nor
#: directions and "mount"/"saint", which begin names rather than end them
_GLUED = re.compile("^([a-z]{3,}?)(" + "|".join(sorted(
    (k for k in STREET_SUFFIXES
     if (len(k) >= 5 and k not in {"north", "south", "mount", "saint", "gatan", "platz", "gasse"}) or k == "str"),
    key=len, reverse=True)) + ")$")
_UNIT_WORDS = frozenset({"apt", "apartment", "unit", "flat", "suite", "ste", "no", "nr", "room", "rm", "level", "lvl",
                         "floor", "fl", "bldg", "building", "po", "box", "piso", "puerta", "etage", "door"})
_HOUSE = re.compile(r"^\d+[a-z]?$")


@dataclass(frozen=True, slots=True)
class Features:
    """One record's identity fields, normalised for comparison ('' or () when absent)."""

    system: str
    given: str
    given_canon: str
    family: str
    #: another part of a family name of several ("Martínez" of "Martínez Hernández"), or a middle name
    family_part: str
    emails: tuple[str, ...]
    shared_emails: tuple[str, ...]
    phones: tuple[str, ...]
    street: str
    street_name: str
    unit: str
    zip: str
    city: str
    company: str
    #: the job title, folded ("Chief Financial Officer" -> "chief financial officer")
    title: str = ""


#: words around a name that are not the name (folded): honorifics before it, suffixes after it
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "dra", "prof", "sir", "dame", "herr", "frau", "mme", "mlle",
                     "sra", "srta", "dona", "dott", "ing", "rev", "fr", "mgr", "mag", "sig", "sig.ra", "drs", "ir"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "ret", "mba", "dds", "cpa", "msc", "bsc"})
#: family-name particles: "de Jong", "van der Berg", "al Farsi" are one family name
_PARTICLES = frozenset({"de", "da", "di", "del", "della", "der", "den", "van", "von", "du", "dos", "das", "la", "le",
                        "bin", "ibn", "al", "el", "ter", "ten", "zu", "af", "av"})
_PARENS = re.compile(r"\([^)]*\)")
#: the last code point of the Latin script's blocks (Basic Latin to Latin Extended-B)
_LATIN_END = 0x24F


def _fold(text: str) -> str:
    """fold_name, with names and places written in another script transliterated to Latin letters first: one
    system may hold "Елена Иванова" and another "Elena Ivanova" (Cyrillic and Greek read well; a script whose
    Latin spelling is a convention of its own, such as Japanese kanji, is only made comparable to itself)."""
    return fold_name(text if text.isascii() else _latin(text))


@lru_cache(maxsize=100_000)
def _latin(text: str) -> str:
    return anyascii(text) if any(ord(ch) > _LATIN_END and ch.isalpha() for ch in text) else text


def _clean_tokens(text: str | None) -> list[str]:
    if not text:
        return []
    tokens = _fold(_PARENS.sub(" ", text)).split()
    while tokens and tokens[0] in _TITLES:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
        tokens.pop()
    return tokens


def _join_particles(tokens: list[str]) -> tuple[list[str], str]:
    """["van", "der", "berg"] -> ["vanderberg"]: a particle belongs to the word after it. Also the word the
    last token was made of when particles were joined to it ("berg"; '' when none were)."""
    out: list[str] = []
    carry = ""
    for tok in tokens:
        if tok in _PARTICLES:
            carry += tok
            continue
        out.append(carry + tok)
        carry = ""
    if carry:
        out.append(carry)
    core = tokens[-1] if len(tokens) > 1 and tokens[-2] in _PARTICLES and tokens[-1] not in _PARTICLES else ""
    return out, core


def _name_parts(contact: Contact) -> tuple[str, str, str]:
    """(first given name, family name, another part of the family name or '')."""
    given_tokens = _clean_tokens(contact.given_name)
    family_tokens, core = _join_particles(_clean_tokens(contact.family_name))
    if not given_tokens and not family_tokens:
        full = contact.full_name or ""
        head, comma, tail = _PARENS.sub(" ", full).partition(",")
        tail_tokens = _clean_tokens(tail) if comma else []
        if comma and tail_tokens and not all(t in _SUFFIXES for t in tail_tokens):
            # "Family, Given": the convention of lists sorted by family name
            (family_tokens, core), given_tokens = _join_particles(_clean_tokens(head)), tail_tokens
        else:
            tokens = _clean_tokens(head if comma else full)
            if len(tokens) < 2:
                return "", (tokens[0] if tokens else ""), ""
            # particles only inside the name: "Cornelis de Jong", never a first name "Del"
            rest, core = _join_particles(tokens[1:])
            given_tokens, family_tokens = [tokens[0]], rest
    if not family_tokens and len(given_tokens) > 1:
        family_tokens, core = _join_particles(given_tokens[1:])
        given_tokens = given_tokens[:1]
    if not given_tokens and len(family_tokens) > 1:
        given_tokens, family_tokens = family_tokens[:1], family_tokens[1:]
    given = given_tokens[0] if given_tokens else ""
    family = family_tokens[-1] if family_tokens else ""
    other = family_tokens[-2] if len(family_tokens) > 1 else ""
    # "de Jong" is often written "Jong" (a list sorted without particles): the name without them is a part
    return given, family, other or core


def normalize_street(text: str | None) -> tuple[str, str, str]:
    """(street with number, street name, unit): "Apt 4, 12 Main Street" -> ("12 main st", "main st", "4")."""
    if not text:
        return "", "", ""
    return _street(text)


@lru_cache(maxsize=400_000)
def _street(text: str) -> tuple[str, str, str]:
    parts = [p for p in text.replace("\n", ",").split(",") if p.strip()] or [text]
    # the line with the street is the one with a word that is not a unit ("Apt 4, 12 Main Street")
    streetlike = [p for p in parts if any(not _HOUSE.match(t) and t not in _UNIT_WORDS for t in _fold(p).split())]
    main = streetlike[0] if streetlike else parts[0]
    at = parts.index(main)
    before = parts[:at]
    extra = ",".join(p for p in parts if p is not main)
    tokens = _fold(main).split()
    unit_parts: list[str] = []
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in _UNIT_WORDS and i + 1 < len(tokens):
            unit_parts.append(tokens[i + 1])
            i += 2
            continue
        glued = _GLUED.match(tok) if tok not in STREET_SUFFIXES else None
        if glued:
            # "Hauptstrasse", "callistercrescent": a street's type written onto its name
            kept.extend((glued.group(1), STREET_SUFFIXES[glued.group(2)]))
        else:
            kept.append(STREET_SUFFIXES.get(tok, tok))
        i += 1
    number = ""
    names: list[str] = []
    for tok in kept:
        if not number and _HOUSE.match(tok):
            number = tok
        elif _HOUSE.match(tok) and not names:
            unit_parts.append(number)  # "4 12 main st": a unit written before the house number
            number = tok
        else:
            names.append(tok)
    following = _fold(parts[at + 1]).split() if not number and at + 1 < len(parts) else []
    if not number and before and _HOUSE.match(_fold(before[-1]).strip()):
        # "15, High Street": the house number written on a part of its own, before the street
        number = _fold(before[-1]).strip()
        extra = ",".join(p for p in parts if p is not main and p is not before[-1])
    elif (following and _HOUSE.match(following[0])
          and all(t in _UNIT_WORDS or _HOUSE.match(t) or len(t) <= 2 for t in following[1:])):
        # "Avenida Paulista, 1000", "Main Street, 12, Apt 4": the number after the street and a comma
        number = following[0]
        extra = ",".join([*before, *parts[at + 2:], " ".join(following[1:])])
    extra_tokens = [t for t in _fold(extra).split() if t not in _UNIT_WORDS]
    unit = " ".join(unit_parts + extra_tokens)
    name = " ".join(names)
    street = f"{number} {name}".strip()
    return street, name, unit


@lru_cache(maxsize=100_000)
def _company(text: str) -> str:
    return " ".join(t for t in _fold(text).split() if t not in _COMPANY_NOISE)


@lru_cache(maxsize=20_000)
def _title(text: str) -> str:
    return _fold(text.replace("&", " and "))


#: a United States ZIP+4 code: the first five digits are the code a copy without the "+4" holds
_ZIP_PLUS_4 = re.compile(r"^\s*(\d{5})\s*-\s*\d{4}\s*$")


@lru_cache(maxsize=200_000)
def _zip(text: str) -> str:
    plus4 = _ZIP_PLUS_4.match(text)
    if plus4:
        return plus4.group(1)
    return "".join(ch for ch in _fold(text) if ch.isalnum())


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


#: an address inside other text: "Ann Lee <ann@x.com>", "mailto:ann@x.com", "ann@x.com; a.lee@y.org"
_ADDRESS = re.compile(r"[^\s<>;,:\"'()\[\]]+@[^\s<>;,:\"'()\[\]]+\.[^\s<>;,:\"'()\[\]]+")
_PLAIN_ADDRESS = re.compile(r"^[^\s<>;,:\"'()\[\]@]+@[^\s<>;,:\"'()\[\]@]+$")


def _emails(raw: str) -> tuple[str, ...]:
    """The addresses written in one email field, trimmed and lower-cased: nearly always one plain address,
    sometimes one with its display name, a ``mailto:`` or several addresses in one field."""
    text = normalize_email(raw) if not raw.isascii() or _CONTROL.search(raw) else raw.strip().lower()
    if not text:
        return ()
    if _PLAIN_ADDRESS.match(text):
        return (text,)
    return tuple(dict.fromkeys(a.rstrip(".") for a in _ADDRESS.findall(text)))


_PHONE_NOISE = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


#: an extension written after the number ("x12", "ext. 275", "#66", "Durchwahl 12"); a bare "-152" is not read as
#: one (it may be the number's own last group)
_EXTENSION = re.compile(r"\s*(?:(?:,|;)?\s*(?:ext|extn|extension|durchwahl|dw|poste|interno|int|tst|toestel)\b\.?:?"
                        r"|\s+x\.?|x(?=\d{1,6}$)|#|;ext=)\s*(?P<ext>\d{1,6})\s*$", re.IGNORECASE)
#: what separates a number from its extension in the matcher's phone values ("556162239x275")
EXTENSION_MARK = "x"


def _phone_digits(raw: str) -> str:
    """The number's last nine digits, and its extension after an ``x`` where one is written: a copy may hold the
    switchboard alone (one person, written shorter), a colleague the same switchboard with another extension."""
    return _phone_digits_in(raw, default_region())


@lru_cache(maxsize=1_000_000)
def _phone_digits_in(raw: str, region: str) -> str:
    """:func:`_phone_digits`, remembered per region: a national number reads otherwise in another region."""
    extension = _EXTENSION.search(raw)
    if extension is None:
        return _number_digits(raw)
    number = _number_digits(raw[:extension.start()])
    return f"{number}{EXTENSION_MARK}{extension.group('ext')}" if number else ""


def glued_digits(number: str, extension: str) -> str:
    """The matcher's value of ``number`` (its last digits) with ``extension`` glued on, as a system that keeps
    digits only writes it: the last nine digits of number and extension together."""
    return (number + extension)[-_PHONE_DIGITS:]


def _number_digits(raw: str) -> str:
    """The digits of normalize_phone; an international number written in plain ASCII is read directly."""
    if raw.isascii() and not _CONTROL.search(raw):
        text = raw.strip()
        if text.startswith("00"):
            text = "+" + text[2:]
        compact = _PHONE_NOISE.sub("", text.replace("(0)", ""))
        if _E164.match(compact):
            return compact[1:][-_PHONE_DIGITS:]  # digits only, also of a number shorter than nine
        if compact.isdigit() and len(compact) > _PHONE_DIGITS:
            # a national number of nine digits or more after its prefix, or one dialled through an
            # international prefix: its last nine digits are those of its E.164 form (no parsing needed)
            return compact[-_PHONE_DIGITS:]
    p = normalize_phone(raw)
    digits = "".join(ch for ch in p if ch.isdigit()) if p else ""
    # the subscriber number without the country and trunk prefixes: "+52 81 5155 5646" written as
    # "81 5155 5646" where the country is obvious to the person typing it
    return digits[-_PHONE_DIGITS:] if len(digits) >= 6 else ""


_PHONE_DIGITS = 9


def features_of(system: str, contact: Contact, shared_mailboxes: frozenset[str]) -> Features:
    emails: list[str] = []
    for raw in (contact.email, *contact.emails):
        for e in _emails(raw) if raw else ():
            if e not in emails:
                emails.append(e)
    shared = tuple(e for e in emails if e.partition("@")[0] in shared_mailboxes)
    personal = tuple(e for e in emails if e not in shared) if shared else tuple(emails)
    phones: list[str] = []
    for raw in (contact.phone_office, contact.phone_mobile):
        digits = _phone_digits(raw) if raw else ""
        if digits and digits not in phones:
            phones.append(digits)
    given, family, family_part = _name_parts(contact)
    street, street_name, unit = normalize_street(contact.street)
    return Features(
        system=system, given=given, given_canon=canonical_given(given) if len(given) > 1 else given,
        family=family, family_part=family_part, emails=personal[:3], shared_emails=shared, phones=tuple(phones[:2]),
        street=street, street_name=street_name, unit=unit, zip=_zip(contact.zip) if contact.zip else "",
        city=_fold(contact.city) if contact.city else "", company=_company(contact.company) if contact.company else "",
        title=_title(contact.title) if contact.title else "",
    )


class Vocabulary:
    """Values to dense integer codes (-1: absent), shared by the fields compared with each other."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.values: list[str] = []

    def encode(self, values: Iterable[str]) -> npt.NDArray[np.int32]:
        index = self.index
        before = len(index)
        # a new value gets the next code: the index keeps insertion order, so values[code] stays its value
        out = [index.setdefault(v, len(index)) if v else -1 for v in values]
        if len(index) > before:
            self.values.extend(itertools.islice(index, before, None))
        return np.asarray(out, dtype=np.int32)

    def strings(self, codes: npt.NDArray[np.int32]) -> list[str]:
        values = self.values
        return [values[c] for c in codes.tolist()]


#: scalar fields of a table and the vocabulary each is coded in (given and family share one: swapped names)
FIELDS = {"given": "name", "given_canon": "name", "family": "name", "family_part": "name", "street": "street",
          "street_name": "street", "unit": "unit", "zip": "zip", "city": "city", "company": "company",
          "title": "title"}
#: multi-valued fields, with the number of values kept per record
SLOTS = {"email": 3, "phone": 2}


class FeatureTable:
    """A batch of records as columns of codes: ``codes[field]`` is an int32 array (one per record),
    ``slots[field]`` an (n, k) array for the multi-valued fields. ``counts[field]`` holds how often each
    code occurs (for term frequencies); it may come from a larger population than the batch."""

    def __init__(self, features: Sequence[Features], vocab: dict[str, Vocabulary] | None = None) -> None:
        self.n = len(features)
        self.vocab = vocab if vocab is not None else {}
        for name in (*set(FIELDS.values()), *SLOTS):
            self.vocab.setdefault(name, Vocabulary())
        self.system_names: list[str] = sorted({f.system for f in features})
        sys_index = {s: i for i, s in enumerate(self.system_names)}
        self.system = np.fromiter((sys_index[f.system] for f in features), dtype=np.int16, count=self.n)
        self.codes: dict[str, npt.NDArray[np.int32]] = {}
        for name, voc in FIELDS.items():
            self.codes[name] = self.vocab[voc].encode(getattr(f, name) for f in features)
        self.slots: dict[str, npt.NDArray[np.int32]] = {}
        for name, k in SLOTS.items():
            slot_voc = self.vocab[name]
            attr = "emails" if name == "email" else "phones"
            cols = [slot_voc.encode((getattr(f, attr)[j] if len(getattr(f, attr)) > j else "") for f in features)
                    for j in range(k)]
            self.slots[name] = np.stack(cols, axis=1) if self.n else np.zeros((0, k), dtype=np.int32)
        self.counts: dict[str, npt.NDArray[np.int64]] = {}
        self.population = self.n
        #: per-table helpers of the comparisons (see comparisons.derived_for)
        self.derived: tuple[int, object] | None = None
        self.count_locally()

    def count_locally(self) -> None:
        for name in ("given", "family", "street", "zip", "city", "company", "title"):
            self.counts[name] = _bincount(self.codes[name], len(self.vocab[FIELDS[name]].values))
        for name in SLOTS:
            flat = self.slots[name].ravel()
            self.counts[name] = _bincount(flat, len(self.vocab[name].values))
        self.population = self.n


def _bincount(codes: npt.NDArray[np.int32], size: int) -> npt.NDArray[np.int64]:
    valid = codes[codes >= 0]
    return np.bincount(valid, minlength=size).astype(np.int64)
