"""Console benchmark: how long each page takes to answer, over a store filled from the four simulators.

    python bench/console.py [--people 2000] [--repeat 20] [--browser]

The simulators run in threads (loopback HTTP) and one full cycle links and fills them into a SQLite store;
then every console page is requested ``--repeat`` times through Starlette's TestClient (the server side
only: database, admin layer, templates) and the median and worst are printed, with the page's size.
``--browser`` also loads each page in headless Chromium (Debian's) and prints what the browser measured
(navigation timing: time to DOMContentLoaded and to load, including htmx and the CSS).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from syncd.config import Settings
from syncd.console.app import standalone_app
from syncd.console.auth import User, Users, hash_password
from syncd.engine.build import build_engine
from syncd.sandbox.defaults import SANDBOX_CONNECTORS
from syncd.sandbox.run import build, embedded
from syncd.sandbox.serve import free_port_base, serve_in_thread
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "bench-password-123"


def settings_for(port_base: int, url: str) -> Settings:
    connectors: dict[str, Any] = {}
    for name, values in SANDBOX_CONNECTORS.items():
        cfg = dict(values)
        for i, port in enumerate(range(8701, 8705)):
            cfg["base_url"] = str(cfg["base_url"]).replace(f"127.0.0.1:{port}", f"127.0.0.1:{port_base + i}")
        connectors[name] = cfg
    return Settings(database={"url": url}, connectors=connectors, sandbox={"embedded": "never"})


async def fill(settings: Settings, store: Store) -> float:
    engine = build_engine(settings, store)
    started = time.perf_counter()
    try:
        await engine.run_cycle()
    finally:
        for connector in engine.connectors.values():
            await connector.aclose()
    return time.perf_counter() - started


def pages(store: Store) -> dict[str, str]:
    with store.session_factory() as s:
        review = s.scalar(t.ReviewItem.__table__.select().with_only_columns(t.ReviewItem.id).limit(1))
        change = s.scalar(t.OutboxItem.__table__.select().with_only_columns(t.OutboxItem.id)
                          .where(t.OutboxItem.status != "applied").limit(1))
        entity, name = s.execute(t.Entity.__table__.select().with_only_columns(t.Entity.id, t.Entity.display_name)
                                 .where(t.Entity.display_name.is_not(None)).limit(1)).one()
        email = s.scalar(t.FieldBase.__table__.select().with_only_columns(t.FieldBase.value)
                         .where(t.FieldBase.field == "email").limit(1))
        phone = s.scalar(t.FieldBase.__table__.select().with_only_columns(t.FieldBase.value)
                         .where(t.FieldBase.field == "phone_mobile").limit(1))
    out = {"overview": "/console/", "review queue": "/console/review", "conflicts": "/console/conflicts",
           "parked changes": "/console/outbox", f"person {entity[:8]}": f"/console/people/{entity}",
           "search by name": f"/console/people?q={name.split()[0]}",
           "search by email": f"/console/people?q={email}",
           "search by phone": f"/console/people?q={re.sub(r'[^0-9]', '', str(phone))[-7:]}"}
    if review:
        out["review item"] = f"/console/review/{review}"
    if change:
        out["one change"] = f"/console/outbox/{change}"
    return out


def login(client: TestClient) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/login").text)
    assert token
    answer = client.post("/console/login", data={"user": "bench", "password": PASSWORD, "csrf": token.group(1)})
    assert answer.status_code == 200, answer.status_code


def server_side(app: Any, urls: dict[str, str], repeat: int) -> None:
    with TestClient(app) as client:
        login(client)
        print(f"{'page':<22} {'median ms':>10} {'worst ms':>9} {'KiB':>7}")
        for label, url in urls.items():
            times, size = [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                answer = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (url, answer.status_code)
                size = len(answer.content)
            print(f"{label:<22} {statistics.median(times):>10.1f} {max(times):>9.1f} {size / 1024:>7.1f}")


def in_browser(app: Any, urls: dict[str, str], repeat: int) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="syncd-bench-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        with serve_in_thread(app) as site:
            driver.get(f"{site}/console/login")
            driver.find_element(By.ID, "user").send_keys("bench")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.ID, "login").click()
            print(f"\nin Chromium ({repeat} loads each): {'page':<22} {'DOMContentLoaded ms':>20} {'load ms':>8}")
            for label, url in urls.items():
                ready, loaded = [], []
                for _ in range(repeat):
                    driver.get(f"{site}{url}")
                    timing = driver.execute_script("const n = performance.getEntriesByType('navigation')[0];"
                                                   "return [n.domContentLoadedEventEnd, n.loadEventEnd];")
                    ready.append(timing[0])
                    loaded.append(timing[1])
                print(f"{'':<33}{label:<22} {statistics.median(ready):>20.1f} {statistics.median(loaded):>8.1f}")
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        store = Store(url)
        sandboxes = build(seed=3, contacts=args.people, port_base=free_port_base())
        settings = settings_for(sandboxes.port_base, url)
        with embedded(sandboxes):
            seconds = asyncio.run(fill(settings, store))
        with store.session_factory() as s:
            entities = s.query(t.Entity).count()
            records = s.query(t.RemoteRecordRow).count()
        print(f"store: {entities} people, {records} vendor records (first cycle {seconds:.1f} s)")
        started = time.perf_counter()
        hashed = hash_password(PASSWORD)
        print(f"argon2id hash: {(time.perf_counter() - started) * 1000:.0f} ms")
        users = Users({}, None, User("bench", "admin", hashed))
        app = standalone_app(settings, store, users)
        urls = pages(store)
        server_side(app, urls, args.repeat)
        if args.browser:
            in_browser(app, urls, max(3, args.repeat // 4))
        store.dispose()


if __name__ == "__main__":
    main()
