"""Checks at start that only a vendor can answer: is every configured company id a company there?

A ``default_company_id`` or ``company_map`` id that is no company in the vendor is a configuration error,
and a costly one: the real ITFlow accepts an unknown client id and files the contact under a client that
does not exist, so every create would make an orphan nobody sees. ``syncd --reconcile`` and ``syncd run``
refuse to start on it (exit code 2, one line per problem, naming the key, the value and the reason).
A vendor that cannot be asked right now (down, credentials refused) is not a configuration error: its
ids are left unchecked with a warning, and the cycle reports that vendor's own failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import structlog

from syncd.connectors.companies import fold_company
from syncd.errors import ConfigError, ConnectorError

__all__ = ["check_company_ids", "check_settings"]

log = structlog.get_logger("syncd.preflight")

_KIND = {"itflow": "client", "lightening": "customer", "cirrus": "account"}


def _configured(settings: Any) -> list[tuple[str, str | None, str]]:
    """(config key, company name or None, company id) for every id the admin configured."""
    out: list[tuple[str, str | None, str]] = []
    default = getattr(settings, "default_company_id", None)
    if default not in (None, ""):
        out.append(("default_company_id", None, str(default)))
    for name, company_id in dict(getattr(settings, "company_map", {}) or {}).items():
        out.append((f"company_map.{_quoted(name)}", str(name), str(company_id)))
    return out


def _quoted(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else f'"{key}"'


def _listed(companies: Mapping[str, str], limit: int = 8) -> str:
    shown = ", ".join(f"{cid} {name!r}" for cid, name in list(companies.items())[:limit])
    more = f", … {len(companies) - limit} more" if len(companies) > limit else ""
    return f"it lists {len(companies)}: {shown}{more}" if companies else "it lists none"


async def check_company_ids(connectors: Mapping[str, Any]) -> list[str]:
    """Warnings (ids left unchecked, a name that does not look like its company); raises
    :class:`ConfigError` with one line per configured id the vendor does not have."""
    problems: list[str] = []
    warnings: list[str] = []

    async def one(name: str, connector: Any) -> None:
        settings = getattr(connector, "settings", None)
        configured = _configured(settings)
        if not configured or not hasattr(connector, "companies"):
            return
        try:
            companies = dict(await connector.companies())
        except ConnectorError as exc:
            warnings.append(f"connectors.{name}: company ids not checked, the company list could not be read: "
                            f"{exc.message}")
            return
        kind = _KIND.get(str(getattr(settings, "type", "")), "company")
        if not companies and not connector.capabilities.needs_company:
            return  # a vendor without a company list (Flowtrac): nothing to check against
        for key, company_name, company_id in configured:
            if company_id not in companies:
                problems.append(f"connectors.{name}.{key} = {company_id!r}: not an existing {kind} in {name} "
                                f"({_listed(companies)})")
            elif company_name is not None and fold_company(company_name) != fold_company(companies[company_id]):
                warnings.append(f"connectors.{name}.{key} = {company_id!r}: that {kind} is named "
                                f"{companies[company_id]!r} in {name}")

    await asyncio.gather(*(one(name, connector) for name, connector in connectors.items()))
    for warning in warnings:
        log.warning("preflight", problem=warning)
    if problems:
        raise ConfigError(sorted(problems))
    return warnings


def check_settings(settings: Any) -> list[str]:
    """:func:`check_company_ids` for a loaded configuration, with connectors of its own (closed after):
    for a caller outside an event loop (``syncd --reconcile`` before its cycle)."""
    from syncd.connectors.registry import build_connector

    async def run() -> list[str]:
        connectors = {name: build_connector(name, cfg) for name, cfg in settings.enabled_connectors().items()
                      if cfg.default_company_id or cfg.company_map}
        try:
            return await check_company_ids(connectors)
        finally:
            for connector in connectors.values():
                await connector.aclose()

    return asyncio.run(run())
