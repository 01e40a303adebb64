"""Settings every connector shares; each vendor package subclasses :class:`ConnectorSettings`.

Secrets are :class:`pydantic.SecretStr`. Any secret field ``x`` may instead be given as ``x_file``, a
path whose content (trimmed) becomes the secret: the systemd ``LoadCredential=`` and Docker secrets way.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from syncd.connectors.http import HttpSettings

__all__ = ["ConnectorSettings", "read_secret_files"]


def read_secret_files(cls: type[BaseModel], data: Any) -> Any:
    """Replace ``<secret>_file`` keys with the file's content under ``<secret>``."""
    if not isinstance(data, dict):
        return data
    secret_fields = {
        name for name, info in cls.model_fields.items() if info.annotation in (SecretStr, SecretStr | None)
    }
    out = dict(data)
    for key in list(out):
        if not key.endswith("_file"):
            continue
        stem = key[: -len("_file")]
        if stem not in secret_fields:
            continue
        path = Path(str(out.pop(key)))
        try:
            out[stem] = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"cannot read {key} {str(path)!r}: {exc.strerror or exc}") from None
    return out


class ConnectorSettings(BaseModel):
    """What every ``[connectors.NAME]`` section may hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    enabled: bool = True
    base_url: str
    poll_interval: float = Field(300.0, gt=0, description="seconds between scans")
    poll_jitter: float = Field(15.0, ge=0, description="random seconds added to each interval")
    rate_limit: float = Field(10.0, gt=0, description="requests per second")
    burst: int = Field(10, ge=1)
    concurrency: int = Field(4, ge=1, le=64, description="parallel requests (pages, writes)")
    timeout: float = Field(30.0, gt=0)
    retries: int = Field(4, ge=0, le=20)
    verify_tls: bool = True
    #: the longest a scan may stay unsuccessful before /readyz reports the connector unhealthy
    max_staleness: float = Field(3600.0, gt=0)
    #: may syncd create contacts here that exist only in other systems?
    receive_creates: bool = True
    #: what a deletion or deactivation elsewhere does here
    on_remote_delete: Literal["ignore", "deactivate", "delete"] = "deactivate"
    #: company name (as other systems write it) -> this vendor's company/account/client/customer id
    company_map: dict[str, str] = Field(default_factory=dict)
    default_company_id: str | None = None
    #: take part only with active contacts
    only_active: bool = False
    #: the zone of vendor timestamps written without an offset (ITFlow's MariaDB ``NOW()``, Flowtrac's
    #: ``edited``): an IANA name such as "Europe/Stockholm"
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name (e.g. UTC, Europe/Stockholm)") from None
        return value

    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @model_validator(mode="before")
    @classmethod
    def _secret_files(cls, data: Any) -> Any:
        return read_secret_files(cls, data)

    def http_settings(self) -> HttpSettings:
        return HttpSettings(
            timeout=self.timeout,
            retries=self.retries,
            rate_per_second=self.rate_limit,
            burst=self.burst,
            max_connections=max(self.concurrency, 2),
            verify_tls=self.verify_tls,
        )
