"""The CLI package's modules depend only downward: no module imports one of its own layer or above."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import syncd.cli

PACKAGE = Path(syncd.cli.__file__).parent

#: lowest first; a module may import only modules of a lower layer
LAYERS = {"common": 0, "cycle": 1, "maintain": 2, "ops": 2, "admin": 2, "outbox": 2, "console": 2, "app": 3,
          "__init__": 4}


def cli_imports(path: Path) -> set[str]:
    """The ``syncd.cli`` modules a file imports, anywhere in it (lazy imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "syncd.cli":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("syncd.cli."):
                found.add(node.module.removeprefix("syncd.cli.").split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("syncd.cli.").split(".")[0] for a in node.names
                         if a.name.startswith("syncd.cli."))
    return found


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= set(LAYERS), f"give these a layer: {sorted(modules - set(LAYERS))}"


def test_imports_go_only_downward() -> None:
    upward = []
    for path in PACKAGE.glob("*.py"):
        for imported in cli_imports(path):
            if LAYERS[imported] >= LAYERS[path.stem]:
                upward.append(f"{path.stem} (layer {LAYERS[path.stem]}) imports {imported} "
                              f"(layer {LAYERS[imported]})")
    assert not upward, upward


def test_the_old_modules_are_gone_and_the_entry_point_stays() -> None:
    assert not list(PACKAGE.parent.glob("cli_*.py"))
    text = (PACKAGE.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'syncd = "syncd.cli:main"' in text


def test_each_layer_imports_alone() -> None:
    """A layer loads without anything above it having been imported first (no hidden cycle at run time)."""
    for name in sorted(LAYERS, key=LAYERS.__getitem__):
        module = "syncd.cli" if name == "__init__" else f"syncd.cli.{name}"
        if name != "__init__" and not (PACKAGE / f"{name}.py").exists():
            continue
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, timeout=60)
