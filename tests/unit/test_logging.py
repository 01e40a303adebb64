"""A configured secret never reaches the log output, in any renderer or any corner of an event."""

from __future__ import annotations

import io
import logging

import pytest
import structlog

from syncd.logging import bound, configure_logging

TOKEN = "tok-3f9a7c1e5b2d4a68"


@pytest.fixture(params=["json", "console"])
def output(request: pytest.FixtureRequest) -> io.StringIO:
    stream = io.StringIO()
    configure_logging("DEBUG", request.param, secrets=[TOKEN], stream=stream)
    return stream


def test_a_configured_token_never_reaches_the_output(output: io.StringIO) -> None:
    log = structlog.get_logger("test")
    with bound(connector="itflow", run_id=7):
        log.info(f"calling with {TOKEN}", headers={"Authorization": f"Bearer {TOKEN}"}, nested=[{"t": TOKEN}])
        log.warning("url", url=f"http://itflow/api/v1/contacts/read.php?api_key={TOKEN}&limit=50")
        try:
            raise RuntimeError(f"vendor said: bad token {TOKEN}")
        except RuntimeError:
            log.exception("failed")
    logging.getLogger("httpx").warning("HTTP Request: GET http://x/?api_key=%s", TOKEN)
    text = output.getvalue()
    assert TOKEN not in text
    assert "itflow" in text and "7" in text
    assert "********" in text


def test_token_shapes_are_masked_even_when_not_configured(output: io.StringIO) -> None:
    log = structlog.get_logger("test")
    log.info("request", line="Cookie: flow_auth=abcdef0123456789; X-Token: zz9zz9zz9 pin=1234 password=hunter22")
    text = output.getvalue()
    for secret in ("abcdef0123456789", "zz9zz9zz9", "hunter22"):
        assert secret not in text
