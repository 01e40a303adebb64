"""Configuration: a TOML file with environment overrides (pydantic-settings).

Search order for the file: ``--config PATH``, ``./config.toml``, ``/etc/syncd/config.toml``; with none,
the built-in defaults run against the local sandbox. Environment variables ``SYNCD_<SECTION>__<KEY>``
override the file (``SYNCD_CONNECTORS__ITFLOW__API_KEY``). A wrong file fails with one line per problem.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from syncd.connectors.registry import CONNECTOR_TYPES, settings_class
from syncd.connectors.settings import ConnectorSettings
from syncd.errors import ConfigError
from syncd.model import CANONICAL_FIELDS
from syncd.store.repository import default_sqlite_url

__all__ = ["SEARCH_PATH", "Settings", "find_config", "load_settings", "render_effective"]

SEARCH_PATH = (Path("config.toml"), Path("/etc/syncd/config.toml"))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = ""
    auto_upgrade: bool = True


class LogSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["auto", "json", "console"] = "auto"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


DEFAULT_SHARED_MAILBOXES = ("info", "sales", "support", "office", "admin", "contact", "hello", "team", "billing",
                            "noreply", "no-reply", "accounts", "service", "help", "mail", "enquiries")


class MatchingSettings(_Section):
    auto_link: float = Field(0.9, ge=0, le=1)
    review: float = Field(0.6, ge=0, le=1)
    #: "no create without a search": a would-be new person whose best candidate elsewhere reaches this
    #: match probability is held for review instead of being created (looser than ``review``)
    search: float = Field(0.4, ge=0, le=1)
    one_record_per_system: bool = True
    shared_mailboxes: list[str] = Field(default_factory=lambda: list(DEFAULT_SHARED_MAILBOXES))
    phone_region: str = Field("US", min_length=2, max_length=2)

    @model_validator(mode="after")
    def _ordered(self) -> MatchingSettings:
        if self.review > self.auto_link:
            raise ValueError(f"review ({self.review}) must not be above auto_link ({self.auto_link})")
        if self.search > self.review:
            raise ValueError(f"search ({self.search}) must not be above review ({self.review})")
        return self


AmbiguousStep = Literal["prefer", "known_time", "latest_seen", "manual"]


class SyncSettings(_Section):
    max_delete_ratio: float = Field(0.1, ge=0, le=1)
    #: deletions at or below this count never trip the ratio guard (small systems)
    delete_guard_min: int = Field(5, ge=0)
    write_concurrency: int = Field(4, ge=1, le=64)
    #: how edits whose order cannot be known are decided (a vendor time missing or unreadable): the steps
    #: are tried in turn — "prefer" (the field's prefer list), "known_time" (the edit whose vendor time is
    #: known), "latest_seen" (the edit syncd saw last), "manual" (a conflict for an admin)
    ambiguous_order: list[AmbiguousStep] = Field(
        default_factory=lambda: list[AmbiguousStep](("prefer", "known_time", "manual")), min_length=1)


class ServerSettings(_Section):
    enabled: bool = True
    listen: str = "127.0.0.1:9188"

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:9188")
        return value


class ConsoleUser(_Section):
    """One person who may log in to the console. ``password_hash`` is argon2 (``syncd console adduser`` writes one)."""

    role: Literal["admin", "viewer"] = "viewer"
    password_hash: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _hash_file(cls, data: Any) -> Any:
        from syncd.connectors.settings import read_secret_files

        return read_secret_files(cls, data)

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("$argon2"):
            raise ValueError("must be an argon2 hash ($argon2id$...): `syncd console adduser NAME` writes one")
        return value


class ConsoleSettings(_Section):
    """The admin console (``/console`` on the daemon's listener, or ``syncd console`` alone)."""

    #: serve it from ``syncd run``; ``syncd console`` serves it whatever this says
    enabled: bool = False
    #: more users, kept apart from the configuration (``syncd console adduser`` writes it); read again at each
    #: login, so a user added while syncd runs can log in at once. Default: console-users.toml beside the
    #: configuration file (or in the working directory without one)
    users_file: str = ""
    users: dict[str, ConsoleUser] = Field(default_factory=dict)
    #: signs the session cookies; empty: a random key for each process (everybody logs in again after a
    #: restart; set it when several replicas serve the console behind one address)
    session_secret: SecretStr | None = None
    session_hours: float = Field(12.0, gt=0, le=24 * 30)
    #: ``auto``: cookies are ``Secure`` when the request came over https (directly or, from a proxy on
    #: 127.0.0.1, as ``X-Forwarded-Proto: https``); ``always`` or ``never`` to say so
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    #: system -> a URL template of a record's page in that vendor's web UI: {id}, {company_id}
    record_links: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _secret_file(cls, data: Any) -> Any:
        from syncd.connectors.settings import read_secret_files

        return read_secret_files(cls, data)


class SandboxSettings(_Section):
    #: start the simulated vendors inside syncd when connectors point at them: auto (if nothing listens), never
    embedded: Literal["auto", "never"] = "auto"
    seed: int = 7
    contacts: int = Field(200, ge=0, le=1_000_000)
    #: who writes the seeded people: "people" (syncd.sandbox.people) or "other" (syncd.sandbox.othergen, a
    #: generator written apart from the matcher, to test it on data it was not tuned on)
    generator: Literal["people", "other"] = "people"
    port_base: int = Field(8701, ge=1, le=65532)
    state_file: str | None = None


class FieldSettings(_Section):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    policy: Literal["lww", "prefer", "non_empty", "manual"] = "lww"
    prefer: list[str] = Field(default_factory=list)
    from_: list[str] | None = Field(None, alias="from")
    to: list[str] | None = None

    @model_validator(mode="after")
    def _prefer_needs_systems(self) -> FieldSettings:
        if self.policy == "prefer" and not self.prefer:
            raise ValueError("policy = \"prefer\" needs prefer = [systems, in order]")
        return self


def _sandbox_connectors() -> dict[str, dict[str, Any]]:
    """The built-in connectors: the local sandbox on its default ports (as `syncd sandbox` serves it)."""
    from syncd.sandbox.defaults import SANDBOX_CONNECTORS

    return {name: dict(values) for name, values in SANDBOX_CONNECTORS.items()}


FieldName = Literal["given_name", "family_name", "full_name", "email", "emails", "phone_office", "phone_mobile", "fax",
                    "title", "department", "company", "street", "city", "zip", "country", "active", "notes", "locale"]
assert set(FieldName.__args__) == set(CANONICAL_FIELDS)  # type: ignore[attr-defined]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SYNCD_", env_nested_delimiter="__", extra="forbid",
                                      frozen=True, case_sensitive=False)

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    connectors: dict[str, Any] = Field(default_factory=_sandbox_connectors)
    fields: dict[FieldName, FieldSettings] = Field(default_factory=dict)
    #: the file these settings came from (None: built-in defaults)
    source: str | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file; the file is passed in as init values.
        return env_settings, init_settings

    @field_validator("connectors", mode="after")
    @classmethod
    def _typed_connectors(cls, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, ConnectorSettings] = {}
        problems: list[str] = []
        for name, raw in value.items():
            if isinstance(raw, ConnectorSettings):
                out[name] = raw
                continue
            if not isinstance(raw, Mapping):
                problems.append(f"connectors.{name}: must be a table")
                continue
            kind = raw.get("type")
            if kind not in CONNECTOR_TYPES:
                problems.append(f"connectors.{name}.type: {kind!r} is not a connector type "
                                f"(known: {', '.join(sorted(CONNECTOR_TYPES))})")
                continue
            try:
                out[name] = settings_class(kind).model_validate(dict(raw))
            except ValidationError as exc:
                problems.extend(_problems(exc, prefix=f"connectors.{name}", data=raw))
        if problems:
            raise ValueError("\n".join(problems))
        return out

    @model_validator(mode="after")
    def _systems_exist(self) -> Settings:
        names = set(self.connectors)
        problems = []
        for field, cfg in self.fields.items():
            for key, systems in (("prefer", cfg.prefer), ("from", cfg.from_ or []), ("to", cfg.to or [])):
                missing = [s for s in systems if s not in names]
                if missing:
                    problems.append(f"fields.{field}.{key}: {', '.join(missing)} is not a configured connector")
        if problems:
            raise ValueError("\n".join(problems))
        if not self.database.url:
            object.__setattr__(self, "database", DatabaseSettings(url=default_sqlite_url(),
                                                                  auto_upgrade=self.database.auto_upgrade))
        return self

    def enabled_connectors(self) -> dict[str, ConnectorSettings]:
        return {name: cfg for name, cfg in self.connectors.items() if cfg.enabled}

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log redactor."""
        out = []
        for cfg in self.connectors.values():
            for name in type(cfg).model_fields:
                value = getattr(cfg, name)
                if isinstance(value, SecretStr) and value.get_secret_value():
                    out.append(value.get_secret_value())
        for user in self.console.users.values():
            if user.password_hash is not None:
                out.append(user.password_hash.get_secret_value())
        if self.console.session_secret is not None and self.console.session_secret.get_secret_value():
            out.append(self.console.session_secret.get_secret_value())
        if "@" in self.database.url and ":" in self.database.url.split("@")[0].split("//")[-1]:
            out.append(self.database.url.split("//", 1)[-1].split("@")[0].split(":", 1)[1])
        return out

    def warnings(self) -> list[str]:
        notes = []
        for name, cfg in self.connectors.items():
            if not cfg.verify_tls:
                notes.append(f"connectors.{name}.verify_tls = false: TLS certificates are NOT checked")
            if cfg.base_url.startswith("http://") and not any(h in cfg.base_url for h in ("127.0.0.1", "localhost")):
                notes.append(f"connectors.{name}.base_url uses plain http to a remote host")
        return notes


_SECRET_KEYS = {"token", "x_token", "pin", "password", "api_key", "client_secret", "secret", "password_hash",
                "session_secret"}


def _mask(path: str, value: Any) -> str:
    return "********" if path.rsplit(".", 1)[-1].lower() in _SECRET_KEYS else repr(value)


def _problems(exc: ValidationError, prefix: str = "", data: Any = None) -> list[str]:
    """One line per problem: the key path, the reason, and the bad value (masked when secret)."""
    lines: list[str] = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"]
                       if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]")))
        path = ".".join(p for p in (prefix, loc) if p)
        if error["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown key")
        elif error["type"] == "missing":
            lines.append(f"{path}: required and missing")
        elif error["type"] == "value_error":
            # our own validators already name their keys when they span several
            for part in str(error["msg"]).removeprefix("Value error, ").split("\n"):
                lines.append(part if (not loc and ":" in part) or part.startswith("connectors.") else f"{path}: {part}")
        else:
            lines.append(f"{path}: {error['msg']} (got {_mask(path, error.get('input'))})")
    return lines


def find_config(path: Path | None) -> Path | None:
    if path is not None:
        return path
    env = os.environ.get("SYNCD_CONFIG")
    if env:
        return Path(env)
    for candidate in SEARCH_PATH:
        if candidate.exists():
            return candidate
    return None


def load_settings(path: Path | None = None) -> Settings:
    """Read, merge with the environment, and validate. Raises :class:`ConfigError` (one line per problem)."""
    found = find_config(path)
    data: dict[str, Any] = {}
    if found is not None:
        try:
            data = tomllib.loads(found.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"{found}: no such file"]) from None
        except OSError as exc:
            raise ConfigError([f"{found}: cannot be read ({exc.strerror})"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{found}: not valid TOML: {exc}"]) from None
        base = found.resolve().parent
        url = data.get("database", {}).get("url") if isinstance(data.get("database"), dict) else None
        if isinstance(url, str) and url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            data["database"]["url"] = "sqlite:///" + str((base / url.removeprefix("sqlite:///")).resolve())
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        where = f"{found}: " if found else ""
        raise ConfigError([where + line for line in _problems(exc)]) from None
    object.__setattr__(settings, "source", str(found) if found else None)
    return settings


def render_effective(settings: Settings) -> str:
    """The effective configuration as TOML-like text, with every secret masked."""
    lines = [f"# effective configuration ({settings.source or 'built-in defaults'})"]
    for section in ("database", "log", "matching", "sync", "server", "sandbox"):
        lines.append(f"\n[{section}]")
        for key, value in getattr(settings, section).model_dump().items():
            lines.append(f"{key} = {_toml(value)}")
    console = settings.console
    lines.append("\n[console]")
    for key in ("enabled", "users_file", "session_hours", "secure_cookies", "record_links"):
        lines.append(f"{key} = {_toml(getattr(console, key))}")
    masked = '"********"'
    lines.append(f"session_secret = {masked if console.session_secret else _toml(None)}")
    for name, user in console.users.items():
        lines.append(f"\n[console.users.{name}]")
        lines.append(f"role = {_toml(user.role)}")
        lines.append(f"password_hash = {masked if user.password_hash else _toml(None)}")
    for name, cfg in settings.connectors.items():
        lines.append(f"\n[connectors.{name}]")
        for key in type(cfg).model_fields:
            value = getattr(cfg, key)
            shown = '"********"' if isinstance(value, SecretStr) else _toml(value)
            lines.append(f"{key} = {shown}")
    for name, cfg in settings.fields.items():
        lines.append(f"\n[fields.{name}]")
        for key, value in cfg.model_dump(by_alias=True).items():
            if value is not None:
                lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return '""  # unset'
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k!r} = {_toml(v)}".replace("'", '"') for k, v in value.items()) + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
