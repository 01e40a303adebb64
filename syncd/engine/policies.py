"""Per-field conflict policies and directions, and per-system write rules, as the planner reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from syncd.connectors.base import Schema

__all__ = ["FieldRule", "OnRemoteDelete", "Policy", "SystemRules"]


class Policy(StrEnum):
    """What decides a field when several systems changed it to different values."""

    #: the newest change wins (vendor modification time, else when syncd first saw the change)
    LWW = "lww"
    #: the first system in ``prefer`` that changed the field wins; others fall back to lww
    PREFER = "prefer"
    #: a blank never overwrites a value; among values, the newest wins
    NON_EMPTY = "non_empty"
    #: a conflict item is opened and the field is left alone until an admin picks
    MANUAL = "manual"


class OnRemoteDelete(StrEnum):
    """What a deletion or deactivation in another system does in this one."""

    #: nothing: this system keeps its copy active
    IGNORE = "ignore"
    #: the copy here is deactivated (archived)
    DEACTIVATE = "deactivate"
    #: the copy here is deleted, where the vendor allows it (else deactivated)
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class FieldRule:
    """``sources``: systems whose changes count (None: all). ``targets``: systems written to (None: all)."""

    policy: Policy = Policy.LWW
    prefer: tuple[str, ...] = ()
    sources: frozenset[str] | None = None
    targets: frozenset[str] | None = None

    def accepts_from(self, system: str) -> bool:
        return self.sources is None or system in self.sources

    def writes_to(self, system: str) -> bool:
        return self.targets is None or system in self.targets

    def describe(self) -> str:
        if self.policy is Policy.PREFER:
            return f"prefer {','.join(self.prefer)}"
        return self.policy.value


@dataclass(frozen=True, slots=True)
class SystemRules:
    """How the planner may treat one system: which fields it holds, and what it may receive."""

    name: str
    fields: frozenset[str]
    receive_creates: bool = True
    on_remote_delete: OnRemoteDelete = OnRemoteDelete.DEACTIVATE
    can_delete: bool = False
    can_deactivate: bool = True
    needs_company: bool = False
    only_active: bool = False
    #: normalised company name -> vendor company id (configured, then learned from scans)
    company_ids: Mapping[str, str] = field(default_factory=dict)
    default_company_id: str | None = None
    #: the vendor holds given and family names and derives the full name from them (Cirrus)
    split_name: bool = False
    #: the fields syncd may write there (None: every field it holds); the others are read, never sent
    writable_fields: frozenset[str] | None = None
    #: the vendor's constraints, checked when planning so a value it cannot hold is parked, not sent
    schema: Schema | None = None

    @property
    def writable(self) -> frozenset[str]:
        return self.fields if self.writable_fields is None else self.writable_fields
