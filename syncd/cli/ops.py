"""CLI commands beyond the core: the sandbox and offline matching."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from syncd.cli.common import err, fail, out, root_config

__all__ = ["register"]


def sandbox(
    seed: Annotated[int, typer.Option(help="seed of the synthetic people (same seed, same data)")] = 7,
    contacts: Annotated[int, typer.Option(help="number of synthetic people", min=0, max=1_000_000)] = 200,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port_base: Annotated[int, typer.Option(help="Flowtrac's port; the others follow", min=1, max=65532)] = 8701,
    generator: Annotated[str | None, typer.Option(
        help="who writes the people: people, or other (othergen); default: $SYNCD_SANDBOX__GENERATOR, else people",
    )] = None,
) -> None:
    """Serve the four simulated vendors on loopback, seeded with overlapping contacts, until Ctrl-C."""
    from syncd.sandbox.run import SYSTEMS, build, port_in_use, serve_forever

    for name in SYSTEMS:
        port = port_base + SYSTEMS[name][0]
        if port_in_use(host, port):
            fail(f"port {host}:{port} ({name}) is in use: is a sandbox already running? (--port-base moves them)")
    try:
        sandboxes = build(seed=seed, contacts=contacts, host=host, port_base=port_base, generator=generator)
    except ValueError as exc:
        fail(str(exc))
    table = Table(title=f"syncd sandbox: {contacts} people, seed {seed}", show_lines=False)
    for column in ("vendor", "base URL", "credentials", "contacts"):
        table.add_column(column)
    for name in SYSTEMS:
        creds = ", ".join(f"{k}={v}" for k, v in sandboxes.credentials(name).items())
        table.add_row(name, sandboxes.base_url(name), creds, str(len(sandboxes.vendors[name].rows())))
    out.print(table)
    out.print("Faults: PUT <base>/_sandbox/faults (JSON); rows: GET <base>/_sandbox/records. Ctrl-C stops.")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(sandboxes))
    err.print("sandbox stopped")


def match(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.csv", help="system,record_id,name,email,... CSV",
                                               exists=False, dir_okay=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="where to write system,record_id,entity_id,"
                                         "confidence,status,candidate,candidate_score", dir_okay=False)],
    auto_link: Annotated[float | None, typer.Option(help="override matching.auto_link", min=0, max=1)] = None,
    review: Annotated[float | None, typer.Option(help="override matching.review", min=0, max=1)] = None,
    explain: Annotated[Path | None, typer.Option("--explain", help="also write the trained model (m, u, weights "
                                                  "per field and level) as JSON to this file", dir_okay=False)] = None,
) -> None:
    """Match the records of a CSV file offline: no vendor and no database needed."""
    from syncd.cli.cycle import match_file

    raise typer.Exit(match_file(input_path, output, auto_link=auto_link, review=review, explain=explain))


def run(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="config file", dir_okay=False)] = None,
    grace: Annotated[float, typer.Option(help="seconds to let a cycle finish on SIGTERM", min=0)] = 30.0,
) -> None:
    """Run the daemon: poll every connector on its schedule and keep the systems in sync."""
    from syncd.cli.cycle import run_daemon

    raise typer.Exit(run_daemon(root_config(ctx, config), grace=grace))


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("sandbox")(sandbox)
    app.command("match")(match)
