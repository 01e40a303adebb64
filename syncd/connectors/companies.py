"""Company names folded for matching, and the one index from a company name to a vendor's company id.

A contact's company is written differently in every system: "Vasa Marine AB", "Vasa Marine Aktiebolag",
"Vasa Marine"; "Müller & Söhne GmbH", "Muller & Sohne". :func:`fold_company` folds such names to one key
(accents, case and punctuation as :func:`~syncd.model.fold_name` does, then the legal form dropped from the
end). :func:`company_index` merges where a system's company ids come from — the admin's ``company_map``,
the vendor's own company list, and what the system's records already show — into the mapping the planner
reads (:attr:`~syncd.engine.policies.SystemRules.company_ids`), and :func:`find_company` is the one way to
look a name up in it. The engine's two call sites use nothing else, so the folding lives here only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import structlog

from syncd.errors import ConnectorError
from syncd.model import fold_name

__all__ = ["CompanyCache", "company_index", "find_company", "fold_company", "vendor_companies"]

log = structlog.get_logger("syncd.companies")

#: legal forms, folded (so "S.A." is "s a"), as they end a company name; longest first so "gmbh co kg"
#: goes before "kg"
_LEGAL_FORMS = sorted({
    "ab", "aktiebolag", "ab publ", "hb", "kb", "handelsbolag", "kommanditbolag",
    "as", "asa", "a s", "aps", "a s a", "oy", "oyj", "ohg", "ehf", "hf",
    "gmbh", "gmbh co kg", "gmbh co", "ag", "kg", "kgaa", "ug", "e k", "ek", "ev", "e v", "mbh",
    "ltd", "limited", "plc", "llp", "lp", "llc", "l l c", "inc", "incorporated", "corp", "corporation",
    "co", "company", "co ltd", "pty", "pty ltd", "pvt ltd", "private limited", "pte ltd", "pte", "pc",
    "sa", "s a", "sl", "s l", "slu", "sas", "s a s", "sarl", "s a r l", "sasu", "eurl", "sca", "snc",
    "spa", "s p a", "srl", "s r l", "sro", "s r o", "sp z o o", "sp zoo", "zoo", "doo", "d o o",
    "bv", "b v", "nv", "n v", "vof", "cv", "kft", "zrt", "nyrt", "kk", "k k", "se", "oü", "ou", "uab",
    "sia", "ad", "ood", "eood", "jsc", "pjsc", "ooo", "tov", "ltda", "s de rl", "sa de cv", "bhd", "sdn bhd",
}, key=lambda form: (-len(form.split()), -len(form)))
_LEADING = ("the ",)


def fold_company(name: str | None) -> str:
    """A company name as a matching key: :func:`fold_name`, then its legal form(s) and a leading "the"
    dropped ("Vasa Marine AB" -> "vasa marine"). A name that is nothing but a legal form stays as it is."""
    folded = fold_name(name)
    if not folded:
        return ""
    key = folded
    for lead in _LEADING:
        if key.startswith(lead) and len(key) > len(lead):
            key = key[len(lead):]
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FORMS:
            if key.endswith(" " + form):
                key = key[: -len(form) - 1].rstrip()
                changed = True
                break
    # "& Co" and "and Co" fold to "co" (removed above); a trailing "and" is what is left of "X and Co"
    if key.endswith(" and"):
        key = key[: -len(" and")]
    return key or folded


def company_index(
    configured: Mapping[str, str], vendor: Mapping[str, str], learned: Mapping[str, str] = {},
) -> dict[str, str]:
    """The planner's company-name -> company-id mapping for one system.

    ``configured`` (the admin's ``company_map``: name -> id) wins over ``vendor`` (the vendor's own list:
    **id -> name**), which wins over ``learned`` (name -> id, as the system's records show them). A layer
    owns every name that folds like one of its names: a lower layer's entry for the same company is left
    out, so ``company_map = {"Vasa Marine" = "7"}`` also sends "Vasa Marine AB" to 7. Keys are exact
    :func:`fold_name` forms and :func:`fold_company` forms; a folded form two companies of one layer share
    ("Nordic AB" and "Nordic Oy") is left out, so neither gets the other's contacts by a guess.
    """
    out: dict[str, str] = {}
    owned: set[str] = set()
    layers: tuple[Iterable[tuple[str, str]], ...] = (
        ((str(n), str(i)) for n, i in configured.items()),
        ((str(n), str(i)) for i, n in vendor.items()),
        ((str(n), str(i)) for n, i in learned.items()),
    )
    for layer in layers:
        entries = [(fold_name(n), fold_company(n), i) for n, i in layer if fold_name(n)]
        entries = [e for e in entries if e[1] not in owned]
        by_key: dict[str, set[str]] = {}
        for exact, key, company_id in entries:
            out.setdefault(exact, company_id)
            by_key.setdefault(key, set()).add(company_id)
        for key, ids in by_key.items():
            if len(ids) == 1:
                out.setdefault(key, next(iter(ids)))
        owned |= set(by_key)
    return out


def find_company(index: Mapping[str, str], name: Any) -> str | None:
    """The company id for a contact's company name in an index built by :func:`company_index` (or any
    mapping keyed by :func:`fold_name`): exact folded name first, then the folded company key."""
    if not isinstance(name, str):
        return None
    exact = fold_name(name)
    if not exact:
        return None
    found = index.get(exact)
    if found is None:
        found = index.get(fold_company(name))
    return found


class CompanyCache:
    """A vendor's company list, read at most once per ``ttl`` seconds (and refreshed by scans that read
    it anyway). A failed read serves the last good list, so a vendor that is briefly down keeps its ids."""

    def __init__(self, system: str, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.system = system
        self.ttl = ttl
        self.clock = clock
        self._companies: dict[str, str] | None = None
        self._stamp = 0.0
        self._lock = asyncio.Lock()

    @property
    def known(self) -> dict[str, str] | None:
        return self._companies

    def put(self, companies: Mapping[str, str]) -> None:
        self._companies = dict(companies)
        self._stamp = self.clock()

    async def get(self, load: Callable[[], Awaitable[Mapping[str, str]]]) -> dict[str, str]:
        async with self._lock:
            if self._companies is not None and self.clock() - self._stamp < self.ttl:
                return dict(self._companies)
            try:
                self.put(await load())
            except ConnectorError:
                if self._companies is None:
                    raise
                return dict(self._companies)
                log.warning("company list not readable: using the last one read", connector=self.system)
            return dict(self._companies or {})


async def vendor_companies(connector: Any) -> dict[str, str]:
    """``connector.companies()`` for the planner: empty (with a log line) when it cannot be read, so a
    vendor that is down costs only the creates that need a company id it alone could give."""
    companies = getattr(connector, "companies", None)
    if companies is None:
        return {}
    try:
        return dict(await companies())
    except ConnectorError as exc:
        log.warning("company list not readable this cycle", connector=getattr(connector, "name", "?"),
                    error=exc.message)
        return {}
