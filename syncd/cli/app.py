"""The ``syncd`` application: the root options (``--reconcile``, ``--dry-run``, ...) and every command.

``syncd --reconcile`` (one full cycle, then exit) and ``syncd run`` (the daemon) share one
``run_cycle``; the other commands read or correct what the store holds. Exit codes: 0 success,
1 a change or connector failed, 2 a configuration or usage error.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from syncd import __version__
from syncd.cli import admin, console, maintain, ops, outbox
from syncd.cli.common import ConfigOption, err, fail, out
from syncd.errors import ConfigError, SyncdError

__all__ = ["app", "main"]

app = typer.Typer(
    name="syncd",
    help="Keep contacts in sync between Flowtrac, Lightening, ITFlow and Cirrus 2.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"syncd {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    config: ConfigOption = None,
    reconcile: Annotated[bool, typer.Option("--reconcile", help="run one full sync cycle, then exit")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the plan; write nothing")] = False,
    force_delete: Annotated[
        bool, typer.Option("--force-delete", help="lift the delete guards for this run")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="print the summary as one JSON object")] = False,
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="SYSTEM", help="scan and write only this system (repeat for more); the others' "
                                         "changes wait for the next full cycle")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """syncd: a self-hosted contact sync daemon. Run `syncd --reconcile` for one pass, `syncd run` as a service."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config
    if ctx.invoked_subcommand is not None:
        if reconcile or dry_run or only:
            fail("--reconcile, --dry-run and --only cannot be combined with a command")
        return
    if not (reconcile or dry_run):
        out.print(ctx.get_help())
        raise typer.Exit(0)
    from syncd.cli.cycle import reconcile_once

    raise typer.Exit(reconcile_once(config, dry_run=dry_run, force_delete=force_delete, as_json=json_output,
                                    only=frozenset(only) if only else None))


# the order of registration is the order of `syncd --help`
maintain.register(app)
ops.register(app)
admin.register(app)
outbox.register(app)
console.register(app)


def main() -> None:
    try:
        app()
    except SyncdError as exc:  # a last guard: never a traceback for an error we raised on purpose
        err.print(f"syncd: {exc}", markup=False)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
