"""``syncd console`` (serve the admin console alone) and ``syncd console adduser`` (a login, as an argon2 hash)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from syncd.cli.common import ConfigOption, err, fail, fail_config, out, root_config
from syncd.errors import ConfigError, StoreError

__all__ = ["register"]

console_app = typer.Typer(help="The admin console in a browser: review, conflicts, parked changes, people.",
                          invoke_without_command=True, no_args_is_help=False)

#: the user a one-time password logs in as, when no user is configured
ONE_TIME_USER = "admin"


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


@console_app.callback()
def serve(
    ctx: typer.Context, config: ConfigOption = None,
    listen: Annotated[str | None, typer.Option(help="HOST:PORT to serve on (default: [server] listen)")] = None,
) -> None:
    """Serve the console alone over the store (no polling), on [server] listen, until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from syncd.config import load_settings
    from syncd.console.app import standalone_app, users_file_path
    from syncd.console.auth import User, Users, hash_password
    from syncd.logging import configure_logging
    from syncd.store import migrate
    from syncd.store.repository import Store

    try:
        settings = load_settings(root_config(ctx, config))
        if settings.database.auto_upgrade:
            migrate.upgrade(settings.database.url)
        else:
            migrate.check_current(settings.database.url)
    except ConfigError as exc:
        fail_config(exc)
    except StoreError as exc:
        fail(str(exc), 1)
    address = listen or settings.server.listen
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        fail(f"--listen {address!r}: must be HOST:PORT, e.g. 127.0.0.1:9188")
    host = host.strip("[]")
    users = Users(settings.console.users, users_file_path(settings, root_config(ctx, config)))
    one_time = None
    if not users.all():
        if not (_loopback(host) and sys.stderr.isatty()):
            err.print(f"syncd: no console user is configured: nobody can log in until one is "
                      f"(`syncd console adduser NAME --role admin` writes {users.users_file})", markup=False)
        else:
            one_time = secrets.token_urlsafe(12)
            users.one_time = User(ONE_TIME_USER, "admin", hash_password(one_time))
    secrets_seen = settings.secret_values() + ([one_time] if one_time else [])
    configure_logging(settings.log.level, settings.log.format, secrets=secrets_seen)
    url = f"http://{address}/console/"
    err.print(f"syncd console: {url}  (Ctrl-C stops it)", markup=False)
    if one_time:
        # a terminal only, never the log: the password is good until this process stops
        err.print(f"no console user is configured: log in as '{ONE_TIME_USER}' with the one-time password "
                  f"{one_time}\n(it ends with this process; `syncd console adduser NAME --role admin` makes a "
                  "lasting user)", markup=False)
    app = standalone_app(settings, Store(settings.database.url), users)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=int(port), log_level="warning", access_log=False,
                                        lifespan="off"))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    err.print("console stopped", markup=False)


@console_app.command("adduser")
def adduser(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the user name to log in with")],
    config: ConfigOption = None,
    role: Annotated[str, typer.Option(help="admin (may act) or viewer (may only read)")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin "
                                                                           "(one line) instead of asking")] = False,
    file: Annotated[Path | None, typer.Option("--file", help="the users file (default: [console] users_file)",
                                              dir_okay=False)] = None,
) -> None:
    """Add a console user (or set a new password): writes an argon2 hash to the users file, never the password."""
    from syncd.config import load_settings
    from syncd.console.app import users_file_path
    from syncd.console.auth import hash_password, write_user

    if role not in ("admin", "viewer"):
        fail(f"--role {role!r}: must be admin or viewer")
    try:
        settings = load_settings(root_config(ctx, config))
    except ConfigError as exc:
        fail_config(exc)
    path = file or users_file_path(settings, root_config(ctx, config))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        fail("the password must be at least 10 characters long")
    try:
        replaced = write_user(path, name, role, hash_password(password))
    except (ValueError, OSError) as exc:
        fail(f"{path}: {exc}", 1)
    out.print(f"{'updated' if replaced else 'added'} {role} {name!r} in {path}; a running console lets them "
              "log in at once", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(console_app, name="console")
