"""What the matcher compares: a record's normalised identity features and its blocking keys.

Blocking keeps the work near-linear: two records are compared only when they share a key — an email,
a phone number, a family name with a given initial (in both orders, so swapped names meet), or a
name prefix within a company. Keys with huge blocks (a shared mailbox, a very common name) are
dropped rather than compared all-against-all.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncd.engine.nicknames import canonical_given
from syncd.model import Contact, fold_name, normalize_email, normalize_phone

__all__ = ["Features", "blocking_keys", "features_of"]

_COMPANY_NOISE = {"inc", "ltd", "llc", "gmbh", "ab", "as", "sa", "srl", "sarl", "bv", "nv", "oy", "ag", "plc", "co",
                  "corp", "corporation", "company", "limited", "the", "group", "spa", "sl", "kg", "aps", "sp", "zoo"}


@dataclass(frozen=True, slots=True)
class Features:
    system: str
    personal_emails: frozenset[str]
    shared_emails: frozenset[str]
    phones: frozenset[str]
    #: folded name tokens, given names canonicalised (bob -> robert), in written order
    tokens: tuple[str, ...]
    given: str
    family: str
    company: str
    city: str
    has_name: bool
    shared_mailboxes: frozenset[str]


def _name_parts(contact: Contact) -> tuple[list[str], str, str]:
    given = fold_name(contact.given_name)
    family = fold_name(contact.family_name)
    if given or family:
        tokens = (given.split() if given else []) + (family.split() if family else [])
    else:
        tokens = fold_name(contact.full_name).split()
        if len(tokens) >= 2:
            given, family = tokens[0], tokens[-1]
        elif tokens:
            given, family = "", tokens[0]
    return tokens, given.split()[0] if given else "", family.split()[-1] if family else ""


def _company(text: str | None) -> str:
    return " ".join(t for t in fold_name(text).split() if t not in _COMPANY_NOISE)


def features_of(system: str, contact: Contact, shared_mailboxes: frozenset[str]) -> Features:
    emails = {e for e in (normalize_email(x) for x in (contact.email, *contact.emails)) if e and "@" in e}
    shared = {e for e in emails if e.split("@", 1)[0] in shared_mailboxes}
    phones = {p for p in (normalize_phone(x) for x in (contact.phone_office, contact.phone_mobile))
              if p and p.startswith("+") and len(p) >= 8}
    tokens, given, family = _name_parts(contact)
    canon = tuple(canonical_given(t) if len(t) > 1 else t for t in tokens)
    return Features(
        system=system,
        personal_emails=frozenset(emails - shared),
        shared_emails=frozenset(shared),
        phones=frozenset(phones),
        tokens=canon,
        given=canonical_given(given) if given else "",
        family=family,
        company=_company(contact.company),
        city=fold_name(contact.city),
        has_name=bool(tokens),
        shared_mailboxes=shared_mailboxes,
    )


def blocking_keys(f: Features) -> set[str]:
    keys = {f"e:{e}" for e in f.personal_emails}
    keys.update(f"s:{e}" for e in f.shared_emails)
    keys.update(f"p:{p}" for p in f.phones)
    long_tokens = [t for t in f.tokens if len(t) > 1]
    for i, t in enumerate(f.tokens):
        if len(t) > 1:
            keys.update(f"n:{t}:{u[0]}" for j, u in enumerate(f.tokens) if j != i)
    if len(long_tokens) >= 2:
        a, b = sorted((long_tokens[0], long_tokens[-1]))
        keys.add(f"q:{a[:3]}:{b[:3]}")
    if f.company and long_tokens:
        keys.add(f"u:{' '.join(sorted(long_tokens))}:{f.company}")
    return keys
