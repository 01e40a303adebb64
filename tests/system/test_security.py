"""Secrets never leave: known secret values grepped across every output of full runs, and the safe defaults.

The runs cover the paths where secrets are most at risk: DEBUG logging, `--dry-run`, `--reconcile --json`,
`config check`, `status`, and a vendor refusing a wrong credential (the error path quotes requests).
"""

from __future__ import annotations

import stat
from pathlib import Path

from syncd.config import Settings
from syncd.connectors.settings import ConnectorSettings

from .test_cli import syncd
from .test_cli import workdir as workdir

SANDBOX_SECRETS = ("sandbox-itflow-key", "sandbox-cirrus-token", "sandbox-lightening-token")
WRONG_SECRET = "wrong-itflow-key-7f3a9c"


def test_no_secret_in_any_output_log_or_the_database(workdir: Path) -> None:
    config = workdir / "config.toml"
    text = config.read_text().replace('level = "INFO"', 'level = "DEBUG"')
    config.write_text(text)
    # the sandbox's structurally parked creates make a run "partial" (exit 1): the output is what matters here
    runs = [syncd(*args, cwd=workdir, check=False) for args in (("--dry-run",), ("--reconcile", "--json"),
                                                                 ("--reconcile",))]
    assert all(run.returncode in (0, 1) for run in runs), [run.stderr for run in runs]
    outputs = [syncd("config", "check", cwd=workdir), *runs, syncd("status", cwd=workdir)]
    config.write_text(text.replace('api_key = "sandbox-itflow-key"', f'api_key = "{WRONG_SECRET}"'))
    refused = syncd("--reconcile", cwd=workdir, check=False)
    assert refused.returncode == 1 and "itflow" in refused.stdout + refused.stderr
    outputs.append(refused)

    everything = "\n".join(o.stdout + o.stderr for o in outputs)
    assert "DEBUG" in everything.upper() or "debug" in everything  # the runs did log at DEBUG
    for secret in (*SANDBOX_SECRETS, WRONG_SECRET):
        assert secret not in everything, f"{secret} reached an output"
    for path in workdir.iterdir():
        if path.name == "config.toml" or not path.is_file():
            continue
        data = path.read_bytes()
        for secret in (*SANDBOX_SECRETS, WRONG_SECRET):
            assert secret.encode() not in data, f"{secret} reached {path.name}"
    database = workdir / "syncd.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600, "the store is readable by others"


def test_safe_defaults() -> None:
    settings = Settings()
    assert settings.server.listen.startswith("127.0.0.1:"), "the HTTP listener must bind to localhost by default"
    assert ConnectorSettings(type="x", base_url="https://vendor.example").verify_tls is True
    insecure = Settings(connectors={"itflow": {"type": "itflow", "base_url": "https://it.example", "api_key": "k",
                                               "verify_tls": False}})
    assert any("verify_tls = false" in note for note in insecure.warnings())
