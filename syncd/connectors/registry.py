"""Connector types by name: their settings model and their class, imported only when used."""

from __future__ import annotations

import importlib
from typing import Any

from syncd.connectors.settings import ConnectorSettings

__all__ = ["CONNECTOR_TYPES", "build_connector", "settings_class"]

#: type name -> (module, settings class, connector class)
CONNECTOR_TYPES: dict[str, tuple[str, str, str]] = {
    "memory": ("syncd.connectors.memory", "MemorySettings", "MemoryConnector"),
    "flowtrac": ("syncd.connectors.flowtrac", "FlowtracSettings", "FlowtracConnector"),
    "lightening": ("syncd.connectors.lightening", "LighteningSettings", "LighteningConnector"),
    "itflow": ("syncd.connectors.itflow", "ITFlowSettings", "ITFlowConnector"),
    "cirrus": ("syncd.connectors.cirrus", "CirrusSettings", "CirrusConnector"),
}


def settings_class(type_name: str) -> type[ConnectorSettings]:
    """The settings model for a connector type; ``KeyError`` for an unknown type."""
    module, settings_name, _ = CONNECTOR_TYPES[type_name]
    cls: type[ConnectorSettings] = getattr(importlib.import_module(module), settings_name)
    return cls


def build_connector(name: str, settings: ConnectorSettings, **kwargs: Any) -> Any:
    """An instance of the connector for ``settings.type`` (extra kwargs: ``transport``, ``sleep``)."""
    module, _, class_name = CONNECTOR_TYPES[settings.type]
    cls = getattr(importlib.import_module(module), class_name)
    return cls(name, settings, **kwargs)
