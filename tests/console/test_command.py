"""`syncd console` as a user starts it: with no user it prints a one-time password on the terminal (never in
the log), `adduser` writes a lasting one, `syncd run` mounts the console when enabled; the vendored script is
the pinned file."""

from __future__ import annotations

import hashlib
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from syncd.sandbox.serve import free_port

STATIC = Path(__file__).resolve().parents[2] / "syncd" / "console" / "static"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}


def _wait(url: str) -> None:
    for _ in range(150):
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def _login(base: str, user: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=20) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token
        return client.post("/login", data={"user": user, "password": password, "csrf": token.group(1)},
                           follow_redirects=False)


def test_with_no_user_a_one_time_password_is_printed_on_the_terminal_only(tmp_path: Path) -> None:
    port = free_port()
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "syncd", "console", "--listen", f"127.0.0.1:{port}"],
                               cwd=tmp_path, env=_env(), stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                               text=True)
    os.close(slave)
    screen = b""
    try:
        deadline = time.monotonic() + 60
        while b"one-time password" not in screen or b"\n" not in screen.split(b"one-time password")[-1]:
            assert time.monotonic() < deadline, screen
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                screen += os.read(master, 4096)
        text = screen.decode()
        password = re.search(r"one-time password (\S+)", text).group(1)  # type: ignore[union-attr]
        assert f"http://127.0.0.1:{port}/console/" in text
        base = f"http://127.0.0.1:{port}/console"
        _wait(f"{base}/login")
        assert _login(base, "admin", "not-it").status_code == 401
        assert _login(base, "admin", password).status_code == 303
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
        while select.select([master], [], [], 0.5)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        os.close(master)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", x) for x in screen.decode(errors="replace").splitlines()]
    assert any("console login" in line and "user=admin" in line for line in lines), lines  # the log is there ...
    # ... and the password is only in the notice for the person at the terminal, never in a log line
    assert [line for line in lines if password in line] == [next(x for x in lines if "one-time password" in x)]


def test_adduser_then_the_console_lets_them_in_and_without_a_terminal_there_is_no_one_time_password(
        tmp_path: Path) -> None:
    added = subprocess.run([sys.executable, "-m", "syncd", "console", "adduser", "bob", "--role", "viewer",
                            "--password-stdin"], cwd=tmp_path, env=_env(), input="short\n", capture_output=True,
                           text=True, timeout=60)
    assert added.returncode == 2 and "at least 10" in added.stderr
    added = subprocess.run([sys.executable, "-m", "syncd", "console", "adduser", "bob", "--role", "viewer",
                            "--password-stdin"], cwd=tmp_path, env=_env(), input="bobs-long-password\n",
                           capture_output=True, text=True, timeout=60)
    assert added.returncode == 0 and "added viewer 'bob'" in added.stdout, added.stderr
    assert "bobs-long-password" not in (tmp_path / "console-users.toml").read_text()
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "syncd", "console", "--listen", f"127.0.0.1:{port}"],
                               cwd=tmp_path, env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}/console"
        _wait(f"{base}/login")
        assert _login(base, "bob", "bobs-long-password").status_code == 303
        # a user added while it runs can log in at once
        subprocess.run([sys.executable, "-m", "syncd", "console", "adduser", "carol", "--role", "admin",
                        "--password-stdin"], cwd=tmp_path, env=_env(), input="carols-long-password\n",
                       check=True, capture_output=True, text=True, timeout=60)
        assert _login(base, "carol", "carols-long-password").status_code == 303
        assert _login(base, "admin", "anything-at-all").status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert "one-time password" not in out + err


def test_syncd_run_serves_the_console_when_enabled(tmp_path: Path) -> None:
    from syncd.sandbox.serve import free_port_base

    example = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text()
    base_port, listen = free_port_base(), free_port()
    for i, port in enumerate(range(8701, 8705)):
        example = example.replace(f"127.0.0.1:{port}", f"127.0.0.1:{base_port + i}")
    example = example.replace("port_base = 8701", f"port_base = {base_port}").replace(
        "contacts = 200", "contacts = 20").replace("127.0.0.1:9188", f"127.0.0.1:{listen}")
    assert 'enabled = false\nsecure_cookies' in example
    example = example.replace('enabled = false\nsecure_cookies', 'enabled = true\nsecure_cookies')
    (tmp_path / "config.toml").write_text(example)
    subprocess.run([sys.executable, "-m", "syncd", "console", "adduser", "ops", "--role", "admin",
                    "--password-stdin"], cwd=tmp_path, env=_env(), input="ops-long-password\n", check=True, text=True,
                   capture_output=True, timeout=60)
    process = subprocess.Popen([sys.executable, "-m", "syncd", "run", "--grace", "10"], cwd=tmp_path, env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{listen}/console"
        _wait(f"http://127.0.0.1:{listen}/healthz")
        assert _login(base, "ops", "ops-long-password").status_code == 303
        assert httpx.get(f"http://127.0.0.1:{listen}/healthz", timeout=5).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert process.returncode == 0


def test_the_vendored_htmx_is_the_pinned_file_with_its_licence() -> None:
    digest = hashlib.sha256((STATIC / "htmx-2.0.11.min.js").read_bytes()).hexdigest()
    assert digest == "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    assert "Zero-Clause BSD" in (STATIC / "htmx-LICENSE.txt").read_text()
    assert digest in (STATIC / "VENDORED.md").read_text()
    templates = (STATIC.parent / "templates" / "base.html").read_text()
    assert "https://" not in templates and "//cdn" not in templates, "a page loads something from elsewhere"
