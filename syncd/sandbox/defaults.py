"""The sandbox as syncd's built-in connectors: the ports `syncd sandbox` serves and its fixed credentials.

These credentials are fake and local-only; they exist so the quick start runs with no configuration.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SANDBOX_CONNECTORS"]

SANDBOX_CONNECTORS: dict[str, dict[str, Any]] = {
    "flowtrac": {"type": "flowtrac", "base_url": "http://127.0.0.1:8701/api", "badge": "sandbox", "pin": "0000",
                 "poll_interval": 60, "rate_limit": 200, "burst": 50},
    "lightening": {"type": "lightening", "base_url": "http://127.0.0.1:8702", "token": "sandbox-lightening-token",
                   "poll_interval": 60, "rate_limit": 200, "burst": 50},
    "itflow": {"type": "itflow", "base_url": "http://127.0.0.1:8703", "api_key": "sandbox-itflow-key",
               "poll_interval": 60, "rate_limit": 200, "burst": 50},
    "cirrus": {"type": "cirrus", "base_url": "http://127.0.0.1:8704", "x_token": "sandbox-cirrus-token",
               "poll_interval": 60, "rate_limit": 200, "burst": 50},
}
