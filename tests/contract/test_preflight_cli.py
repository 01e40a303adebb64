"""The company ids of the configuration are checked against the vendors when syncd starts: `syncd --reconcile`
and `syncd run` refuse an id the vendor does not have, with exit code 2 and a line naming key, value and reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from syncd.sandbox.serve import free_port_base

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    base = free_port_base()
    text = EXAMPLE.read_text(encoding="utf-8")
    for i, port in enumerate(range(8701, 8705)):
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{base + i}")
    text = text.replace("port_base = 8701", f"port_base = {base}").replace("contacts = 200", "contacts = 20")
    text = text.replace('# default_company_id = "1"', 'default_company_id = "999"')
    text = text.replace('listen = "127.0.0.1:9188"', f'listen = "127.0.0.1:{free_port_base(1)}"')
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("command", [["--reconcile"], ["run"]])
def test_a_company_id_the_vendor_does_not_have_stops_syncd_at_start(workdir: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    done = subprocess.run([sys.executable, "-m", "syncd", *command], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "connectors.itflow.default_company_id = '999': not an existing client in itflow" in done.stderr
    assert "Traceback" not in done.stderr
