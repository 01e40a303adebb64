"""The ``syncd`` command line, as a package whose modules depend only downward.

Layers, lowest first (a module imports only from layers below its own; ``tests/unit/test_cli_layers.py``
checks it):

0. :mod:`syncd.cli.common` — the consoles, the ``--config`` option, failing with an exit code, opening
   the admin layer (:mod:`syncd.engine.admin`) on the configured store.
1. :mod:`syncd.cli.cycle` — the jobs: one reconcile cycle, the daemon, offline matching.
2. the commands, one module per area: :mod:`~syncd.cli.maintain` (``db``, ``config``),
   :mod:`~syncd.cli.ops` (``run``, ``sandbox``, ``match``), :mod:`~syncd.cli.admin` (review, link,
   conflicts, status, history).
3. :mod:`syncd.cli.app` — the Typer application: the root options, every command registered, ``main``.

The commands only parse and print: every admin action lives once in the engine's admin layer, which the
console calls too.
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """The ``syncd`` entry point (imports the application only when called, so importing a layer stays cheap)."""
    from syncd.cli.app import main as run

    run()
