"""The engine's view of the matcher: it lives in :mod:`syncd.matching`; this module keeps the old import path."""

from __future__ import annotations

from syncd.matching import (
    DEFAULT_SHARED,
    Decisions,
    LinkEvidence,
    MatchRecord,
    MatchSettings,
    Model,
    ReconcileResult,
    ReviewCandidate,
    reconcile,
)

__all__ = ["DEFAULT_SHARED", "Decisions", "LinkEvidence", "MatchRecord", "MatchSettings", "Model",
           "ReconcileResult", "ReviewCandidate", "reconcile"]
