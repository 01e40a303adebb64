"""Settings of a Lightening connector."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings

__all__ = ["LighteningSettings"]


class LighteningSettings(ConnectorSettings):
    type: Literal["lightening"] = "lightening"
    token: SecretStr
    #: how the token is written in the Authorization header ("{token}" or "Bearer {token}")
    token_format: str = "{token}"  # noqa: S105  (a format, not a secret)
    #: customers whose contacts take part; empty: every customer from GET /customer
    customer_ids: list[int] = Field(default_factory=list)
    #: customers asked for in one list call
    customers_per_call: int = Field(20, ge=1, le=500)
    page_size: int = Field(500, ge=1, le=5000)
