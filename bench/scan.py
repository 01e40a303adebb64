"""Scan benchmark: every connector reads N contacts from its simulator over loopback HTTP.

    python bench/scan.py [--contacts 50000] [--only flowtrac,cirrus]

Prints, per connector: records per second, requests made, and the scanning process's peak memory
growth. The simulators run in a separate process, so the memory figure is the connector's alone.
Each scan runs in a fresh child process (fork) so one connector's peak does not hide another's.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from syncd.connectors.registry import build_connector, settings_class
from syncd.model import BadRecord, Contact
from syncd.sandbox.serve import free_port

VENDORS = ("flowtrac", "lightening", "itflow", "cirrus")


def people(n: int) -> list[Contact]:
    from syncd.sandbox.people import generate

    return [s.contact for s in generate(11, n, ("flowtrac",), overlap=0.0)][:n]


def serve(vendor: str, n: int, port: int, ready: Any) -> None:
    """Child process: one seeded simulator on a fixed port."""
    import uvicorn

    from syncd.sandbox.run import build

    contacts = people(n)
    sandboxes = build(seed=1, contacts=0)
    sandbox = sandboxes.vendors[vendor]
    sandbox.seed(contacts)
    ready.set()
    uvicorn.run(sandbox.app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")


def connector_settings(vendor: str, base: str, credentials: dict[str, Any]) -> Any:
    cls = settings_class(vendor)
    fields = set(cls.model_fields)
    values = {k: v for k, v in credentials.items() if k in fields}
    return cls(type=vendor, base_url=base, rate_limit=10_000, burst=1000, concurrency=8, **values)


def scan(vendor: str, base: str, credentials: dict[str, Any], queue: Any) -> None:
    """Child process: scan once; report count, seconds, requests and peak RSS growth."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    async def run() -> tuple[int, int, float, int]:
        connector = build_connector(vendor, connector_settings(vendor, base, credentials))
        started = time.perf_counter()
        count = bad = 0
        async for item in connector.scan():
            if isinstance(item, BadRecord):
                bad += 1
            else:
                count += 1
        seconds = time.perf_counter() - started
        requests = connector.http.requests_made if hasattr(connector, "http") else -1
        await connector.aclose()
        return count, bad, seconds, requests

    count, bad, seconds, requests = asyncio.run(run())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put({"count": count, "bad": bad, "seconds": seconds, "requests": requests,
               "rss_before_mb": before / 1024, "rss_peak_mb": after / 1024})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--only", default=",".join(VENDORS))
    args = parser.parse_args()
    ctx = mp.get_context("fork")
    from syncd.sandbox.run import SYSTEMS, build

    print(f"scan benchmark: {args.contacts} contacts per simulator, loopback HTTP, one process per side")
    print(f"{'connector':<11} {'records':>8} {'seconds':>8} {'rec/s':>8} {'requests':>8} {'peak RSS':>9} {'growth':>7}")
    for vendor in args.only.split(","):
        port = free_port()
        ready = ctx.Event()
        server = ctx.Process(target=serve, args=(vendor, args.contacts, port, ready), daemon=True)
        server.start()
        ready.wait(300)
        time.sleep(1.0)
        credentials = build(seed=1, contacts=0).credentials(vendor)
        base = f"http://127.0.0.1:{port}{SYSTEMS[vendor][1]}"
        queue = ctx.Queue()
        child = ctx.Process(target=scan, args=(vendor, base, credentials, queue))
        child.start()
        result = queue.get(timeout=600)
        child.join()
        server.terminate()
        server.join()
        rate = result["count"] / result["seconds"] if result["seconds"] else 0
        print(f"{vendor:<11} {result['count']:>8} {result['seconds']:>8.2f} {rate:>8.0f} {result['requests']:>8} "
              f"{result['rss_peak_mb']:>7.0f}MB {result['rss_peak_mb'] - result['rss_before_mb']:>5.0f}MB")


if __name__ == "__main__":
    main()
