"""Small pieces every simulated vendor uses: JSON answers, body parsing, the rows endpoint, timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["json_response", "now_text", "read_form", "read_json"]


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # a string holding lone surrogates goes out as the invalid UTF-8 bytes a broken vendor would send
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return Response(body, status_code=status, media_type="application/json", headers=headers)


async def read_json(request: Request) -> Any:
    """The JSON body, or ``None`` when it is empty or not JSON (the vendor then answers its own way)."""
    body = await request.body()
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form body (without needing python-multipart)."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
