"""The matcher's interface: the records it is given, its settings, admin decisions, and what it decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.model import Contact

__all__ = ["DEFAULT_SHARED", "Decisions", "LinkEvidence", "MatchRecord", "MatchSettings", "ReconcileResult",
           "ReviewCandidate"]

DEFAULT_SHARED = frozenset({"info", "sales", "support", "office", "admin", "contact", "hello", "team", "billing",
                            "noreply", "no-reply", "accounts", "service", "help", "mail", "enquiries"})


@dataclass(frozen=True, slots=True)
class MatchSettings:
    #: match probability at or above which a pair is linked
    auto_link: float = 0.9
    #: at or above this (and below ``auto_link``) the record waits for an admin
    review: float = 0.6
    one_record_per_system: bool = True
    shared_mailboxes: frozenset[str] = DEFAULT_SHARED
    #: blocks larger than this are skipped (a switchboard number, a very common name in one town)
    block_cap: int = 40
    #: "no create without a search": a record that would become a new person is held for review when a
    #: record of another system matches it at least this well (looser than ``review``)
    search: float = 0.4


@dataclass(frozen=True, slots=True)
class MatchRecord:
    key: str  # "system:remote_id"
    system: str
    contact: Contact


@dataclass(slots=True)
class Decisions:
    """Admin decisions; each pair is a frozenset of two keys (record keys or ``entity:<id>``)."""

    must_link: set[frozenset[str]] = field(default_factory=set)
    cannot_link: set[frozenset[str]] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class LinkEvidence:
    confidence: float
    reasons: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ReviewCandidate:
    key: str
    candidate: str  # "entity:<id>" or a record key
    score: float
    reasons: Mapping[str, str]
    #: match (uncertain) | contradiction (a linked record changed) | search (a create held back)
    kind: str = "match"


@dataclass(slots=True)
class ReconcileResult:
    #: unlinked record key -> existing entity id, or "new:<n>" (one per new entity)
    assignments: dict[str, str] = field(default_factory=dict)
    links: dict[str, LinkEvidence] = field(default_factory=dict)
    reviews: list[ReviewCandidate] = field(default_factory=list)
    pairs_scored: int = 0
    #: the trained model, as readable JSON (None when nothing needed matching)
    model: dict[str, Any] | None = None
    #: creates held back by a search ("may already be ..."): the review items of kind "search"
    creates_held: int = 0
