"""Settings of a Cirrus 2 connector. Give ``x_token``, or ``client_id`` + ``client_secret`` for OAuth2."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from syncd.connectors.settings import ConnectorSettings

__all__ = ["CirrusSettings"]


class CirrusSettings(ConnectorSettings):
    type: Literal["cirrus"] = "cirrus"
    x_token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    #: the OAuth2 token endpoint (default: <base_url>/oauth/token)
    token_url: str | None = None
    contacts_path: str = "contacts"
    accounts_path: str = "accounts"
    #: send X-Fields masks on scans (smaller answers); off for an instance that mishandles them
    use_masks: bool = True
    #: token refreshes per call when Cirrus answers 401 to a token it just issued
    max_token_refreshes: int = Field(3, ge=1, le=10)
    per_page: int = Field(50, ge=1, le=50)
    #: refresh the bearer token this many seconds before it expires
    refresh_margin: float = Field(60.0, ge=0)

    @model_validator(mode="after")
    def _one_auth(self) -> CirrusSettings:
        if self.x_token is None and not (self.client_id and self.client_secret):
            raise ValueError("give x_token, or client_id and client_secret (OAuth2 client credentials)")
        return self
