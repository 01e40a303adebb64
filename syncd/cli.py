"""The ``syncd`` command line.

``syncd --reconcile`` (one full cycle, then exit) and ``syncd run`` (the daemon) share one
``run_cycle``; the other commands read or correct what the store holds. Exit codes: 0 success,
1 a change or connector failed, 2 a configuration or usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from syncd import __version__
from syncd.errors import ConfigError, StoreError, SyncdError

__all__ = ["app", "main"]

app = typer.Typer(
    name="syncd",
    help="Keep contacts in sync between Flowtrac, Lightening, ITFlow and Cirrus 2.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="The store: migrate and check it.", no_args_is_help=True)
config_app = typer.Typer(help="The configuration: validate and show it.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")

err = Console(stderr=True, highlight=False, soft_wrap=True)
#: a pipe or a log file gets wide tables rather than Rich's 80-column default
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 132)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="config file (default ./config.toml, then /etc/syncd/config.toml)",
                 dir_okay=False),
]


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"syncd: {message}", markup=False)
    raise typer.Exit(code)


def fail_config(error: ConfigError) -> NoReturn:
    err.print("syncd: the configuration is not valid:", markup=False)
    for problem in error.problems:
        err.print(f"  - {problem}", markup=False)
    raise typer.Exit(2)


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
    from syncd.cli_cycle import reconcile_once

    raise typer.Exit(reconcile_once(config, dry_run=dry_run, force_delete=force_delete, as_json=json_output,
                                    only=frozenset(only) if only else None))


@config_app.command("check")
def config_check(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Validate the configuration and print the effective settings, secrets masked."""
    from syncd.config import load_settings, render_effective

    try:
        settings = load_settings(config or ctx.obj.get("config"))
    except ConfigError as exc:
        fail_config(exc)
    out.print(render_effective(settings), markup=False)
    for warning in settings.warnings():
        err.print(f"warning: {warning}", markup=False)
    err.print("configuration OK", markup=False)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Create or migrate the store to this version's schema."""
    from syncd.config import load_settings
    from syncd.store import migrate

    try:
        settings = load_settings(config or ctx.obj.get("config"))
        before = migrate.current_revision(settings.database.url)
        migrate.upgrade(settings.database.url)
        after = migrate.current_revision(settings.database.url)
    except ConfigError as exc:
        fail_config(exc)
    except SyncdError as exc:
        fail(str(exc), 1)
    if before == after:
        out.print(f"store is up to date (revision {after})")
    else:
        out.print(f"store upgraded from {before or 'empty'} to {after}")


@db_app.command("check")
def db_check(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Exit 0 when the store is at this version's schema, 1 with the reason when not."""
    from syncd.config import load_settings
    from syncd.store import migrate

    try:
        settings = load_settings(config or ctx.obj.get("config"))
        migrate.check_current(settings.database.url)
    except ConfigError as exc:
        fail_config(exc)
    except StoreError as exc:
        fail(str(exc), 1)
    out.print("store is up to date")


def _register_optional_commands() -> None:
    """Commands that live in their own modules (kept out of import time for a fast --help)."""
    from syncd import cli_admin, cli_ops

    cli_ops.register(app)
    cli_admin.register(app)


def main() -> None:
    _register_optional_commands()
    try:
        app()
    except SyncdError as exc:  # a last guard: never a traceback for an error we raised on purpose
        err.print(f"syncd: {exc}", markup=False)
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
