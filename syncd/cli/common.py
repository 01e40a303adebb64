"""What every command shares: the consoles, the ``--config`` option, failing with a clear line and exit code."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from syncd.errors import ConfigError, StoreError, SyncdError

if TYPE_CHECKING:
    from syncd.config import Settings
    from syncd.engine.admin import Admin

__all__ = [
    "ConfigOption", "checked_settings", "err", "fail", "fail_config", "open_admin", "out", "run_action",
    "show_json", "who",
]

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


def root_config(ctx: typer.Context, config: Path | None) -> Path | None:
    """The command's own ``--config``, else the one given before the command (``syncd -c X status``)."""
    return config or (ctx.find_root().obj or {}).get("config")


def checked_settings(ctx: typer.Context, config: Path | None) -> Settings:
    """The configuration, its store at this version's schema; exit 2 on a bad configuration, 1 on an
    outdated store."""
    from syncd.config import load_settings
    from syncd.store import migrate

    try:
        settings = load_settings(root_config(ctx, config))
        migrate.check_current(settings.database.url)
    except ConfigError as exc:
        fail_config(exc)
    except StoreError as exc:
        fail(str(exc), 1)
    return settings


def open_admin(ctx: typer.Context, config: Path | None) -> Admin:
    """The admin layer on the configured store; exit 2 on a bad configuration, 1 on an outdated store."""
    from syncd.engine.admin import Admin
    from syncd.store.repository import Store

    return Admin(Store(checked_settings(ctx, config).database.url))


def who() -> str:
    """Who a decision made from the command line is recorded as: ``cli:<the OS user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container's)
        return "cli"


def show_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str, ensure_ascii=False))


def run_action(action: Callable[[], str]) -> None:
    """Do one admin action and print its one-line answer; an admin error exits 1 with its message."""
    try:
        message = action()
    except SyncdError as exc:
        fail(str(exc), 1)
    out.print(message, markup=False)
