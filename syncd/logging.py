"""Logging through structlog: console on a terminal, JSON lines otherwise, secrets redacted everywhere.

Every event carries ``connector`` and ``run_id`` when they are bound (:func:`bound`). The redactor
replaces configured secrets (and ones learned at run time, such as a fresh OAuth token) anywhere in
an event — message, nested values, exception text — and masks anything that looks like a credential
in headers or URLs. The standard library's loggers (httpx, uvicorn, apscheduler, alembic) go
through the same processors.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog

__all__ = ["add_secret", "bound", "configure_logging", "redact", "redact_text"]

MASK = "********"
_secrets: set[str] = set()
_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*(?:bearer|basic|token)?\s*)([^\s,;\"']+)"),
    re.compile(r"(?i)(x-token\s*[:=]\s*)([^\s,;\"']+)"),
    re.compile(r"(?i)([?&;\s\"'](?:api_key|apikey|token|access_token|pin|password|passwd|secret|client_secret)"
               r"[\"']?\s*[=:]\s*[\"']?)([^&\s,;\"'}]+)"),
    re.compile(r"(?i)((?:flow_auth|user|session|sessionid)=)([^;\s,\"']{8,})"),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/-]+=*)"),
    re.compile(r"(://[^/\s:@]+:)([^@\s/]+)(@)"),
]


def add_secret(value: str | None) -> None:
    """Redact this value from now on (short values are ignored: they would mask ordinary words)."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact_text(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK + (m.group(3) if m.lastindex == 3 else ""), text)
    return text


def redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: MASK if _secret_key(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return type(value)(redact(v) for v in value) if not isinstance(value, set) else [redact(v) for v in value]
    if isinstance(value, BaseException):
        return redact_text(f"{value.__class__.__name__}: {value}")
    return value


def _secret_key(key: Any) -> bool:
    return isinstance(key, str) and key.lower() in {"token", "api_key", "pin", "password", "client_secret",
                                                    "authorization", "x-token", "x_token", "secret", "cookie"}


def _redact_processor(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        event[key] = MASK if _secret_key(key) else redact(event[key])
    return event


@contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Bind ``connector=…`` / ``run_id=…`` to every event logged inside the block."""
    with structlog.contextvars.bound_contextvars(**values):
        yield


def configure_logging(level: str = "INFO", fmt: str = "auto", secrets: Iterable[str] = (),
                      stream: TextIO | None = None) -> None:
    for secret in secrets:
        add_secret(secret)
    stream = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        _redact_processor,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(
        colors=stream.isatty())
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=[
        structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "uvicorn.access", "apscheduler.scheduler", "alembic.runtime"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
