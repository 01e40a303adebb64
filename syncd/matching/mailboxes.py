"""Role mailboxes learned from the data at hand: ``verkoop@``, ``ufficio@``, ``contato@``, ``zentrale@`` …

The listed shared mailboxes (``MatchSettings.shared_mailboxes``: "info", "sales", …) know one language. A role
mailbox shows itself in the data: at one organisation after another, the people who hold it are not named in
it ("Hendrik Visser" at ``verkoop@``), while a personal mailbox names its holder (``h.visser@``,
``hendrikv@``, ``visser.hendrik@``). A local part that, at ``MIN_DOMAINS`` or more organisations, is held by
records it does not name — and at more than twice as many as those where it names its holder — is learned to
be a role mailbox, and compared as the listed ones are: not at all (two colleagues writing ``verkoop@`` are not
one person because of it). Mail providers' domains (gmail, yahoo, learned ones) do not count: a nickname
there (``dragonfly77@``) names nobody and is still personal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from syncd.matching.comparisons import Comparison, _Derived
    from syncd.matching.features import FeatureTable

__all__ = ["MIN_DOMAINS", "learn_role_mailboxes", "with_role_mailboxes"]

#: a local part is a role only when this many organisations show it held by people it does not name
MIN_DOMAINS = 3
#: names this short are no evidence either way ("li" is in many mailboxes)
_NAME_MIN = 2
_NOT_LETTERS = re.compile(r"[^a-z]")


def learn_role_mailboxes(table: FeatureTable, derived: _Derived) -> tuple[str, ...]:
    """The local parts of ``table``'s personal emails that its records show to be role mailboxes (sorted)."""
    slots = table.slots["email"]
    rows, cols = np.nonzero(slots >= 0)
    if not len(rows):
        return ()
    names = table.vocab["name"].values
    columns = [table.codes[c] for c in ("given", "family", "family_part")]
    emails = slots[rows, cols]
    organisation = ~derived.provider[derived.org_of[emails]]
    rows, emails = rows[organisation], emails[organisation]
    holder = np.stack([c[rows] for c in columns], axis=1)
    letters: dict[int, str] = {}
    named: defaultdict[str, set[int]] = defaultdict(set)
    unnamed: defaultdict[str, set[int]] = defaultdict(set)
    for e, codes in zip(emails.tolist(), holder.tolist(), strict=True):
        tokens = [names[c] for c in codes if c >= 0 and len(names[c]) >= _NAME_MIN]
        if not tokens:
            continue
        text = letters.get(e)
        if text is None:
            text = letters[e] = _NOT_LETTERS.sub("", derived.locals[e])
        # a mailbox names its holder by a whole name or by its first three letters ("hvisser", "pieterm")
        says = any(t in text or (len(t) >= 3 and t[:3] in text) for t in tokens)
        (named if says else unnamed)[derived.locals[e]].add(int(derived.domain_of[e]))
    return tuple(sorted(local for local, domains in unnamed.items()
                        if len(domains) >= MIN_DOMAINS and len(domains) > 2 * len(named.get(local, ()))))


def with_role_mailboxes(comparisons: tuple[Comparison, ...], roles: tuple[str, ...]) -> tuple[Comparison, ...]:
    """``comparisons`` with the email comparison leaving out the addresses at the local parts ``roles``."""
    out = []
    for comparison in comparisons:
        if comparison.field == "email" and comparison.levels and comparison.levels[0].is_null:
            null = replace(comparison.levels[0], shared=roles)
            comparison = replace(comparison, levels=(null, *comparison.levels[1:]))
        out.append(comparison)
    return tuple(out)
