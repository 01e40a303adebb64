"""Start the sandbox inside syncd when the configuration points at it and nothing serves it yet.

This is what makes the quick start one command: with no real vendor configured, ``syncd --reconcile``
and ``syncd run`` bring the four simulated vendors up themselves. Their data is kept in a state file
beside the store (``syncd-sandbox.json``), so a second run sees what the first one wrote — exactly as
real vendors would — and writes nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from syncd.sandbox.run import SYSTEMS, build, embedded, port_in_use

__all__ = ["maybe_embedded_sandbox", "sandbox_targets"]

_LOCAL = {"127.0.0.1", "localhost", "::1"}


def sandbox_targets(settings: Any) -> dict[str, tuple[str, int]]:
    """Enabled connectors whose base URL is a sandbox port on this machine: name -> (host, port)."""
    cfg = getattr(settings, "sandbox", None)
    port_base = int(getattr(cfg, "port_base", 8701))
    ports = {port_base + offset for offset, _ in SYSTEMS.values()}
    out: dict[str, tuple[str, int]] = {}
    for name, connector in settings.enabled_connectors().items():
        parts = urlsplit(str(connector.base_url))
        if parts.hostname in _LOCAL and parts.port in ports:
            out[name] = (parts.hostname or "127.0.0.1", int(parts.port or 0))
    return out


def _state_file(settings: Any) -> Path:
    cfg = getattr(settings, "sandbox", None)
    configured = getattr(cfg, "state_file", None)
    if configured:
        return Path(configured)
    url = str(settings.database.url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).with_name("syncd-sandbox.json")
    return Path.cwd() / "syncd-sandbox.json"


@contextmanager
def maybe_embedded_sandbox(settings: Any, announce: Callable[[str], None]) -> Iterator[None]:
    cfg = getattr(settings, "sandbox", None)
    mode = str(getattr(cfg, "embedded", "auto"))
    targets = sandbox_targets(settings)
    if mode == "never" or not targets:
        with nullcontext():
            yield
        return
    host = next(iter(targets.values()))[0]
    port_base = int(getattr(cfg, "port_base", 8701))
    if any(port_in_use(h, p) for h, p in targets.values()):
        announce(f"using the sandbox already running on {host}:{port_base}-{port_base + 3}")
        yield
        return
    state_file = _state_file(settings)
    sandboxes = build(seed=int(getattr(cfg, "seed", 7)), contacts=int(getattr(cfg, "contacts", 200)),
                      host=host, port_base=port_base, generator=str(getattr(cfg, "generator", "people")))
    restored = _restore(sandboxes.vendors, state_file)
    announce(f"started the built-in sandbox on {host}:{port_base}-{port_base + 3} "
             f"({'state from ' + str(state_file) if restored else 'freshly seeded'})")
    try:
        with embedded(sandboxes):
            yield
    finally:
        _save(sandboxes.vendors, state_file)


def _restore(vendors: dict[str, Any], path: Path) -> bool:
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    for name, vendor in vendors.items():
        if name in data and hasattr(vendor, "import_state"):
            vendor.import_state(data[name])
    return True


def _save(vendors: dict[str, Any], path: Path) -> None:
    data = {name: vendor.export_state() for name, vendor in vendors.items() if hasattr(vendor, "export_state")}
    if not data:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)
