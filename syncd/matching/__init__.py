"""The matcher: which records, across systems, are one person (a Fellegi-Sunter model fitted at run time)."""

from __future__ import annotations

from syncd.matching.model import Model
from syncd.matching.pipeline import reconcile
from syncd.matching.types import (
    DEFAULT_SHARED,
    Decisions,
    LinkEvidence,
    MatchRecord,
    MatchSettings,
    ReconcileResult,
    ReviewCandidate,
)

__all__ = ["DEFAULT_SHARED", "Decisions", "LinkEvidence", "MatchRecord", "MatchSettings", "Model",
           "ReconcileResult", "ReviewCandidate", "reconcile"]
