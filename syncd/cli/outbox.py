"""``syncd outbox list|show|retry``: the changes that did not go out, by cause, and sending them again."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from syncd.cli.common import ConfigOption, fail, open_admin, out, run_action, show_json, who
from syncd.errors import SyncdError

__all__ = ["register"]

outbox_app = typer.Typer(help="Changes parked, failed or held: why, the fix, and retry.", no_args_is_help=True)


@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context, config: ConfigOption = None,
    system: Annotated[str | None, typer.Option(help="only this system")] = None,
    cause: Annotated[str | None, typer.Option(help="only this cause (no_company, permission, invalid, ...)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="the groups as JSON")] = False,
) -> None:
    """The changes that wait, grouped by cause: the reason in words, the fix, and their ids."""
    admin = open_admin(ctx, config)
    try:
        groups = admin.groups(system=system, cause=cause)
    except ValueError:
        fail(f"{cause!r} is not a cause", 2)
    if json_output:
        show_json([g.as_json() for g in groups])
        return
    if not groups:
        out.print("no change waits: everything planned went out (or is pending for the next cycle)")
        return
    for group in groups:
        out.print(f"{group.system}: {group.label} ({group.cause.value}), {len(group.changes)} "
                  f"change{'s' if len(group.changes) != 1 else ''}", markup=False)
        out.print(f"  reason: {group.message}", markup=False)
        out.print(f"  fix:    {group.cause.fix}", markup=False)
        table = Table(show_edge=False, box=None, pad_edge=False)
        for column in ("  id", "status", "operation", "person", "fields"):
            table.add_column(column)
        for change in group.changes:
            table.add_row(f"  {change.id}", change.status, change.operation, change.display_name or change.entity_id,
                          ", ".join(change.fields) or "-")
        out.print(table)
    out.print("`syncd outbox show ID` for one change; `syncd outbox retry ID...` or `--cause CAUSE` to send again",
              markup=False)


@outbox_app.command("show")
def outbox_show(ctx: typer.Context, change_id: int, config: ConfigOption = None,
                json_output: Annotated[bool, typer.Option("--json", help="one JSON object")] = False) -> None:
    """One change: its fields old -> new with the rule, the reason, and the fix."""
    admin = open_admin(ctx, config)
    try:
        change = admin.change(change_id)
    except SyncdError as exc:
        fail(str(exc), 1)
    if json_output:
        show_json(change.as_json())
        return
    target = f"{change.system}:{change.remote_id}" if change.remote_id else f"{change.system} (new)"
    out.print(f"change {change.id}: {change.operation} {target} for {change.display_name or change.entity_id} "
              f"(entity {change.entity_id}), run {change.run_id}", markup=False)
    out.print(f"status: {change.status}" + (f", cause {change.cause.value}: {change.label}" if change.cause else "")
              + f", {change.attempts} attempt{'s' if change.attempts != 1 else ''}", markup=False)
    if change.error:
        out.print(f"reason: {change.error}", markup=False)
    if change.fix:
        out.print(f"fix:    {change.fix}", markup=False)
    if change.retried_by:
        out.print(f"retried by {change.retried_by} at {change.retried_at}", markup=False)
    table = Table(title="fields")
    for column in ("field", "old", "new", "rule"):
        table.add_column(column)
    for name, value in change.fields.items():
        table.add_row(name, repr(value.get("old")), repr(value.get("new")), str(value.get("rule") or ""))
    out.print(table)


@outbox_app.command("retry")
def outbox_retry(
    ctx: typer.Context,
    change_ids: Annotated[list[int] | None, typer.Argument(metavar="[ID]...", help="the changes to send again")] = None,
    config: ConfigOption = None,
    cause: Annotated[str | None, typer.Option(help="every waiting change of this cause")] = None,
    system: Annotated[str | None, typer.Option(help="with --cause: only in this system")] = None,
) -> None:
    """Set changes back to pending: the next cycle sends them. Recorded with who asked."""
    if not change_ids and cause is None:
        fail("name the changes to retry (their ids) or a cause (--cause)")
    admin = open_admin(ctx, config)
    run_action(lambda: admin.retry(change_ids or (), cause=cause, system=system, who=who()))


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
