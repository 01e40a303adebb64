"""One Flowtrac resource (contacts, product-processes, ...): list with filters, create, update, delete.

Every resource follows the same conventions: GET returns one bare JSON array (parsed as a stream, so
memory stays flat however many rows come back), POST creates, PUT updates the columns sent (``id`` in
the body; ``null`` clears a nullable column, never a non-nullable one), DELETE carries ``{"id": ...}``.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

import httpx
import ijson

from syncd.connectors.http import VendorHTTP
from syncd.errors import NotFoundError, ProtocolError, RetriableError, ValidationError

__all__ = ["OPERATORS", "FlowtracResource"]

OPERATORS = ("-in", "-notin", "-eq", "-gt", "-lt", "-contains", "-isnull", "-isnotnull")


class _AsyncReader:
    """The file-like object ijson's async parser reads from."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.aiter_bytes()
        # bytes that are not UTF-8 become U+FFFD rather than failing the whole array
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    async def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes with read(0) to learn bytes from str
            return b""
        # an empty chunk would read as the end of the body: skip them
        async for chunk in self._chunks:
            decoded = self._decoder.decode(chunk).encode("utf-8")
            if decoded:
                return decoded
        return self._decoder.decode(b"", final=True).encode("utf-8")


def _plain(value: Any) -> Any:
    """Decimals (ijson's reading of JSON fractions) as floats, so rows stay JSON-storable."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


class FlowtracResource:
    def __init__(self, http: VendorHTTP, path: str, *, non_nullable: tuple[str, ...] = ()) -> None:
        self.http = http
        self.path = path.strip("/")
        self.non_nullable = non_nullable

    @staticmethod
    def check_filters(filters: Mapping[str, str]) -> None:
        for key in filters:
            if key.startswith("-") or not key.strip():
                raise ValidationError("flowtrac", f"filter {key!r} has no column")

    async def list(self, filters: Mapping[str, str] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Stream every row matching ``filters``.

        A body cut short (dropped connection, truncated or garbled JSON) is read again — it is a GET —
        and rows already yielded are skipped by id, up to the client's retry budget; then it raises.
        """
        params = dict(filters or {})
        self.check_filters(params)
        yielded: set[str] = set()
        attempt = 0
        while True:
            response = await self.http.request("GET", self.path, idempotent=True, params=params, stream=True)
            try:
                # not use_float: the C parser then refuses integers beyond 64 bits (a whole list lost to one
                # value); decimals come back as Decimal and are made floats here
                async for row in ijson.items_async(_AsyncReader(response), "item"):
                    if not isinstance(row, dict):
                        yield {"__bad__": row}
                        continue
                    row = _plain(row)
                    row_id = str(row.get("id") or "")
                    if row_id and row_id in yielded:
                        continue
                    yielded.add(row_id)
                    yield row
                return
            except (ijson.JSONError, httpx.TransportError, httpx.TimeoutException) as exc:
                if attempt >= self.http.settings.retries:
                    kind = ProtocolError if isinstance(exc, ijson.JSONError) else RetriableError
                    raise kind(self.http.system, f"GET /{self.path}: the list was cut short or malformed "
                                                 f"({exc.__class__.__name__})") from None
            finally:
                await response.aclose()
            await self.http.sleep(self.http.backoff(attempt))
            attempt += 1

    async def get(self, row_id: str) -> dict[str, Any] | None:
        async for row in self.list({"id": row_id}):
            return row
        return None

    async def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        answer = await self.http.request("POST", self.path, idempotent=False, json_body=dict(body))
        if not isinstance(answer, dict) or "id" not in answer:
            raise ProtocolError(self.http.system, f"POST /{self.path} answered without the new row")
        return answer

    async def update(self, row_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        cleared = [k for k, v in body.items() if v is None and k in self.non_nullable]
        if cleared:
            raise ValidationError(self.http.system, f"{', '.join(cleared)} cannot be cleared (non-nullable)")
        answer = await self.http.request("PUT", self.path, idempotent=True, json_body={"id": row_id, **body})
        if isinstance(answer, dict) and answer.get("id") == row_id:
            return answer
        row = await self.get(row_id)
        if row is None:
            raise NotFoundError(self.http.system, f"{self.path} {row_id} not found")
        return row

    async def delete(self, row_id: str) -> None:
        await self.http.request("DELETE", self.path, idempotent=True, json_body={"id": row_id})
