"""The four simulated vendors together: seeded with the same people, served on fixed loopback ports.

``syncd sandbox`` serves them in the foreground; ``syncd run`` / ``--reconcile`` start them in the
background (:func:`embedded`) when the configuration points at the sandbox and nothing listens there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from syncd.sandbox.serve import serve_in_thread

__all__ = ["DEFAULT_PORT_BASE", "SYSTEMS", "SandboxSet", "build", "embedded", "port_in_use", "serve_forever"]

#: vendor -> (offset from the port base, path prefix of its API)
SYSTEMS: dict[str, tuple[int, str]] = {"flowtrac": (0, "/api"), "lightening": (1, ""), "itflow": (2, ""),
                                       "cirrus": (3, "")}
DEFAULT_PORT_BASE = 8701


@dataclass
class SandboxSet:
    """The four vendor apps, seeded; ``vendors[name]`` is the vendor's sandbox object."""

    vendors: dict[str, Any]
    host: str
    port_base: int

    def port(self, name: str) -> int:
        return self.port_base + SYSTEMS[name][0]

    def base_url(self, name: str) -> str:
        return f"http://{self.host}:{self.port(name)}{SYSTEMS[name][1]}"

    def credentials(self, name: str) -> dict[str, Any]:
        creds = self.vendors[name].credentials
        if dataclasses.is_dataclass(creds) and not isinstance(creds, type):
            return dataclasses.asdict(creds)
        return dict(creds)


def build(
    seed: int = 7, contacts: int = 200, host: str = "127.0.0.1", port_base: int = DEFAULT_PORT_BASE,
    generator: str | None = None,
) -> SandboxSet:
    """Seed ``contacts`` synthetic people across the four vendors.

    ``generator`` is "people" (about 70% in two or more systems) or "other" (othergen: households, 55%);
    unset, it is ``SYNCD_SANDBOX__GENERATOR`` (the variable that also sets ``[sandbox] generator``), else "people".
    """
    from syncd.sandbox import othergen, people
    from syncd.sandbox.cirrus import CirrusSandbox
    from syncd.sandbox.flowtrac import FlowtracSandbox
    from syncd.sandbox.itflow import ITFlowSandbox
    from syncd.sandbox.lightening import LighteningSandbox

    generator = generator or os.environ.get("SYNCD_SANDBOX__GENERATOR") or "people"
    generators = {"people": people.generate, "other": othergen.generate}
    if generator not in generators:
        raise ValueError(f"unknown sandbox generator {generator!r}: use people or other")
    generate = generators[generator]
    per_system: dict[str, list[Any]] = {name: [] for name in SYSTEMS}
    for seeded in generate(seed, contacts, tuple(SYSTEMS)):
        per_system[seeded.system].append(seeded.contact)
    vendors: dict[str, Any] = {
        "flowtrac": FlowtracSandbox(seed_contacts=per_system["flowtrac"]),
        "lightening": LighteningSandbox(seed_contacts=per_system["lightening"]),
        "itflow": ITFlowSandbox(seed_contacts=per_system["itflow"]),
        "cirrus": CirrusSandbox(seed_contacts=per_system["cirrus"]),
    }
    return SandboxSet(vendors, host, port_base)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


@contextmanager
def embedded(sandboxes: SandboxSet) -> Iterator[SandboxSet]:
    """Serve every vendor in background threads for the duration of the block."""
    with ExitStack() as stack:
        for name in SYSTEMS:
            stack.enter_context(serve_in_thread(sandboxes.vendors[name].app, sandboxes.host, sandboxes.port(name)))
        yield sandboxes


async def serve_forever(sandboxes: SandboxSet) -> None:
    """Serve every vendor in this event loop until cancelled (Ctrl-C)."""
    servers = [
        uvicorn.Server(uvicorn.Config(sandboxes.vendors[name].app, host=sandboxes.host, port=sandboxes.port(name),
                                      log_level="warning", lifespan="off", access_log=False))
        for name in SYSTEMS
    ]
    await asyncio.gather(*(server.serve() for server in servers))
