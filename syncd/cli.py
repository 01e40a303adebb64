"""The syncd command line (placeholder while the foundation is built)."""

from __future__ import annotations


def main() -> None:
    raise SystemExit("syncd: the command line is being built")
