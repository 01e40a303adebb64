"""Fault injection for the sandbox vendors: an ASGI middleware switchable at run time.

Every simulator is wrapped in :class:`FaultInjector`. ``PUT /_sandbox/faults`` with a JSON body of
:class:`FaultConfig` fields changes the faults; ``GET`` reads them with counts of what was injected;
``POST /_sandbox/expire-sessions`` drops every session/token the vendor app issued (through the app's
own hook). The admin paths are never subject to faults.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ADMIN_PREFIX", "FaultConfig", "FaultInjector"]

ADMIN_PREFIX = "/_sandbox"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(slots=True)
class FaultConfig:
    """Rates are probabilities per request, drawn in this order; at most one fault per request."""

    latency_ms: float = 0.0  # before the vendor acts on the request
    #: after the vendor acted, before it answers: the window in which a client may die having written
    response_latency_ms: float = 0.0
    error_rate: float = 0.0  # HTTP 500/502/503 with an empty or HTML body
    rate_limit_rate: float = 0.0  # HTTP 429 with Retry-After
    retry_after: float = 1.0
    timeout_rate: float = 0.0  # no answer for timeout_seconds
    timeout_seconds: float = 30.0
    malformed_rate: float = 0.0  # HTTP 200 with a truncated or HTML body
    drop_rate: float = 0.0  # the connection closes mid-answer
    session_expiry_rate: float = 0.0  # the vendor forgets sessions (handled by the app's hook)
    #: only requests whose method is in this list are faulted (empty: all)
    methods: tuple[str, ...] = ()
    seed: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        values = dict(data)
        if "methods" in values:
            values["methods"] = tuple(str(m).upper() for m in values["methods"])
        return cls(**values)


class FaultInjector:
    """Wraps a vendor app; ``expire_sessions`` is the app's hook to forget its sessions."""

    def __init__(self, app: ASGIApp, *, expire_sessions: Callable[[], None] | None = None) -> None:
        self.app = app
        self.config = FaultConfig()
        self.expire_sessions = expire_sessions or (lambda: None)
        self.injected: Counter[str] = Counter()
        self.requests = 0
        self._rng = random.Random()
        #: request id answered 429 -> when; and the measured gaps until the same request came again
        self._limited: dict[str, float] = {}
        self.retry_gaps: list[float] = []

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(ADMIN_PREFIX + "/faults") or path.startswith(ADMIN_PREFIX + "/expire-sessions"):
            await self._admin(scope, receive, send)
            return
        if path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        self.requests += 1
        cfg = self.config
        self._note_retry(scope)
        if cfg.latency_ms:
            await asyncio.sleep(cfg.latency_ms / 1000.0)
        if cfg.methods and scope["method"] not in cfg.methods:
            await self.app(scope, receive, send)
            return
        if cfg.response_latency_ms:
            send = _delayed(send, cfg.response_latency_ms / 1000.0)
        fault = self._draw()
        if fault is None:
            await self.app(scope, receive, send)
            return
        self.injected[fault] += 1
        if fault == "session_expiry":
            self.expire_sessions()
            await self.app(scope, receive, send)
        elif fault == "error":
            status = self._rng.choice((500, 502, 503))
            body = b"" if self._rng.random() < 0.5 else b"<html><body><h1>Bad Gateway</h1></body></html>"
            await _respond(send, status, body, b"text/html")
        elif fault == "rate_limit":
            key = _request_key(scope)
            if key is not None:
                self._limited[key] = time.monotonic()
            await _respond(send, 429, b'{"error": "Too many requests"}', b"application/json",
                           extra=[(b"retry-after", str(cfg.retry_after).encode())])
        elif fault == "timeout":
            await asyncio.sleep(cfg.timeout_seconds)
            await _respond(send, 504, b"", b"text/plain")
        elif fault == "malformed":
            body = b'{"result": true, "entities": [{"id": "1", "na' if self._rng.random() < 0.5 else (
                b"<!DOCTYPE html><html><body>Maintenance</body></html>")
            await _respond(send, 200, body, b"application/json")
        elif fault == "drop":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
            await send({"type": "http.response.body", "body": b'{"partial": ', "more_body": True})
            raise ConnectionResetError("sandbox: connection dropped on purpose")

    def _note_retry(self, scope: Scope) -> None:
        """Measure how long a client waited before repeating a request that was answered 429."""
        key = _request_key(scope)
        limited_at = self._limited.pop(key, None) if key is not None else None
        if limited_at is not None:
            self.retry_gaps.append(time.monotonic() - limited_at)

    def _draw(self) -> str | None:
        cfg = self.config
        roll = self._rng.random()
        for name, rate in (
            ("error", cfg.error_rate),
            ("rate_limit", cfg.rate_limit_rate),
            ("timeout", cfg.timeout_rate),
            ("malformed", cfg.malformed_rate),
            ("drop", cfg.drop_rate),
            ("session_expiry", cfg.session_expiry_rate),
        ):
            if roll < rate:
                return name
            roll -= rate
        return None

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if scope["path"].startswith(ADMIN_PREFIX + "/expire-sessions") and method == "POST":
            self.expire_sessions()
            await _respond(send, 200, b'{"expired": true}', b"application/json")
            return
        if method == "PUT":
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            try:
                self.configure(FaultConfig.from_json(json.loads(body or b"{}")))
            except (ValueError, TypeError) as exc:
                await _respond(send, 400, json.dumps({"error": str(exc)}).encode(), b"application/json")
                return
        gaps = sorted(self.retry_gaps)
        state = {"config": dataclasses.asdict(self.config), "requests": self.requests,
                 "injected": dict(self.injected),
                 "retries_after_429": {"count": len(gaps), "min_seconds": gaps[0] if gaps else None,
                                       "median_seconds": gaps[len(gaps) // 2] if gaps else None}}
        await _respond(send, 200, json.dumps(state).encode(), b"application/json")


def _request_key(scope: Scope) -> str | None:
    """The client's request id (the same on every retry of one call), or ``None`` without one: then a
    repeat cannot be told from a new request with the same URL, and it is not measured."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return str(value.decode("latin-1"))
    return None


def _delayed(send: Send, seconds: float) -> Send:
    async def delayed_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(seconds)
        await send(message)

    return delayed_send


async def _respond(
    send: Send, status: int, body: bytes, content_type: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
