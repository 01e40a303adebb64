"""``syncd db upgrade|check`` and ``syncd config check``: setting up and checking an installation."""

from __future__ import annotations

import typer

from syncd.cli.common import ConfigOption, checked_settings, err, fail, fail_config, out, root_config
from syncd.errors import ConfigError, SyncdError

__all__ = ["register"]

db_app = typer.Typer(help="The store: migrate and check it.", no_args_is_help=True)
config_app = typer.Typer(help="The configuration: validate and show it.", no_args_is_help=True)


@config_app.command("check")
def config_check(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Validate the configuration and print the effective settings, secrets masked."""
    from syncd.config import load_settings, render_effective

    try:
        settings = load_settings(root_config(ctx, config))
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
        settings = load_settings(root_config(ctx, config))
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
    checked_settings(ctx, config)
    out.print("store is up to date")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(config_app, name="config")
