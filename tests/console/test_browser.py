"""The console in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's chromedriver
(never a downloaded driver). What only a browser shows: the pages render and lay out (the chart has a size),
htmx's live search and boosted links work under the console's CSP with no script error, the keyboard shortcut
decides a review item, and a script's forged POST without the token is refused.

Screenshots of every page land in tests/output/console/ (gitignored) for a reviewer to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from syncd.console.app import standalone_app
from syncd.console.auth import Users
from syncd.sandbox.serve import serve_in_thread
from syncd.store import tables as t

from .conftest import PASSWORDS, World

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SHOTS = Path(__file__).resolve().parents[1] / "output" / "console"

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: .ci/run installs chromium and chromium-driver")
    pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install -y chromium "
                "chromium-driver)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[WebDriver]:
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000", f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(tmp_path / "chromium", ignore_errors=True)


@pytest.fixture
def site(lite_world: World) -> Iterator[str]:
    # one store is enough here: tests/console/test_http.py runs the same flows on SQLite and PostgreSQL
    world = lite_world
    app = standalone_app(world.settings, world.store, Users(world.settings.console.users, None))
    with serve_in_thread(app) as url:
        yield url


def shot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(800, min(int(height) + 40, 4000)))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1280, 1000)


def wait_for(driver: WebDriver, css: str, timeout: float = 10) -> None:
    WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def wait_text(driver: WebDriver, text: str, timeout: float = 10) -> None:
    # the page may be replaced while it is read (a form posted, a redirect): its text is read in one script
    # call, with no element to go stale between finding it and reading it, and read again when the document
    # went away under the call (chromedriver: "Node with given id does not belong to the document")
    WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,)).until(
        lambda d: text in (d.execute_script("return document.body ? document.body.innerText : ''") or ""))


def login(driver: WebDriver, site: str, user: str, password: str | None = None) -> None:
    driver.get(f"{site}/console/")
    wait_for(driver, "#user")
    driver.find_element(By.ID, "user").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password or PASSWORDS[user])
    driver.find_element(By.ID, "login").click()


def script_errors(driver: WebDriver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


async def test_an_admin_works_through_the_morning(driver: WebDriver, site: str, lite_world: World) -> None:
    world = lite_world
    driver.get(f"{site}/console/")
    wait_for(driver, "#login")
    shot(driver, "01-login")
    login(driver, site, "alice")
    wait_for(driver, "#connectors")
    chart = driver.find_element(By.CSS_SELECTOR, "#runs-chart svg")
    assert chart.size["width"] > 300 and chart.size["height"] > 60, "the runs chart is not laid out"
    bars = driver.find_elements(By.CSS_SELECTOR, "#runs-chart rect.writes")
    assert bars and max(b.size["height"] for b in bars) > 10, "the first run's writes are not drawn"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#connectors tr.ok")) == 4
    assert driver.execute_script("return typeof window.htmx") == "object", "htmx did not load (CSP? path?)"
    shot(driver, "02-overview")

    driver.find_element(By.LINK_TEXT, "Review").click() if driver.find_elements(By.LINK_TEXT, "Review") else \
        driver.find_element(By.PARTIAL_LINK_TEXT, "Review").click()
    wait_for(driver, "#review-items")
    shot(driver, "03-review-queue")
    driver.get(f"{site}/console/review/{world.review_id}")
    wait_for(driver, "#compare")
    assert re.search(r"[+-]\d+\.\d\d", driver.find_element(By.ID, "evidence").text)  # the matcher's bits
    shot(driver, "04-review-item")
    driver.find_element(By.TAG_NAME, "body").send_keys("a")  # the keyboard shortcut: same person
    wait_text(driver, "in effect from the next cycle")
    shot(driver, "05-review-decided")
    with world.store.session_factory() as s:
        item = s.get(t.ReviewItem, world.review_id)
        assert item is not None and item.status == "accepted" and item.decided_by == "alice"

    driver.get(f"{site}/console/conflicts")
    wait_for(driver, f"#conflict-{world.conflict_id}")
    shot(driver, "06-conflicts")
    driver.find_element(By.CSS_SELECTOR, f'#conflict-{world.conflict_id} button.take[data-system="cirrus"]').click()
    wait_text(driver, "the next cycle writes it everywhere")
    shot(driver, "07-conflict-resolved")

    driver.get(f"{site}/console/outbox")
    wait_for(driver, f'tr[data-change="{world.parked_id}"]')
    shot(driver, "08-parked-changes")
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-change="{world.parked_id}"]')
    row.find_element(By.XPATH, "ancestor::form").find_element(By.CSS_SELECTOR, "button.retry-group").click()
    wait_text(driver, "set to pending")
    shot(driver, "09-parked-retried")
    with world.store.session_factory() as s:
        change = s.get(t.OutboxItem, world.parked_id)
        assert change is not None and change.status == "pending" and change.retried_by == "alice"

    report = await world.cycle()  # the decisions take effect
    assert not any(r.scan_error for r in report.systems.values()), report.as_json()  # parked ones are expected

    driver.get(f"{site}/console/people")
    wait_for(driver, "#q")
    with world.store.session_factory() as s:
        name = s.get(t.Entity, world.conflict_entity).display_name  # type: ignore[union-attr]
    driver.find_element(By.ID, "q").send_keys(str(name))  # no Enter: htmx searches as one types
    wait_for(driver, "#people-found")
    assert str(name) in driver.find_element(By.ID, "people-found").text
    shot(driver, "10-people-search")
    driver.find_element(By.CSS_SELECTOR, f'#people-found a[href$="{world.conflict_entity}"]').click()
    wait_for(driver, "#timeline")
    timeline = driver.find_element(By.ID, "timeline").text
    assert "conflict on title resolved" in timeline and "by alice" in timeline
    assert "Head of Freight" in driver.find_element(By.ID, "agreed").text
    shot(driver, "11-person-history")

    driver.find_element(By.ID, "logout").click()
    wait_for(driver, "#login")
    shot(driver, "12-logged-out")
    driver.get(f"{site}/console/review")
    wait_for(driver, "#login")  # the session is gone
    assert not script_errors(driver), script_errors(driver)


def test_a_viewer_cannot_act_and_a_forged_post_is_refused(driver: WebDriver, site: str, lite_world: World) -> None:
    world = lite_world
    login(driver, site, "victor")
    wait_for(driver, "#connectors")
    driver.get(f"{site}/console/review/{world.review_id}")
    wait_for(driver, "#compare")
    assert not driver.find_elements(By.ID, "accept") and driver.find_elements(By.ID, "viewer-note")
    driver.find_element(By.TAG_NAME, "body").send_keys("a")
    shot(driver, "13-viewer-review")
    # a page's script posting without the token, with the session cookie: refused
    status = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"fetch('/console/review/{world.review_id}', {{method: 'POST', credentials: 'same-origin',"
        "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'decision=accept'})"
        ".then(r => done(r.status)).catch(e => done(String(e)));")
    assert status == 403
    with world.store.session_factory() as s:
        assert s.scalar(select(t.ReviewItem.status).where(t.ReviewItem.id == world.review_id)) == "open"


def test_five_wrong_passwords_slow_the_login_down(driver: WebDriver, site: str) -> None:
    for _ in range(5):
        login(driver, site, "alice", "wrong-password")
        wait_for(driver, "#login-error")
    login(driver, site, "alice")
    wait_text(driver, "too many failed logins")
    shot(driver, "14-login-slowed-down")
    assert not driver.find_elements(By.ID, "connectors")
    assert Keys  # imported for the shortcut tests' readers: send_keys takes plain letters too
