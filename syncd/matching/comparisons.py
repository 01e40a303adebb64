"""Comparisons declared as data: for each field, its levels in order, each with its condition.

The shape follows Splink's comparison libraries: a comparison is a list of levels, the first whose
condition holds is the pair's level, and each level carries its trained m and u probabilities (and
whether a term-frequency adjustment applies). The conditions are evaluated vectorised over arrays of
record pairs; string similarities are computed once per distinct pair of values (names and streets
repeat a lot), with rapidfuzz's ``cpdist``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from syncd.matching.features import EXTENSION_MARK, FIELDS, SLOTS, FeatureTable, glued_digits

__all__ = ["DEFAULT_COMPARISONS", "FREE_MAIL", "Comparison", "Level", "PairLevels", "compare"]

Int = npt.NDArray[np.int32]
Mask = npt.NDArray[np.bool_]

#: public mail providers: two different mailboxes there say nothing about one organisation (domains whose
#: records span many companies are treated the same way, learned from the data)
FREE_MAIL = frozenset({"gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "aol", "icloud",
                       "me", "mac", "gmx", "web", "protonmail", "proton", "yandex", "qq", "163", "126", "zoho",
                       "fastmail", "t-online", "orange", "free", "laposte", "wanadoo", "libero", "virgilio", "seznam",
                       "wp", "o2", "onet", "interia", "rediffmail", "naver", "daum", "hanmail", "mail", "email",
                       "bigpond", "comcast", "verizon", "att", "sbcglobal", "btinternet", "sky", "telenet", "bluewin",
                       "freenet", "arcor", "hushmail", "tutanota", "inbox", "rambler", "terra", "uol", "bol"})
_GENERIC_LABELS = frozenset({"com", "org", "net", "edu", "gov", "int", "info", "biz", "io", "co", "ac", "uk", "de",
                             "fr", "es", "it", "nl", "se", "no", "dk", "fi", "pl", "ch", "at", "be", "us", "ca", "au",
                             "jp", "cn", "in", "br", "mx", "example", "local", "mail", "ne", "or", "go"})


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a comparison: its condition (``kind`` and ``value``), words, and m / u.

    Declared m and u are weak priors (a generic guess, worth a few dozen pairs of evidence): they decide
    only where the data is too small to say anything; training replaces them with fitted values."""

    label: str
    kind: str
    text: str
    value: float | None = None
    tf: bool = False
    m: float | None = None
    u: float | None = None
    #: pairs of values learned from the data to be one value (a ``variant`` level: "peppe" and "giuseppe"
    #: written by records that share a mailbox or a phone)
    variants: tuple[tuple[str, str], ...] = ()
    #: local parts learned from the data to be role mailboxes (an email comparison's null level): addresses
    #: there are not compared, as the listed shared mailboxes are not (see ``mailboxes``)
    shared: tuple[str, ...] = ()

    @property
    def is_null(self) -> bool:
        return self.kind == "null"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "condition": self.kind, "text": self.text}
        if self.value is not None:
            out["value"] = self.value
        if self.tf:
            out["term_frequency_adjusted"] = True
        if not self.is_null:
            out["m_probability"] = self.m
            out["u_probability"] = self.u
            if self.m and self.u:
                out["match_weight"] = round(float(np.log2(self.m / self.u)), 3)
        if self.variants:
            out["learned_variants"] = [list(pair) for pair in self.variants]
        if self.shared:
            out["learned_role_mailboxes"] = list(self.shared)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Level:
        return cls(label=data["label"], kind=data["condition"], text=data["text"], value=data.get("value"),
                   tf=bool(data.get("term_frequency_adjusted")), m=data.get("m_probability"),
                   u=data.get("u_probability"),
                   variants=tuple((str(a), str(b)) for a, b in data.get("learned_variants", ())),
                   shared=tuple(str(x) for x in data.get("learned_role_mailboxes", ())))


