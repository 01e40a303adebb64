"""Lightening (freight ordering portal): contacts listed per customer, HTTP-200 errors, a GET that deletes."""

from syncd.connectors.lightening.client import LighteningConnector
from syncd.connectors.lightening.settings import LighteningSettings

__all__ = ["LighteningConnector", "LighteningSettings"]
