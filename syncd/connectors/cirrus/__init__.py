"""Cirrus 2 (CRM): X-Token or OAuth2 bearer, X-Fields masks, page/per_page paging, accounts, externalkey."""

from syncd.connectors.cirrus.client import CirrusConnector
from syncd.connectors.cirrus.settings import CirrusSettings

__all__ = ["CirrusConnector", "CirrusSettings"]
