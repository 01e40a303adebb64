"""Settings of an ITFlow connector."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings

__all__ = ["ITFlowSettings"]


class ITFlowSettings(ConnectorSettings):
    type: Literal["itflow"] = "itflow"
    api_key: SecretStr
    #: where the contacts API lives under base_url
    api_path: str = "api/v1/contacts"
    clients_path: str = "api/v1/clients"
    #: rows per read (ITFlow's default is 50 and it has no ceiling; a page of notes-heavy rows is large)
    page_size: int = Field(100, ge=1, le=1000)
    #: delete.php is a hard delete: used only when this is true (otherwise archive)
    allow_hard_delete: bool = False
