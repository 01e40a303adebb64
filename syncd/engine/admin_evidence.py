"""Why the matcher proposed a pair, for the person who decides: field by field, and what each piece counted.

The weights are the matcher's own: the trained model writes each field's evidence in bits beside its
reason, and the admin reads exactly that, not a second opinion computed here. Where a reason carries no
weight, the words stand alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from syncd.model import CANONICAL_FIELDS, comparable

__all__ = ["Evidence", "FieldRow", "explain"]


@dataclass(frozen=True, slots=True)
class FieldRow:
    field: str
    left: Any
    right: Any
    #: same | differs | left only | right only
    verdict: str


@dataclass(frozen=True, slots=True)
class Evidence:
    key: str
    reason: str
    #: how much the score moves with this evidence (None: not measurable)
    weight: float | None


@dataclass(frozen=True, slots=True)
class Explanation:
    fields: list[FieldRow]
    evidence: list[Evidence]
    #: the matcher's score of the pair as the records are now (None: not scored again here)
    score_now: float | None


def _shown(value: Any) -> Any:
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else value


def field_rows(left: Mapping[str, Any], right: Mapping[str, Any]) -> list[FieldRow]:
    rows = []
    for name in [n for n in CANONICAL_FIELDS if n in left or n in right]:
        a, b = left.get(name), right.get(name)
        a_set, b_set = a not in (None, "", []), b not in (None, "", [])
        if not a_set and not b_set:
            continue
        if a_set and b_set:
            ca = comparable(name, tuple(a) if isinstance(a, list) else a)
            cb = comparable(name, tuple(b) if isinstance(b, list) else b)
            verdict = "same" if ca == cb else "differs"
        else:
            verdict = "left only" if a_set else "right only"
        rows.append(FieldRow(name, _shown(a), _shown(b), verdict))
    return rows


_WEIGHT = re.compile(r"\(([+-]?\d+(?:\.\d+)?)\)\s*$")


def _text(reason: Any) -> str:
    if isinstance(reason, Mapping):
        return str(reason.get("why") or reason.get("reason") or reason)
    return str(reason)


def _weight(reason: Any) -> float | None:
    """The evidence a reason carried, in the matcher's own bits: it writes them after each reason,
    "same personal email (+17.1)"; a stored number is taken as it is."""
    if isinstance(reason, Mapping) and isinstance(reason.get("weight"), int | float):
        return float(reason["weight"])
    found = _WEIGHT.search(_text(reason))
    return float(found.group(1)) if found else None


def explain(left: Mapping[str, Any], right: Mapping[str, Any], reasons: Any,
            shared_mailboxes: Collection[str]) -> Explanation:
    """The two records side by side and the matcher's evidence, each with the weight it carried."""
    stored = reasons if isinstance(reasons, Mapping) else {}
    evidence = [Evidence(key, _WEIGHT.sub("", _text(reason)).strip(), _weight(reason))
                for key, reason in stored.items() if key != "score"]
    return Explanation(field_rows(left, right), evidence, None)
