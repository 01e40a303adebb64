"""Settings of a Lightening connector."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from syncd.connectors.settings import ConnectorSettings

__all__ = ["LighteningSettings"]


class LighteningSettings(ConnectorSettings):
    type: Literal["lightening"] = "lightening"
    token: SecretStr
    #: how the token is written in the Authorization header ("Bearer {token}", or "{token}" alone)
    token_format: str = "Bearer {token}"  # noqa: S105  (a format, not a secret)
    #: customers whose contacts take part; empty: every customer from GET /customer
    customer_ids: list[int] = Field(default_factory=list)
    #: customers asked for in one list call
    customers_per_call: int = Field(20, ge=1, le=500)
    page_size: int = Field(500, ge=1, le=5000)
    #: how this instance pages lists (undocumented): "auto" finds out by asking for a second page in the usual
    #: forms (offset/limit, page/limit, page/per_page, start/length); "START/SIZE" names the parameters
    #: (a START named offset, start, skip, from or first counts items from 0, any other pages from 1);
    #: "none": the instance does not page (each customer is then read in one call)
    paging: str = "auto"

    @field_validator("paging")
    @classmethod
    def _paging_form(cls, value: str) -> str:
        from syncd.connectors.lightening.paging import parse_form

        parse_form(value)
        return value.strip().lower()

    @field_validator("token_format")
    @classmethod
    def _has_token(cls, value: str) -> str:
        if "{token}" not in value:
            raise ValueError('must contain {token}, e.g. "Bearer {token}"')
        return value
