"""Serve sandbox apps on loopback: in a background thread (tests, benchmarks) or in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

__all__ = ["QuietServer", "free_port", "free_port_base", "serve_in_thread"]


def free_port(host: str = "127.0.0.1") -> int:
    return free_port_base(1, host)


def free_port_base(count: int = 4, host: str = "127.0.0.1", low: int = 10000, high: int = 32000) -> int:
    """The first of ``count`` consecutive ports that can all be bound now (below Linux's ephemeral range,
    so an outgoing connection cannot take one between this check and the server's bind)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(low, high - count)
        with contextlib.ExitStack() as stack:
            try:
                for port in range(base, base + count):
                    sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                    sock.bind((host, port))
            except OSError:
                continue
        return base
    raise RuntimeError(f"no {count} consecutive free ports on {host} between {low} and {high}")


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its owner (the daemon, or the test's main thread)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Run ``app`` with uvicorn on a loopback port in a daemon thread; yield its base URL."""
    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off",
                            timeout_keep_alive=30, access_log=False)
    server = QuietServer(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True,
                              name=f"sandbox-{port}")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"sandbox server on {host}:{port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
