"""``syncd --reconcile`` / ``--dry-run`` and ``syncd match``: the one-shot jobs an admin runs by hand."""

from __future__ import annotations

import asyncio
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from syncd.cli.common import err, fail_config, out
from syncd.engine.cycle import CycleOptions
from syncd.engine.plan import EntityPlan
from syncd.engine.report import CycleReport
from syncd.errors import ConfigError, StoreError

__all__ = ["match_file", "reconcile_once", "run_daemon"]


def _prepare(config: Path | None) -> tuple[Any, Any]:
    from syncd.config import load_settings
    from syncd.logging import configure_logging
    from syncd.store import migrate
    from syncd.store.repository import Store

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        fail_config(exc)
    configure_logging(settings.log.level, settings.log.format, secrets=settings.secret_values())
    for warning in settings.warnings():
        err.print(f"warning: {warning}", markup=False)
    url = settings.database.url
    if settings.database.auto_upgrade:
        migrate.upgrade(url)
    else:
        migrate.check_current(url)
    return settings, Store(url)


def reconcile_once(config: Path | None, *, dry_run: bool, force_delete: bool, as_json: bool,
                   only: frozenset[str] | None = None) -> int:
    """One full cycle. Exit code: 0 everything asked for was done, 1 some changes were not (parked, held,
    failed, waiting for a failing connector, deletions held by a guard, a scan failed), 2 bad configuration
    or usage, 3 nothing could run (the store is unreachable, or no system could be scanned)."""
    from syncd.engine.build import build_engine
    from syncd.sandbox.embed import maybe_embedded_sandbox
    from syncd.store.locks import connector_locks

    try:
        settings, store = _prepare(config)
    except StoreError as exc:
        err.print(f"syncd: {exc}", markup=False)
        return 3
    if only:
        unknown = sorted(only - set(settings.enabled_connectors()))
        if unknown:
            known = ", ".join(sorted(settings.enabled_connectors())) or "none"
            err.print(f"syncd: --only {', '.join(unknown)}: no such enabled connector (enabled: {known})",
                      markup=False)
            return 2
    with ExitStack() as stack:
        stack.enter_context(maybe_embedded_sandbox(settings, announce=lambda m: err.print(m, markup=False)))
        engine = build_engine(settings, store)
        # a daemon on the same PostgreSQL store pauses its polls while this runs
        stack.enter_context(connector_locks(store, engine.connectors, wait=True))
        options = CycleOptions(dry_run=dry_run, force_delete=force_delete, systems=only, writes_to=only,
                               max_delete_ratio=engine.options.max_delete_ratio,
                               write_concurrency=engine.options.write_concurrency)
        report = asyncio.run(_run(engine, options, show_progress=sys.stderr.isatty() and not as_json))
    if as_json:
        out.print_json(json.dumps(report.as_json(), default=str))
    else:
        if dry_run:
            _print_plans(report.plans)
        _print_summary(report)
    return report.exit_code


async def _run(engine: Any, options: CycleOptions, *, show_progress: bool) -> CycleReport:
    try:
        if not show_progress:
            return await engine.run_cycle(options)  # type: ignore[no-any-return]
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bars:
            tasks: dict[tuple[str, str], TaskID] = {}

            def progress(phase: str, system: str, advance: int, total: int | None) -> None:
                key = (phase, system)
                if key not in tasks:
                    tasks[key] = bars.add_task(f"{phase} {system}", total=total)
                bars.update(tasks[key], advance=advance, total=total)

            return await engine.run_cycle(options, progress)  # type: ignore[no-any-return]
    finally:
        for connector in engine.connectors.values():
            await connector.aclose()