@dataclass(frozen=True, slots=True)
class Comparison:
    """A field (or a group of fields) compared at a few levels, the null level first."""

    name: str
    field: str
    description: str
    levels: tuple[Level, ...] = dataclasses.field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        return {"output_column_name": self.name, "field": self.field, "comparison_description": self.description,
                "comparison_levels": [level.as_json() for level in self.levels]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Comparison:
        return cls(name=data["output_column_name"], field=data["field"], description=data["comparison_description"],
                   levels=tuple(Level.from_json(x) for x in data["comparison_levels"]))

    def with_parameters(self, m: Sequence[float] | npt.NDArray[np.float64],
                        u: Sequence[float] | npt.NDArray[np.float64]) -> Comparison:
        return replace(self, levels=tuple(replace(level, m=float(m[i]), u=float(u[i])) if not level.is_null
                                          else level for i, level in enumerate(self.levels)))


def _null(text: str) -> Level:
    return Level("null", "null", text)


DEFAULT_COMPARISONS: tuple[Comparison, ...] = (
    Comparison("given", "given", "given name", (
        _null("a given name is missing"),
        Level("exact", "exact", "same given name", tf=True, m=0.85, u=0.25),
        Level("swapped", "swapped", "same names in swapped order", m=0.03, u=0.005),
        Level("nickname", "nickname", "given names are variants of one name", m=0.03, u=0.01),
        Level("variant", "variant", "given names this data shows written for one another", m=0.01, u=0.001),
        Level("initial", "initial", "an initial matches the given name", m=0.02, u=0.01),
        Level("one_edit", "osa", "given names differ by one typo", 1, m=0.02, u=0.01),
        Level("jw_90", "jaro_winkler", "given names nearly agree", 0.9, m=0.01, u=0.01),
        Level("jw_80", "jaro_winkler", "given names are similar", 0.8, m=0.01, u=0.03),
        Level("else", "else", "given names differ", m=0.01, u=0.675),
    )),
    Comparison("family", "family", "family name", (
        _null("a family name is missing"),
        Level("exact", "exact", "same family name", tf=True, m=0.9, u=0.3),
        Level("part", "family_part", "one family name is part of the other", m=0.03, u=0.01),
        Level("one_edit", "osa", "family names differ by one typo", 1, m=0.04, u=0.02),
        Level("jw_90", "jaro_winkler", "family names nearly agree", 0.9, m=0.01, u=0.01),
        Level("jw_80", "jaro_winkler", "family names are similar", 0.8, m=0.01, u=0.03),
        Level("else", "else", "family names differ", m=0.04, u=0.64),
    )),
    Comparison("email", "email", "personal email addresses (shared mailboxes excluded)", (
        _null("no personal email on one side"),
        Level("exact", "exact", "same personal email", tf=True, m=0.9, u=0.01),
        Level("typo", "email_typo", "emails differ by a typo", 2, m=0.02, u=0.005),
        Level("same_org", "same_org", "different mailboxes at one organisation", m=0.002, u=0.25),
        Level("else", "else", "different personal emails", m=0.15, u=0.735),
    )),
    Comparison("phone", "phone", "phone numbers (office or mobile, either way round)", (
        _null("no phone on one side"),
        Level("exact", "exact", "same phone number", tf=True, m=0.85, u=0.03),
        Level("extension", "extension_one_side", "same number, an extension written on one side only (or glued "
              "onto the digits)", m=0.03, u=0.01),
        Level("other_extension", "extension_other", "one switchboard, different extensions", m=0.005, u=0.01),
        Level("one_digit", "osa", "phone numbers differ by one digit", 1, m=0.02, u=0.01),
        Level("else", "else", "different phone numbers", m=0.13, u=0.96),
    )),
    Comparison("street", "street", "street address (number, street, unit; suffixes normalised)", (
        _null("no street on one side"),
        Level("exact", "street_exact", "same street address", tf=True, m=0.85, u=0.05),
        Level("same_house", "exact", "same house, another unit", m=0.04, u=0.02),
        Level("jw_90", "jaro_winkler", "street addresses nearly agree", 0.9, m=0.03, u=0.03),
        Level("other_line", "other_line", "one address's second line is the other's street (a line left out, or "
              "the lines the other way round)", m=0.02, u=0.005),
        Level("same_street", "same_street", "same street, another number", m=0.02, u=0.1),
        Level("else", "else", "different street addresses", m=0.06, u=0.8),
    )),
    Comparison("zip", "zip", "postal code", (
        _null("no postal code on one side"),
        Level("exact", "exact", "same postal code", tf=True, m=0.9, u=0.2),
        Level("one_edit", "osa", "postal codes differ by one character", 1, m=0.03, u=0.05),
        Level("else", "else", "different postal codes", m=0.07, u=0.75),
    )),
    Comparison("city", "city", "city", (
        _null("no city on one side"),
        Level("exact", "exact", "same city", tf=True, m=0.9, u=0.4),
        Level("jw_90", "jaro_winkler", "city names nearly agree", 0.9, m=0.03, u=0.05),
        Level("else", "else", "different cities", m=0.07, u=0.55),
    )),
    Comparison("company", "company", "company (legal-form words dropped)", (
        _null("no company on one side"),
        Level("exact", "exact", "same company", tf=True, m=0.9, u=0.1),
        Level("jw_90", "jaro_winkler", "company names nearly agree", 0.9, m=0.03, u=0.05),
        Level("else", "else", "different companies", m=0.07, u=0.85),
    )),
    # not term-frequency adjusted: a title rare in the whole population is common among the people a blocking
    # brings together (one country's language, one company's roles)
    Comparison("title", "title", "job title", (
        _null("a title is missing"),
        Level("exact", "exact", "same job title", m=0.6, u=0.05),
        Level("acronym", "acronym", "one job title abbreviates the other", m=0.05, u=0.005),
        Level("jw_90", "jaro_winkler", "job titles nearly agree", 0.9, m=0.05, u=0.02),
        Level("else", "else", "different job titles", m=0.3, u=0.925),
    )),
)


@dataclass(slots=True)
class PairLevels:
    """The level of every comparison for a batch of pairs, and the agreeing value where a level is
    term-frequency adjusted (-1 elsewhere)."""

    levels: npt.NDArray[np.int8]  # (pairs, comparisons)
    tf_codes: dict[str, Int]
    swapped: Mask


#: values this short or shorter never differ "by a typo"
_TYPO_MIN = 2
#: strings at least this long are compared by their ends before their one-edit distance is counted
_ENDS_MIN = 7


@dataclass(frozen=True, slots=True)
class _Ends:
    """Per value of a vocabulary: codes of its first and last three characters, and its length."""

    head: Int
    tail: Int
    length: Int

    @classmethod
    def of(cls, values: Sequence[str]) -> _Ends:
        heads: dict[str, int] = {}
        tails: dict[str, int] = {}
        return cls(np.fromiter((heads.setdefault(v[:3], len(heads)) for v in values), dtype=np.int32,
                               count=len(values)),
                   np.fromiter((tails.setdefault(v[-3:], len(tails)) for v in values), dtype=np.int32,
                               count=len(values)),
                   np.fromiter(map(len, values), dtype=np.int32, count=len(values)))


class _Derived:
    """Per-vocabulary helpers computed once per table: first letters, lengths, email organisations."""

    def __init__(self, table: FeatureTable) -> None:
        names = table.vocab["name"].values
        self.name_len = np.fromiter((len(v) for v in names), dtype=np.int32, count=len(names))
        self.name_first = np.fromiter((ord(v[0]) for v in names), dtype=np.int32, count=len(names))
        emails = table.vocab["email"].values
        orgs: dict[str, int] = {}
        org_of = np.empty(len(emails), dtype=np.int32)
        domain_of = np.empty(len(emails), dtype=np.int32)
        domains: dict[str, int] = {}
        self.locals: list[str] = []
        org_names: list[str] = []
        for i, e in enumerate(emails):
            local, _, domain = e.partition("@")
            self.locals.append(local)
            domain_of[i] = domains.setdefault(domain, len(domains))
            org = _organisation(domain)
            if org not in orgs:
                orgs[org] = len(orgs)
                org_names.append(org)
            org_of[i] = orgs[org]
        self.org_of, self.domain_of, self.domains = org_of, domain_of, list(domains)
        local_code: dict[str, int] = {}
        self.local_of = np.fromiter((local_code.setdefault(v, len(local_code)) for v in self.locals), dtype=np.int32,
                                    count=len(self.locals))
        # the local part without its digits, and its digits in order of value: "dewi.dewi" and "dewi.dewi16"
        # share the first, not the second (a number added to tell two mailboxes apart); "smith1985" and
        # "smith1958" share both (the digits typed in another order)
        letters: dict[str, int] = {}
        digits: dict[str, int] = {}
        self.local_letters = np.fromiter((letters.setdefault(_DIGITS.sub("", v), len(letters))
                                          for v in self.locals), dtype=np.int32, count=len(self.locals))
        self.local_digits = np.fromiter((digits.setdefault("".join(sorted(ch for ch in v if ch.isdigit())),
                                                           len(digits)) for v in self.locals),
                                        dtype=np.int32, count=len(self.locals))
        titles = table.vocab["title"].values
        title_code = {v: c for c, v in enumerate(titles)}
        #: per title, the code of its initials as a title of its own ("key account manager" -> "kam"), or -2
        self.title_initials = np.fromiter((title_code.get(_initials(v), -2) for v in titles), dtype=np.int32,
                                          count=len(titles))
        self.provider = np.fromiter((o in FREE_MAIL for o in org_names), dtype=np.bool_, count=len(org_names))
        self._ends: dict[int, _Ends] = {}
        self._names = table.vocab["name"]
        self._groups: dict[tuple[tuple[str, str], ...], Int] = {}
        self._roles: dict[tuple[str, ...], npt.NDArray[np.bool_]] = {}
        self._house: Int | None = None
        self._unit_line: Int | None = None
        self._phones = table.vocab["phone"]
        self._phone_base: tuple[Int, npt.NDArray[np.bool_], Int] | None = None
        self._learn_providers(table, org_of)

    def variant_groups(self, variants: tuple[tuple[str, str], ...]) -> Int:
        """Per name code, the code of the name its group of learned variants is known by (itself if none)."""
        found = self._groups.get(variants)
        if found is None or len(found) != len(self._names.values):
            found = np.arange(len(self._names.values), dtype=np.int32)
            index = self._names.index
            parent: dict[int, int] = {}

            def root(x: int) -> int:
                while parent.get(x, x) != x:
                    x = parent[x]
                return x

            for a, b in variants:
                x, y = index.get(a), index.get(b)
                if x is not None and y is not None:
                    parent[max(root(x), root(y))] = min(root(x), root(y))
            for x in parent:
                found[x] = root(x)
            self._groups[variants] = found
        return found

    def role_mask(self, roles: tuple[str, ...]) -> npt.NDArray[np.bool_]:
        """Per email code, whether its local part is one of ``roles``."""
        found = self._roles.get(roles)
        if found is None or len(found) != len(self.locals):
            wanted = frozenset(roles)
            found = np.fromiter((v in wanted for v in self.locals), dtype=np.bool_, count=len(self.locals))
            self._roles[roles] = found
        return found

    def street_house(self, table: FeatureTable) -> Int:
        """Per street code, a code of its house number (-1: none)."""
        streets = table.vocab["street"].values
        if self._house is None or len(self._house) != len(streets):
            numbers: dict[str, int] = {}
            self._house = np.fromiter(
                (numbers.setdefault(head, len(numbers)) if head[:1].isdigit() else -1
                 for head in (v.partition(" ")[0] for v in streets)), dtype=np.int32, count=len(streets))
        return self._house

    def unit_as_street(self, table: FeatureTable) -> Int:
        """Per unit code, the street code of the same words (-1: no street is written so)."""
        units, index = table.vocab["unit"].values, table.vocab["street"].index
        if self._unit_line is None or len(self._unit_line) != len(units):
            self._unit_line = np.fromiter((index.get(v, -1) for v in units), dtype=np.int32, count=len(units))
        return self._unit_line

    def phone_extensions(self) -> tuple[Int, npt.NDArray[np.bool_], Int]:
        """Per phone code: a code of the number without its extension, whether it has one, and the code of the
        same number with its extension glued on as a system that keeps digits only holds it (ITFlow:
        "+36 96 638 071 ext 151" is "3696638071151"), -1 where no record holds that."""
        phones = self._phones
        if self._phone_base is None or len(self._phone_base[0]) != len(phones.values):
            bases: dict[str, int] = {}
            numbers = [v.partition(EXTENSION_MARK) for v in phones.values]
            glued = [phones.index.get(glued_digits(number, extension), -1) if extension else -1
                     for number, _, extension in numbers]
            self._phone_base = (
                np.fromiter((bases.setdefault(v[0], len(bases)) for v in numbers), dtype=np.int32,
                            count=len(numbers)),
                np.fromiter((bool(v[2]) for v in numbers), dtype=np.bool_, count=len(numbers)),
                np.asarray(glued, dtype=np.int32))
        return self._phone_base

    def ends(self, strings: Sequence[str]) -> _Ends:
        """The ends of a vocabulary's values, built once per vocabulary (given and family names share one)."""
        found = self._ends.get(id(strings))
        if found is None or len(found.length) != len(strings):
            found = self._ends[id(strings)] = _Ends.of(strings)
        return found

    def _learn_providers(self, table: FeatureTable, org_of: Int) -> None:
        """An email domain whose records belong to many different companies is a mail provider, not an
        organisation: learned from this data, so providers no list knows are found too."""
        first = table.slots["email"][:, 0]
        company = table.codes["company"]
        keep = (first >= 0) & (company >= 0)
        if not keep.any() or not len(self.provider):
            return
        org = org_of[first[keep]].astype(np.int64)
        width = int(company.max()) + 1
        pair, counts = np.unique(org * width + company[keep], return_counts=True)
        org_per_pair = pair // width
        distinct = np.bincount(org_per_pair, minlength=len(self.provider))
        records = np.bincount(org, minlength=len(self.provider))
        top = np.zeros(len(self.provider), dtype=np.int64)
        np.maximum.at(top, org_per_pair, counts)
        learned = (distinct >= 3) & (records >= 5) & (top < 0.5 * np.maximum(records, 1))
        self.provider |= learned


_DIGITS = re.compile(r"\d+")
_MINOR_WORDS = frozenset({"of", "and", "the", "for", "to", "in"})


def _initials(title: str) -> str:
    words = [w for w in title.split() if w not in _MINOR_WORDS]
    return "".join(w[0] for w in words) if len(words) > 1 else ""


def _organisation(domain: str) -> str:
    labels = [label for label in domain.split(".") if label]
    while len(labels) > 1 and labels[-1] in _GENERIC_LABELS:
        labels.pop()
    return labels[-1] if labels else domain


def _similarity(kind: str, strings: list[str], a: Int, b: Int) -> npt.NDArray[np.float64]:
    """Similarity (or distance, for ``osa``) of value codes ``a`` and ``b``, once per distinct pair."""
    if not len(a):
        return np.zeros(0)
    width = max(int(a.max()), int(b.max())) + 1
    key = a.astype(np.int64) * width + b
    unique, inverse = np.unique(key, return_inverse=True)
    left = [strings[c] for c in (unique // width).tolist()]
    right = [strings[c] for c in (unique % width).tolist()]
    if kind == "osa":
        values = process.cpdist(left, right, scorer=OSA.distance, dtype=np.int32)
    else:
        values = process.cpdist(left, right, scorer=JaroWinkler.normalized_similarity, dtype=np.float32)
    out: npt.NDArray[np.float64] = np.asarray(values, dtype=np.float64)[inverse.ravel()]
    return out


def _scalar_levels(comparison: Comparison, table: FeatureTable, derived: _Derived, a: Int, b: Int,
                   extra: dict[str, tuple[Int, Int]], crossed: Mask | None = None) -> tuple[npt.NDArray[np.int8], Int]:
    """Level per pair for one pair of code columns; also the agreeing code for a TF-adjusted level.
    ``crossed`` (given names only): the pairs whose names are compared the other way round; the conditions
    about given names in order (exact, nickname) leave them out, "swapped" takes them."""
    n = len(a)
    straight = ~crossed if crossed is not None else None
    out = np.full(n, -1, dtype=np.int8)
    tf = np.full(n, -1, dtype=np.int32)
    open_ = np.ones(n, dtype=np.bool_)
    strings = _strings(comparison.field, table, derived)
    cache: dict[str, npt.NDArray[np.float64]] = {}

    def sim(kind: str, idx: npt.NDArray[np.intp], edits: float | None = None) -> npt.NDArray[np.float64]:
        # the open pairs only shrink: computed once, on the first (largest) set asked for
        found = cache.get(kind)
        if found is None:
            found = cache[kind] = np.full(n, np.nan)
            if kind == "osa" and edits is not None and edits <= 1:
                # one edit leaves the first or the last three characters of a longer string as they were:
                # pairs that differ at both ends are more than one edit apart, no need to count
                ends = derived.ends(strings)
                x, y = a[idx], b[idx]
                near = ((ends.head[x] == ends.head[y]) | (ends.tail[x] == ends.tail[y])
                        | (ends.length[x] < _ENDS_MIN) | (ends.length[y] < _ENDS_MIN))
                found[idx] = edits + 1
                found[idx[near]] = _similarity(kind, strings, x[near], y[near])
            else:
                found[idx] = _similarity(kind, strings, a[idx], b[idx])
        return found[idx]

    for index, level in enumerate(comparison.levels):
        if not open_.any():
            break
        idx = np.flatnonzero(open_)
        x, y = a[idx], b[idx]
        kind = level.kind
        if kind == "null":
            hit = (x < 0) | (y < 0)
        elif kind == "exact":
            hit = x == y
            if straight is not None:
                hit &= straight[idx]
        elif kind == "street_exact":
            ua, ub = extra["unit"]
            hit = (x == y) & (ua[idx] == ub[idx])
        elif kind == "swapped":
            fa, fb = extra["family"]  # fb: the name the other record's family name is compared with
            hit = (x == y) & (fa[idx] == fb[idx]) & (fa[idx] >= 0)
            if crossed is not None:
                hit &= crossed[idx]
        elif kind == "nickname":
            ca, cb = extra["given_canon"]
            hit = ca[idx] == cb[idx]
            if straight is not None:
                hit &= straight[idx]
        elif kind == "variant":
            ca, cb = extra["given_canon"]
            xa, yb = ca[idx], cb[idx]
            hit = np.zeros(len(idx), dtype=np.bool_)
            if level.variants:
                one = derived.variant_groups(level.variants)
                known = (xa >= 0) & (yb >= 0)
                hit = known & (one[np.where(known, xa, 0)] == one[np.where(known, yb, 0)])
            if straight is not None:
                hit &= straight[idx]
        elif kind == "initial":
            la, lb = derived.name_len[x], derived.name_len[y]
            hit = ((la == 1) | (lb == 1)) & (derived.name_first[x] == derived.name_first[y])
        elif kind == "osa":
            # an edit or two between very short values ("4" and "9", "Al" and "Ed") is no typo: they share nothing
            lengths = derived.ends(strings).length
            hit = ((sim("osa", idx, level.value or 0) <= (level.value or 0))
                   & (np.minimum(lengths[x], lengths[y]) > _TYPO_MIN))
        elif kind == "jaro_winkler":
            hit = sim("jw", idx) >= (level.value or 1)
        elif kind == "family_part":
            pa, pb = extra["family_part"]
            xa, yb = pa[idx], pb[idx]
            hit = ((xa >= 0) & ((xa == y) | (xa == yb))) | ((yb >= 0) & (x == yb))
        elif kind == "other_line":
            sa, sb = extra["street_name"]
            ua, ub = extra["unit"]
            line = derived.unit_as_street(table)
            house = derived.street_house(table)
            ha, hb = house[x], house[y]
            line = np.r_[line, -1]  # code -1 (no unit) reads the last entry: no street
            la, lb = line[ua[idx]], line[ub[idx]]
            numbers = (ha == hb) | (ha < 0) | (hb < 0)
            hit = numbers & (((la >= 0) & (la == sb[idx])) | ((lb >= 0) & (lb == sa[idx])))
        elif kind == "same_street":
            sa, sb = extra["street_name"]
            hit = (sa[idx] == sb[idx]) & (sa[idx] >= 0)
        elif kind == "email_typo":
            hit = _email_typo(derived, x, y, int(level.value or 0))
        elif kind in ("extension_one_side", "extension_other"):
            base, has, glued = derived.phone_extensions()
            if kind == "extension_one_side":
                hit = ((base[x] == base[y]) & (has[x] != has[y])) | (glued[x] == y) | (glued[y] == x)
            else:
                hit = (base[x] == base[y]) & has[x] & has[y]
        elif kind == "acronym":
            hit = (derived.title_initials[x] == y) | (derived.title_initials[y] == x)
        elif kind == "same_org":
            org_x, org_y = derived.org_of[x], derived.org_of[y]
            hit = (org_x == org_y) & ~derived.provider[org_x]
        elif kind == "else":
            hit = np.ones(len(idx), dtype=np.bool_)
        else:
            raise ValueError(f"comparison {comparison.name}: unknown condition {kind!r}")
        chosen = idx[hit]
        out[chosen] = index
        if level.tf:
            tf[chosen] = x[hit]
        open_[chosen] = False
    return out, tf


def _email_typo(derived: _Derived, x: Int, y: Int, edits: int) -> Mask:
    """One mailbox written twice: at one domain, local parts a typo or two apart ("jonh@" for "john@") but
    not told apart by a number ("dewi.dewi16@" is another mailbox than "dewi.dewi@", "smith2@" than
    "smith1@"); or one local part at domains one typo apart ("hotmail.con" for "hotmail.com")."""
    domain_x, domain_y = derived.domain_of[x], derived.domain_of[y]
    hit = np.zeros(len(x), dtype=np.bool_)
    where = np.flatnonzero(domain_x == domain_y)
    if len(where):
        dist = _similarity("osa", derived.locals, x[where], y[where])
        jw = _similarity("jw", derived.locals, x[where], y[where])
        xs, ys = x[where], y[where]
        numbered = ((derived.local_letters[xs] == derived.local_letters[ys])
                    & (derived.local_digits[xs] != derived.local_digits[ys]))
        hit[where] = (dist <= edits) & (jw >= 0.9) & ~numbered
    where = np.flatnonzero(domain_x != domain_y)
    if len(where):
        where = where[derived.local_of[x[where]] == derived.local_of[y[where]]]
        if len(where):
            hit[where] = _similarity("osa", derived.domains, domain_x[where], domain_y[where]) <= 1
    return hit


def _strings(field_name: str, table: FeatureTable, derived: _Derived) -> list[str]:
    if field_name in SLOTS:
        return table.vocab[field_name].values
    return table.vocab[FIELDS[field_name]].values


def compare(comparisons: Sequence[Comparison], table: FeatureTable, i: Int, j: Int,
            derived: _Derived | None = None) -> PairLevels:
    """Every comparison's level for the pairs ``(i[k], j[k])`` of ``table``."""
    derived = derived or derived_for(table)
    codes = table.codes
    ga, gb, fa, fb = codes["given"][i], codes["given"][j], codes["family"][i], codes["family"][j]
    names, swapped = _name_pairs(derived, ga, gb, fa, fb)
    levels = np.zeros((len(i), len(comparisons)), dtype=np.int8)
    tf_codes: dict[str, Int] = {}
    for col, comparison in enumerate(comparisons):
        name = comparison.field
        if name in SLOTS:
            lv, tf = _slot_levels(comparison, table, derived, i, j)
        else:
            a, b = codes[name][i], codes[name][j]
            extra: dict[str, tuple[Int, Int]] = {}
            crossed = None
            if name == "given":
                (a, b), crossed = names[0], swapped
                extra["family"] = names[1]
                extra["given_canon"] = (codes["given_canon"][i], codes["given_canon"][j])
            elif name == "family":
                a, b = names[1]
                extra["family_part"] = (codes["family_part"][i], codes["family_part"][j])
            elif name == "street":
                extra["unit"] = (codes["unit"][i], codes["unit"][j])
                extra["street_name"] = (codes["street_name"][i], codes["street_name"][j])
            lv, tf = _scalar_levels(comparison, table, derived, a, b, extra, crossed)
        levels[:, col] = lv
        if any(level.tf for level in comparison.levels):
            tf_codes[comparison.name] = tf
    return PairLevels(levels, tf_codes, swapped)


def _name_pairs(derived: _Derived, ga: Int, gb: Int, fa: Int, fb: Int
                ) -> tuple[tuple[tuple[Int, Int], tuple[Int, Int]], Mask]:
    """The two name pairs each pair of records is compared on (given's, family's), and which pairs are
    compared crosswise: those whose names agree better the other way round, each record's given name against
    the other's family name ("TÓTH Mária" and "M. Tóth", "A. Murugan" and "Murugan Annamalai", "NAGY Erzsébet"
    and "Erzsébet Nagi"). Agreement is counted cheaply, per name: the same name 2, an initial of it 1, the same
    first letter 0.5; a tie keeps the written order. Crosswise, which name is the given one is unknown: the
    weaker of the two crossed pairs goes to the given-name comparison (it has the levels for initials and
    nicknames), the stronger to the family name's."""
    if not len(ga) or not len(derived.name_len):
        return ((ga, gb), (fa, fb)), np.zeros(len(ga), dtype=np.bool_)

    def agreement(x: Int, y: Int) -> npt.NDArray[np.float64]:
        both = (x >= 0) & (y >= 0)
        xs, ys = np.where(both, x, 0), np.where(both, y, 0)
        same = both & (xs == ys)
        first = both & ~same & (derived.name_first[xs] == derived.name_first[ys])
        initial = first & ((derived.name_len[xs] == 1) | (derived.name_len[ys] == 1))
        out: npt.NDArray[np.float64] = 2.0 * same + 1.0 * initial + 0.5 * (first & ~initial)
        return out

    one, other = agreement(ga, fb), agreement(fa, gb)  # A's given with B's family; A's family with B's given
    crossed: Mask = (one + other) > (agreement(ga, gb) + agreement(fa, fb))
    first_stronger = crossed & (one >= other)
    second_stronger = crossed & ~first_stronger
    given = (np.where(first_stronger, fa, ga), np.where(first_stronger, gb, np.where(second_stronger, fb, gb)))
    family = (np.where(first_stronger, ga, fa), np.where(first_stronger, fb, np.where(second_stronger, gb, fb)))
    return (given, family), crossed


def _slot_levels(comparison: Comparison, table: FeatureTable, derived: _Derived, i: Int,
                 j: Int) -> tuple[npt.NDArray[np.int8], Int]:
    """Multi-valued fields: the best level over every pair of values (null only if no pair has both)."""
    slots = table.slots[comparison.field]
    roles = comparison.levels[0].shared if comparison.levels else ()
    if roles:
        # the learned role mailboxes are left out, as if the record had not written them
        role = derived.role_mask(roles)
        slots = np.where((slots >= 0) & role[np.maximum(slots, 0)], -1, slots)
    k = slots.shape[1]
    best = np.full(len(i), len(comparison.levels), dtype=np.int8)
    best_tf = np.full(len(i), -1, dtype=np.int32)
    any_pair = np.zeros(len(i), dtype=np.bool_)
    for x in range(k):
        a = slots[i, x]
        for y in range(k):
            b = slots[j, y]
            both = np.flatnonzero((a >= 0) & (b >= 0))
            if not len(both):
                continue
            any_pair[both] = True
            lv, tf = _scalar_levels(comparison, table, derived, a[both], b[both], {})
            better = lv < best[both]
            best[both[better]] = lv[better]
            best_tf[both[better]] = tf[better]
    best[~any_pair] = 0
    best_tf[~any_pair] = -1
    return best, best_tf


def derived_for(table: FeatureTable) -> _Derived:
    """The table's helpers, computed once per table (and again if its vocabularies grew)."""
    size = sum(len(v.values) for v in table.vocab.values())
    cached = table.derived
    if cached is not None and cached[0] == size and isinstance(cached[1], _Derived):
        return cached[1]
    derived = _Derived(table)
    table.derived = (size, derived)
    return derived
