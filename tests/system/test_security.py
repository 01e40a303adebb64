"""Secrets never leave: known secret values grepped across every output of full runs, and the safe defaults.

The runs cover the paths where secrets are most at risk: DEBUG logging, `--dry-run`, `--reconcile --json`,
`config check`, `status`, and a vendor refusing a wrong credential (the error path quotes requests).
"""

from __future__ import annotations

import os
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


CONSOLE_PASSWORD = "console-pw-9c1d7e2b"
SESSION_SECRET = "console-session-secret-5e8a"


def test_no_secret_in_the_consoles_pages_logs_or_cookies(workdir: Path) -> None:
    """A full run, then `syncd console` at DEBUG: every page, every cookie and every log line is free of the
    vendors' secrets, the console password, its hash and the session secret."""
    import re
    import signal
    import subprocess
    import sys
    import time

    import httpx

    from syncd.sandbox.serve import free_port

    config = workdir / "config.toml"
    config.write_text(config.read_text().replace('level = "INFO"', 'level = "DEBUG"').replace(
        'secure_cookies = "auto"', f'secure_cookies = "auto"\nsession_secret = "{SESSION_SECRET}"'))
    assert SESSION_SECRET in config.read_text()
    assert syncd("--reconcile", cwd=workdir, check=False).returncode in (0, 1)  # 1: some changes parked
    added = subprocess.run([sys.executable, "-m", "syncd", "console", "adduser", "alice", "--role", "admin",
                            "--password-stdin"], cwd=workdir, input=CONSOLE_PASSWORD + "\n", capture_output=True,
                           text=True, timeout=60, env={k: v for k, v in os.environ.items()
                                                       if not k.startswith("SYNCD_")})
    assert added.returncode == 0, added.stderr
    users_file = workdir / "console-users.toml"
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    password_hash = re.search(r'password_hash = "([^"]+)"', users_file.read_text()).group(1)  # type: ignore[union-attr]
    assert CONSOLE_PASSWORD not in users_file.read_text()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    process = subprocess.Popen([sys.executable, "-m", "syncd", "console", "--listen", f"127.0.0.1:{port}"],
                               cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pages: list[str] = []
    cookies: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}/console"
        with httpx.Client(base_url=base, timeout=20) as client:
            for _ in range(100):
                try:
                    client.get("/login")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            login = client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"user": "alice", "password": "wrong-one", "csrf": token})
            login = client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
            answer = client.post("/login", data={"user": "alice", "password": CONSOLE_PASSWORD, "csrf": token})
            cookies += [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
            cookies += [v for r in answer.history for k, v in r.headers.multi_items() if k == "set-cookie"]
            assert any(c.startswith("syncd_session=") for c in cookies)
            todo = ["/", "/review", "/conflicts", "/outbox", "/people?q=a", "/review?reason=x"]
            seen: set[str] = set()
            while todo:
                path = todo.pop()
                if path in seen or len(seen) > 60:
                    continue
                seen.add(path)
                page = client.get(path)
                assert page.status_code == 200, (path, page.status_code)
                pages.append(page.text)
                todo += [p for p in re.findall(r'href="/console(/(?:review|outbox|people)/[^"?]+)"', page.text)
                         if p not in seen][:10]
            assert any("/people/" in p for p in seen) and any("/outbox/" in p for p in seen)
            client.post("/logout", data={"csrf": re.search(r'name="csrf" value="([^"]+)"',  # type: ignore[union-attr]
                                                           pages[-1]).group(1)})
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    logs = out + err
    assert "console login" in logs and "console login failed" in logs, logs[-2000:]
    everything = "\n".join([*pages, *cookies, logs])
    for secret in (*SANDBOX_SECRETS, CONSOLE_PASSWORD, password_hash, SESSION_SECRET, "wrong-one"):
        assert secret not in everything, f"{secret[:12]}... reached a console page, cookie or log line"
