"""Shared HTTP machinery for every vendor connector.

One :class:`VendorHTTP` per connector owns an ``httpx.AsyncClient`` (timeouts, keep-alive), a token
bucket for the vendor's rate limit, the auth strategy (with one refresh on 401/403), retries with
exponential backoff and full jitter, ``Retry-After``, and the single place where an HTTP answer is
turned into a :class:`~syncd.errors.ConnectorError`.

Retries are safe only where repeating the call cannot do something twice. An idempotent call is
retried on any transient failure. A non-idempotent call (a create, Lightening's GET-that-deletes)
is retried only when the vendor certainly never acted on it: the connection was never made, or the
vendor refused it with 429. Anything else is raised, and the engine checks before it tries again.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from syncd import metrics
from syncd.errors import (
    AuthError,
    ConnectorError,
    NotFoundError,
    ProtocolError,
    RateLimited,
    RejectedError,
    RetriableError,
)

__all__ = [
    "Auth",
    "HttpSettings",
    "NoAuth",
    "TokenBucket",
    "VendorHTTP",
    "decode_json",
]

#: sent with every call, unchanged across its retries
REQUEST_ID_HEADER = "X-Request-ID"

Sleep = Callable[[float], Awaitable[None]]
Check = Callable[[Any, httpx.Response], None]


class Auth(Protocol):
    """How a connector authenticates. ``refresh`` is called after a 401/403, then the call is retried; at
    most ``max_refreshes`` times per call (an attribute, 1 when absent; 0 for a static key that no refresh
    can change)."""

    async def apply(self, http: VendorHTTP, request: httpx.Request) -> None: ...

    async def refresh(self, http: VendorHTTP) -> None: ...


class NoAuth:
    max_refreshes = 0

    async def apply(self, http: VendorHTTP, request: httpx.Request) -> None:
        return None

    async def refresh(self, http: VendorHTTP) -> None:
        return None


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout: float = 30.0
    connect_timeout: float = 10.0
    retries: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    #: the longest Retry-After we obey; a vendor asking for more gets a RateLimited error instead
    retry_after_max: float = 120.0
    rate_per_second: float = 10.0
    burst: int = 10
    max_connections: int = 8
    verify_tls: bool = True


class TokenBucket:
    """A token bucket: at most ``rate`` calls per second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = float(max(1, burst))
        self._tokens = self.capacity
        self._clock = clock
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self, sleep: Sleep = asyncio.sleep) -> None:
        async with self._lock:
            self._refill()
            while self._tokens < 1.0:
                await sleep((1.0 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_PHP_NOISE = (b"<br", b"Warning:", b"Notice:", b"Deprecated:", b"Fatal error:", b"PHP ")


def decode_json(system: str, response: httpx.Response) -> Any:
    """The JSON body, tolerating PHP warnings printed before it; ProtocolError for anything else."""
    body = response.content.strip()
    where = f"{response.request.method} {response.request.url.path}"
    if not body:
        raise ProtocolError(system, f"{where} answered HTTP {response.status_code} with an empty body",
                            status=response.status_code)
    if body[:1] not in (b"{", b"["):
        start = min((i for i in (body.find(b"{"), body.find(b"[")) if i >= 0), default=-1)
        if start < 0 or not body.startswith(_PHP_NOISE):
            kind = "an HTML page" if body[:1] == b"<" else "a non-JSON body"
            raise ProtocolError(system, f"{where} answered HTTP {response.status_code} with {kind}",
                                status=response.status_code)
        body = body[start:]
    try:
        # bytes that are not UTF-8 (a vendor storing Latin-1 in one row) become U+FFFD, not a lost page
        return json.loads(body.decode("utf-8", "replace"))
    except ValueError as exc:
        raise ProtocolError(system, f"{where} answered malformed JSON ({exc.__class__.__name__})",
                            status=response.status_code) from None


def _message_from(body: bytes) -> str:
    """A short vendor message for an error answer, without echoing large or binary bodies."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(data, dict):
        for key in ("error", "message", "msg", "errors", "detail"):
            if data.get(key):
                return str(data[key])[:300]
    return ""


class VendorHTTP:
    """The HTTP client of one connector: rate limit, auth, retries, and status→error mapping."""

    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        auth: Auth | None = None,
        settings: HttpSettings | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.system = system
        self.settings = settings or HttpSettings()
        self.auth: Auth = auth or NoAuth()
        self.sleep = sleep
        self._rng = rng or random.Random()  # jitter only, not security
        self.bucket = TokenBucket(self.settings.rate_per_second, self.settings.burst)
        s = self.settings
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(s.timeout, connect=s.connect_timeout),
            limits=httpx.Limits(max_connections=s.max_connections, max_keepalive_connections=s.max_connections),
            headers=dict(headers or {}),
            verify=s.verify_tls,
            transport=transport,
            follow_redirects=False,
        )
        self.requests_made = 0
        self.retries_made = 0
        self.waited_for_retry_after = 0.0

    async def aclose(self) -> None:
        await self.client.aclose()

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random delay up to ``base * 2**attempt`` (capped)."""
        ceiling = min(self.settings.backoff_max, self.settings.backoff_base * (2**attempt))
        return self._rng.uniform(0, ceiling)

    async def request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Any = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticate: bool = True,
        check: Check | None = None,
        decode: bool = True,
        stream: bool = False,
    ) -> Any:
        """Send one call with the retry policy; return the decoded JSON (or the response if not ``decode``).

        ``check`` sees the decoded body and raises the vendor's disguised errors (HTTP 200 with
        ``result: false``); a :class:`RetriableError` it raises is retried like any other.
        With ``stream`` the response is returned unread (status already checked) and the caller must
        ``aclose()`` it: for large bodies parsed incrementally.
        """
        refreshes = 0
        max_refreshes = int(getattr(self.auth, "max_refreshes", 1))
        attempt = 0
        # one id per logical call, the same on every retry: the vendor's logs (and the sandbox) can tell a
        # retry from a new request
        headers = {REQUEST_ID_HEADER: uuid.uuid4().hex, **(headers or {})}
        while True:
            try:
                response = await self._send(method, path, params=params, json_body=json_body, data=data,
                                            headers=headers, authenticate=authenticate, stream=stream)
                if response.status_code >= 400 and stream:
                    await response.aread()
                    await response.aclose()
                if response.status_code in (401, 403) and authenticate and refreshes < max_refreshes:
                    refreshes += 1
                    await self.auth.refresh(self)
                    continue
                self._raise_for_status(response)
                if not decode or stream:
                    return response
                body = decode_json(self.system, response)
                if check is not None:
                    check(body, response)
                return body
            except _NeverSent as exc:
                error: ConnectorError = exc.error
                safe = True
            except RateLimited as exc:
                error, safe = exc, True
            except ProtocolError as exc:
                # A garbled answer to a read is worth another read; to a write it is not.
                error, safe = RetriableError(self.system, exc.message, status=exc.status), False
                if not idempotent:
                    raise
            except RetriableError as exc:
                error, safe = exc, False
            if not (idempotent or safe) or attempt >= self.settings.retries:
                raise error
            delay = self.backoff(attempt)
            if isinstance(error, RateLimited) and error.retry_after is not None:
                if error.retry_after > self.settings.retry_after_max:
                    raise error
                delay = error.retry_after
                self.waited_for_retry_after += delay
            attempt += 1
            self.retries_made += 1
            await self.sleep(delay)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Any,
        json_body: Any,
        data: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        authenticate: bool,
        stream: bool = False,
    ) -> httpx.Response:
        request = self.client.build_request(method, path.lstrip("/"), params=params, json=json_body, data=data,
                                            headers=headers)
        if authenticate:
            await self.auth.apply(self, request)
        await self.bucket.acquire(self.sleep)
        where = f"{method} {request.url.path}"
        started = time.perf_counter()
        self.requests_made += 1
        try:
            response = await self.client.send(request, stream=True)
            if not stream:
                try:
                    await response.aread()
                finally:
                    await response.aclose()
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            metrics.observe_vendor_request(self.system, method, "error", time.perf_counter() - started)
            error = RetriableError(self.system, f"{where}: cannot connect ({exc.__class__.__name__})")
            raise _NeverSent(error) from None
        except httpx.TimeoutException as exc:
            metrics.observe_vendor_request(self.system, method, "timeout", time.perf_counter() - started)
            raise RetriableError(self.system, f"{where}: timed out ({exc.__class__.__name__})") from None
        except httpx.TransportError as exc:
            metrics.observe_vendor_request(self.system, method, "error", time.perf_counter() - started)
            raise RetriableError(self.system, f"{where}: connection failed ({exc.__class__.__name__})") from None
        metrics.observe_vendor_request(self.system, method, f"{response.status_code // 100}xx",
                                       time.perf_counter() - started)
        return response

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        where = f"{response.request.method} {response.request.url.path}"
        vendor_message = _message_from(response.content)
        detail = f"{where} answered HTTP {status}" + (f": {vendor_message}" if vendor_message else "")
        if status == 429:
            raise RateLimited(self.system, detail, status=status,
                              retry_after=parse_retry_after(response.headers.get("Retry-After")))
        if status in (401, 403):
            raise AuthError(self.system, detail, status=status)
        if status == 404:
            raise NotFoundError(self.system, detail, status=status)
        if status in (408, 425) or status >= 500:
            raise RetriableError(self.system, detail, status=status)
        raise RejectedError(self.system, detail, status=status)


class _NeverSent(Exception):
    """Internal: the request never reached the vendor, so even a create may be retried."""

    def __init__(self, error: ConnectorError) -> None:
        self.error = error
