"""CLI commands for admins: review, link/unlink, conflicts, status, history."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from syncd.cli.common import ConfigOption, fail, open_admin, out, run_action, show_json, who
from syncd.errors import SyncdError

__all__ = ["register"]

review_app = typer.Typer(help="Uncertain matches waiting for a decision.", no_args_is_help=True)
conflicts_app = typer.Typer(help="Fields several systems changed differently, under the manual policy.",
                            no_args_is_help=True)


@review_app.command("list")
def review_list(ctx: typer.Context, config: ConfigOption = None,
                status: Annotated[str, typer.Option(help="open, accepted or rejected")] = "open") -> None:
    """List review items."""
    items = open_admin(ctx, config).reviews(status)
    table = Table(title=f"review items ({status})")
    for column in ("id", "kind", "record", "candidate", "score", "why"):
        table.add_column(column)
    for item in items:
        why = item.reasons if isinstance(item.reasons, str) else json.dumps(item.reasons, ensure_ascii=False)
        table.add_row(str(item.id), item.kind, f"{item.system}:{item.remote_id}", str(item.candidate or "-"),
                      f"{item.score:.2f}" if item.score is not None else "-", why[:80])
    out.print(table)


@review_app.command("show")
def reviewshow_json(ctx: typer.Context, review_id: int, config: ConfigOption = None) -> None:
    """Show one review item: both sides, field by field, and the reasons."""
    admin = open_admin(ctx, config)
    try:
        item, record, candidate = admin.review(review_id)
    except SyncdError as exc:
        fail(str(exc), 1)
    table = Table(title=f"review {item.id}: {item.kind}, score {item.score}")
    table.add_column("field")
    table.add_column(f"{item.system}:{item.remote_id}")
    table.add_column(str(item.candidate))
    for name in sorted(set(record) | set(candidate)):
        table.add_row(name, str(record.get(name, "")), str(candidate.get(name, "")))
    out.print(table)
    show_json({"reasons": item.reasons})
    trained = admin.matcher_model()
    if trained is not None:
        run_id, model = trained
        weights = Table(title=f"what the matcher learned (run {run_id}): evidence per field, in bits")
        for column in ("field", "level", "m", "u", "weight"):
            weights.add_column(column)
        asked = set(item.reasons or {}) if isinstance(item.reasons, dict) else set()
        for comparison in model.get("comparisons", []):
            if comparison.get("output_column_name") not in asked:
                continue
            for level in comparison.get("comparison_levels", [])[1:]:
                weights.add_row(comparison["output_column_name"], level.get("text", ""),
                                f"{level.get('m_probability', 0):.4f}", f"{level.get('u_probability', 0):.4f}",
                                f"{level.get('match_weight', 0):+.1f}")
        out.print(weights)


@review_app.command("accept")
def review_accept(ctx: typer.Context, review_id: int, config: ConfigOption = None) -> None:
    """Same person: link the record to the candidate. Stored; the matcher never undoes it."""
    admin = open_admin(ctx, config)
    run_action(lambda: admin.decide(review_id, True, who()))


@review_app.command("reject")
def review_reject(ctx: typer.Context, review_id: int, config: ConfigOption = None) -> None:
    """Different people: keep them apart, in later cycles too."""
    admin = open_admin(ctx, config)
    run_action(lambda: admin.decide(review_id, False, who()))


def link(ctx: typer.Context,
         record: Annotated[str, typer.Argument(help="SYSTEM:ID of the record to link")],
         target: Annotated[str, typer.Argument(help="an entity id, or SYSTEM:ID of a record already linked")],
         config: ConfigOption = None) -> None:
    """Link a record to an entity by hand (wins over the matcher)."""
    admin = open_admin(ctx, config)
    run_action(lambda: admin.link(record, target, who()))


def unlink(ctx: typer.Context, record: Annotated[str, typer.Argument(help="SYSTEM:ID")],
           config: ConfigOption = None) -> None:
    """Take a record out of its entity and keep it apart from it."""
    admin = open_admin(ctx, config)
    run_action(lambda: admin.unlink(record, who()))


@conflicts_app.command("list")
def conflicts_list(ctx: typer.Context, config: ConfigOption = None,
                   status: Annotated[str, typer.Option(help="open or resolved")] = "open") -> None:
    """List conflicts."""
    table = Table(title=f"conflicts ({status})")
    for column in ("id", "entity", "field", "base", "candidates"):
        table.add_column(column)
    for item in open_admin(ctx, config).conflicts(status):
        table.add_row(str(item.id), item.entity_id, item.field, repr(item.base),
                      json.dumps(item.candidates, ensure_ascii=False))
    out.print(table)


@conflicts_app.command("show")
def conflictsshow_json(ctx: typer.Context, conflict_id: int, config: ConfigOption = None) -> None:
    """Show one conflict."""
    admin = open_admin(ctx, config)
    try:
        item = admin.conflict(conflict_id)
    except SyncdError as exc:
        fail(str(exc), 1)
    show_json({"id": item.id, "entity": item.entity_id, "field": item.field, "base": item.base,
           "candidates": item.candidates, "status": item.status, "resolution": item.resolution})


@conflicts_app.command("resolve")
def conflicts_resolve(
    ctx: typer.Context, conflict_id: int, config: ConfigOption = None,
    take: Annotated[str | None, typer.Option("--take", help="use this system's value")] = None,
    value: Annotated[str | None, typer.Option("--value", help="use this value")] = None,
) -> None:
    """Decide a conflict; the next cycle writes the value to every system."""
    admin = open_admin(ctx, config)
    run_action(lambda: admin.resolve(conflict_id, take=take, value=value, who=who()))


def status(ctx: typer.Context, config: ConfigOption = None,
           json_output: Annotated[bool, typer.Option("--json", help="one JSON object")] = False) -> None:
    """Last runs per system, counts, errors, review and conflict backlogs."""
    data = open_admin(ctx, config).status()
    if json_output:
        show_json(data)
        return
    table = Table(title=f"{data['entities']} entities; review backlog {data['review_backlog']}; "
                        f"conflicts {data['conflict_backlog']}")
    for column in ("system", "last success", "records", "linked", "not done", "failures", "last error"):
        table.add_column(column)
    for sys in data["systems"]:
        undone = ", ".join(f"{k.replace('/', ': ')} {v}" for k, v in sorted(sys["not_done"].items()))
        error = f"writing: {sys['write_error']}" if sys["write_error"] else (sys["last_error"] or "")
        table.add_row(sys["system"], str(sys["last_success_at"] or "never"), str(sys["records"] or 0),
                      str(sys["linked"]), undone or "-", str(sys["consecutive_failures"] or 0), error[:80])
    out.print(table)
    for run in data["runs"]:
        out.print(f"run {run['id']} {run['kind']}: {run['status']} {run['started_at']} -> {run['finished_at']}"
                  + (f" ({run['error']})" if run["error"] else ""), markup=False)
        for line in run["not_done"][:5]:
            out.print(f"    not done: {line}", markup=False)


def history(ctx: typer.Context, entity: Annotated[str, typer.Argument(help="entity id")],
            config: ConfigOption = None) -> None:
    """Everything syncd did to one person: links, agreed values, every change with its rule and run."""
    admin = open_admin(ctx, config)
    try:
        data = admin.history(entity)
    except SyncdError as exc:
        fail(str(exc), 1)
    show_json(data)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
    app.add_typer(conflicts_app, name="conflicts")
    app.command("link")(link)
    app.command("unlink")(unlink)
    app.command("status")(status)
    app.command("history")(history)