def _print_plans(plans: list[EntityPlan]) -> None:
    if not plans:
        out.print("plan: nothing to change")
        return
    out.print(f"plan: {len(plans)} entities would change")
    for plan in plans:
        out.print(f"entity {plan.entity_id}", markup=False)
        for change in plan.changes:
            target = f"{change.system}:{change.remote_id}" if change.remote_id else f"{change.system} (new)"
            note = f"  [parked: {change.problem}]" if change.problem else ""
            out.print(f"  {change.op.value} {target}{note}", markup=False)
            for name, value in change.values.items():
                old = change.old.get(name)
                out.print(f"    {name}: {old!r} -> {value!r}   ({change.rules.get(name, '')})", markup=False)
        for conflict in plan.conflicts:
            shown = ", ".join(f"{s}={v!r}" for s, v in conflict.candidates.items())
            out.print(f"  conflict {conflict.field}: {shown} (base {conflict.base!r}): left for an admin",
                      markup=False)
        for event in plan.events:
            out.print(f"  note: {event}", markup=False)


def _print_summary(report: CycleReport) -> None:
    table = Table(title=f"{'dry run' if report.dry_run else 'run'} {report.run_id or ''}".strip())
    columns = ("system", "scanned", "new", "changed", "vanished", "created", "updated", "deactivated", "deleted",
               "parked", "held", "waiting", "failed")
    headers = ("system", "scanned", "new", "chg", "gone", "created", "updated", "deact", "deleted", "parked",
               "held", "waiting", "failed")
    for header in headers:
        table.add_column(header, justify="left" if header == "system" else "right", no_wrap=True)
    for s in report.systems.values():
        table.add_row(s.system, *(str(getattr(s, c)) for c in columns[1:]))
    out.print(table)
    out.print(f"entities planned {report.entities}, new entities {report.new_entities}, linked {report.linked}, "
              f"writes planned {report.planned_writes}; review: {report.reviews_opened} new, "
              f"{report.review_backlog} open; conflicts: {report.conflicts_opened} new, "
              f"{report.conflict_backlog} open; {report.timings.get('total', 0):.1f}s", markup=False)
    for s in report.systems.values():
        for line in s.errors[:10]:
            err.print(f"{s.system}: {line}", markup=False)
        if len(s.errors) > 10:
            err.print(f"{s.system}: … and {len(s.errors) - 10} more", markup=False)
    lines = report.not_done_lines()
    if lines:
        err.print(f"not done ({report.outcome}, exit code {report.exit_code}):", markup=False)
        for line in lines:
            err.print(f"  {line}", markup=False)
    else:
        err.print("everything asked for was done", markup=False)


def run_daemon(config: Path | None, *, grace: float) -> int:
    """``syncd run``: the daemon, with the sandbox embedded when the configuration points at it."""
    from syncd.config import find_config
    from syncd.daemon import Daemon
    from syncd.sandbox.embed import maybe_embedded_sandbox

    try:
        settings, store = _prepare(config)
    except StoreError as exc:
        err.print(f"syncd: {exc}", markup=False)
        return 1
    with maybe_embedded_sandbox(settings, announce=lambda m: err.print(m, markup=False)):
        return asyncio.run(Daemon(settings, store, find_config(config), grace=grace).run())


def match_file(input_path: Path, output: Path, *, auto_link: float | None, review: float | None,
               explain: Path | None = None) -> int:
    """``syncd match``: the same matcher as the daemon, on a CSV file."""
    from syncd.config import load_settings
    from syncd.engine.build import match_settings
    from syncd.matchfile import match_csv

    try:
        settings = load_settings(None)
    except ConfigError as exc:
        fail_config(exc)
    matching = match_settings(settings)
    if auto_link is not None or review is not None:
        import dataclasses

        matching = dataclasses.replace(matching, auto_link=auto_link if auto_link is not None else matching.auto_link,
                                       review=review if review is not None else matching.review)
        matching = dataclasses.replace(matching, search=min(matching.search, matching.review))
    if matching.review > matching.auto_link:
        err.print("syncd: --review must not be above --auto-link", markup=False)
        return 2
    try:
        summary = match_csv(input_path, output, matching, explain=explain)
    except (ConfigError, ValueError, OSError) as exc:  # InputError is a ValueError
        err.print(f"syncd: {exc}", markup=False)
        return 2
    out.print(str(summary), markup=False)
    if explain is not None:
        out.print(f"the trained model: {explain}", markup=False)
    return 0
