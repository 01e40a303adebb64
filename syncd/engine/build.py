"""Build an :class:`~syncd.engine.cycle.Engine` from the configuration: connectors, rules, matching."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncd.config import Settings
from syncd.connectors.base import Connector
from syncd.connectors.registry import build_connector
from syncd.engine.cycle import CycleOptions, Engine
from syncd.engine.mailboxes import DEFAULT_ROLE_MAILBOXES, RoleAddresses
from syncd.engine.plan import PlanSettings
from syncd.engine.policies import FieldRule, OnRemoteDelete, Policy, SystemRules
from syncd.engine.when import AmbiguousOrder
from syncd.matching import MatchSettings
from syncd.model import fold_name, set_default_region
from syncd.store.repository import Store

__all__ = ["build_engine", "field_rules", "system_rules"]


def system_rules(connector: Connector, settings: Any) -> SystemRules:
    fields = frozenset(connector.schema.fields)
    caps = connector.capabilities
    return SystemRules(
        name=connector.name,
        fields=fields,
        receive_creates=bool(settings.receive_creates) and caps.can_create,
        on_remote_delete=OnRemoteDelete(settings.on_remote_delete),
        can_delete=caps.can_delete,
        can_deactivate=caps.can_deactivate and "active" in fields,
        needs_company=caps.needs_company,
        only_active=bool(settings.only_active),
        company_ids={fold_name(name): str(cid) for name, cid in settings.company_map.items()},
        default_company_id=settings.default_company_id,
        split_name="given_name" in fields and "family_name" in fields,
        writable_fields=connector.schema.writable_fields,
        schema=connector.schema,
    )


def field_rules(settings: Settings) -> dict[str, FieldRule]:
    rules: dict[str, FieldRule] = {}
    for name, cfg in settings.fields.items():
        sources = getattr(cfg, "from_", None)
        targets = getattr(cfg, "to", None)
        rules[name] = FieldRule(
            policy=Policy(cfg.policy),
            prefer=tuple(cfg.prefer or ()),
            sources=frozenset(sources) if sources else None,
            targets=frozenset(targets) if targets else None,
        )
    return rules


def match_settings(settings: Settings) -> MatchSettings:
    m = settings.matching
    return MatchSettings(auto_link=m.auto_link, review=m.review, one_record_per_system=m.one_record_per_system,
                         shared_mailboxes=frozenset(m.shared_mailboxes), search=m.search)


def plan_settings(settings: Settings) -> PlanSettings:
    shared = frozenset(m.lower() for m in settings.matching.shared_mailboxes) or DEFAULT_ROLE_MAILBOXES
    return PlanSettings(ambiguous_order=tuple(AmbiguousOrder(step) for step in settings.sync.ambiguous_order),
                        role_addresses=RoleAddresses(shared))


def build_engine(settings: Settings, store: Store, *, connector_kwargs: Mapping[str, Any] | None = None) -> Engine:
    set_default_region(settings.matching.phone_region)
    connectors: dict[str, Connector] = {}
    rules: dict[str, SystemRules] = {}
    for name, cfg in settings.enabled_connectors().items():
        connector: Connector = build_connector(name, cfg, **(connector_kwargs or {}))
        connectors[name] = connector
        rules[name] = system_rules(connector, cfg)
    options = CycleOptions(max_delete_ratio=settings.sync.max_delete_ratio,
                           write_concurrency=settings.sync.write_concurrency)
    return Engine(store, connectors, rules, field_rules(settings), match_settings(settings), options,
                  plan_settings(settings))
