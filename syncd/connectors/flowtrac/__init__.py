"""Flowtrac (warehouse / inventory): cookie sessions, space-named string columns, one big array per list."""

from syncd.connectors.flowtrac.client import FlowtracConnector
from syncd.connectors.flowtrac.resource import FlowtracResource
from syncd.connectors.flowtrac.settings import FlowtracSettings

__all__ = ["FlowtracConnector", "FlowtracResource", "FlowtracSettings"]
