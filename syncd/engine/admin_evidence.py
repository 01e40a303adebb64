"""Why the matcher proposed a pair, for the person who decides: field by field, and what each piece counted.

The weights are the matcher's own: each piece of evidence is taken away in turn and the pair is scored
again with the matcher's scorer, so what the admin reads is what moved the score, not a second opinion
written here. Where the scorer cannot say (a reason this version does not know how to take away), the
words stand alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from syncd.model import CANONICAL_FIELDS, Contact, comparable

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
    #: the matcher's score of the pair as the records are now (None: it could not be scored)
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


def _contact(fields: Mapping[str, Any]) -> Contact:
    return Contact.from_dict({k: v for k, v in fields.items() if k in CANONICAL_FIELDS})


def _ablations() -> dict[str, Callable[[Any], Any]]:
    return {
        "email": lambda f: dataclasses.replace(f, personal_emails=frozenset()),
        "shared_email": lambda f: dataclasses.replace(f, shared_emails=frozenset()),
        "phone": lambda f: dataclasses.replace(f, phones=frozenset()),
        "name": lambda f: dataclasses.replace(f, has_name=False, tokens=(), given="", family=""),
        "company": lambda f: dataclasses.replace(f, company=""),
        "city": lambda f: dataclasses.replace(f, city=""),
    }


def _text(reason: Any) -> str:
    if isinstance(reason, Mapping):
        return str(reason.get("why") or reason.get("reason") or reason)
    return str(reason)


def explain(left: Mapping[str, Any], right: Mapping[str, Any], reasons: Any,
            shared_mailboxes: Collection[str]) -> Explanation:
    """The two records side by side and the matcher's evidence, each with the weight it carried."""
    rows = field_rows(left, right)
    stored = reasons if isinstance(reasons, Mapping) else {}
    try:
        from syncd.engine.features import features_of
        from syncd.engine.scoring import score_pair
    except ImportError:  # the matcher moved: the words still explain
        return Explanation(rows, [Evidence(k, _text(v), None) for k, v in stored.items()], None)
    mailboxes = frozenset(shared_mailboxes)
    a, b = features_of("left", _contact(left), mailboxes), features_of("right", _contact(right), mailboxes)
    unique = "unique" in stored
    score, _ = score_pair(a, b, unique_at_company=unique)
    evidence = []
    ablations = _ablations()
    for key, reason in stored.items():
        weight: float | None = None
        if isinstance(reason, Mapping) and isinstance(reason.get("weight"), int | float):
            weight = float(reason["weight"])
        elif key == "unique":
            weight = score - score_pair(a, b, unique_at_company=False)[0]
        elif key in ablations:
            without = score_pair(ablations[key](a), ablations[key](b), unique_at_company=unique)[0]
            weight = score - without
            if unique and key in ("name", "company"):
                # taking the name or company away also takes away "the only one of this name here"
                weight -= score - score_pair(a, b, unique_at_company=False)[0]
        evidence.append(Evidence(key, _text(reason), None if weight is None else round(weight, 2)))
    return Explanation(rows, evidence, round(score, 2))
