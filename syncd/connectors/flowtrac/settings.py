"""Settings of a Flowtrac connector."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings

__all__ = ["FlowtracSettings"]


class FlowtracSettings(ConnectorSettings):
    type: Literal["flowtrac"] = "flowtrac"
    badge: str
    pin: SecretStr
    #: the session cookie's name: public clients see "flow_auth", our doc says "user"
    cookie_name: Literal["flow_auth", "user"] = "flow_auth"
    login_path: str = "device-login/"
    contacts_path: str = "contacts"
    #: which contacts take part, in Flowtrac's filter grammar, e.g. {"type" = "Customer"} or
    #: {"type-in" = "Customer,Vendor"}, {"email-isnotnull" = ""}
    filters: dict[str, str] = Field(default_factory=dict)
    #: write address1, city, zipcode and country. Our doc lists them as GET filter columns only (addresses
    #: are records of their own): turn this on only after checking that your instance accepts them on PUT
    write_addresses: bool = False
