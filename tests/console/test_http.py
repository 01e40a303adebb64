"""The console's flows at the HTTP level (Starlette's TestClient): what each page shows, what each action does
to the store and, after the next cycle, to the vendors; and who is refused what."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from syncd.console.app import COOKIE
from syncd.store import tables as t

from .conftest import PASSWORDS, Browser, World


def _console(browser: Browser) -> Any:
    mount = next(r for r in browser.client.app.routes if getattr(r, "path", "") == "/console")  # type: ignore[attr-defined]
    return mount.app.state.console


def test_every_page_needs_a_login_and_the_cookie_is_httponly_and_samesite(lite_console: Browser) -> None:
    for path in ("/console/", "/console/review", "/console/conflicts", "/console/outbox", "/console/people?q=ab"):
        answer = lite_console.client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and "/console/login?next=" in answer.headers["location"], path
    wrong = lite_console.login("alice", "not-her-password")
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
    ok = lite_console.login("alice")
    assert ok.status_code == 303 and ok.headers["location"] == "/console/"
    cookie = next(v for k, v in ok.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http on loopback; over https it is (next test)
    page = lite_console.client.get("/console/")
    assert page.status_code == 200 and "alice" in page.text
    for header in ("content-security-policy", "x-frame-options", "x-content-type-options"):
        assert header in page.headers


def test_over_https_the_cookie_is_secure(lite_world: World) -> None:
    from syncd.console.app import standalone_app
    from syncd.console.auth import Users

    from .conftest import TestClient

    app = standalone_app(lite_world.settings, lite_world.store, Users(lite_world.settings.console.users, None))
    with TestClient(app, base_url="https://syncd.example") as client:
        browser = Browser(client)
        ok = browser.login("alice")
        cookie = next(v for k, v in ok.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
        assert "Secure" in cookie


def test_the_overview_shows_each_connector_the_backlogs_and_the_runs_as_a_chart(console: Browser) -> None:
    console.login("alice")
    page = console.client.get("/console/").text
    for system in ("flowtrac", "lightening", "itflow", "cirrus"):
        assert f'data-system="{system}"' in page
    assert page.count('class="ok"') == 4, "every connector scanned well: all four ready"
    assert re.search(r'id="backlog-review"><b>[1-9]', page) and re.search(r'id="backlog-conflicts"><b>[1-9]', page)
    assert re.search(r'id="backlog-parked"><b>[1-9]', page)
    assert "<svg" in page and 'data-run="1"' in page and 'data-run="2"' in page
    assert 'class="writes"' in page  # the first run wrote: its bar is drawn


async def test_accept_a_review_item_then_the_next_cycle_links_and_fills(console: Browser, world: World) -> None:
    console.login("alice")
    item = console.client.get(f"/console/review/{world.review_id}").text
    assert "Meyerhoff" in item and 'id="compare"' in item
    # the matcher's own evidence, each piece with the bits it carried
    assert re.search(r"<td>[+-]\d+\.\d\d</td>", item), item
    done = console.post(f"/console/review/{world.review_id}", {"decision": "accept"},
                        page=f"/console/review/{world.review_id}")
    assert done.status_code == 200 and "in effect from the next cycle" in done.text
    with world.store.session_factory() as s:
        review = s.get(t.ReviewItem, world.review_id)
        assert review is not None and review.status == "accepted" and review.decided_by == "alice"
    report = await world.cycle()
    assert not any(r.scan_error for r in report.systems.values()), report.as_json()  # parked ones are expected
    with world.store.session_factory() as s:
        records = s.execute(select(t.RemoteRecordRow.system, t.RemoteRecordRow.remote_id,
                                   t.RemoteRecordRow.fields)).all()
        meyer = [(sy, rid) for sy, rid, fields in records if "Meyerhoff" in str(fields)]
        entities = {s.scalar(select(t.Link.entity_id).where(t.Link.system == sy, t.Link.remote_id == rid))
                    for sy, rid in meyer}
    assert len(entities) == 1 and None not in entities, meyer
    assert {sy for sy, _ in meyer} == {"flowtrac", "lightening", "itflow", "cirrus"}, "filled into every system"


async def test_take_one_side_of_a_conflict_and_the_next_cycle_writes_it_everywhere(console: Browser,
                                                                                   world: World) -> None:
    console.login("alice")
    page = console.client.get("/console/conflicts").text
    assert "Head of Freight" in page and "Warehouse Lead" in page and "title" in page
    done = console.post(f"/console/conflicts/{world.conflict_id}", {"take": "cirrus"}, page="/console/conflicts")
    assert "the next cycle writes it everywhere" in done.text
    with world.store.session_factory() as s:
        conflict = s.get(t.Conflict, world.conflict_id)
        assert conflict is not None and conflict.status == "resolved" and conflict.resolved_by == "alice"
    report = await world.cycle()
    assert not any(r.scan_error for r in report.systems.values()), report.as_json()  # parked ones are expected
    with world.store.session_factory() as s:
        links = s.scalars(select(t.Link).where(t.Link.entity_id == world.conflict_entity)).all()
    for link in links:
        if link.system == "lightening":
            continue  # Lightening holds no title
        record = await world.users[link.system].get(link.remote_id)
        assert record is not None and record.contact.title == world.conflict_value, link.system


def test_type_another_value_for_a_conflict(lite_console: Browser, lite_world: World) -> None:
    lite_console.login("alice")
    lite_console.post(f"/console/conflicts/{lite_world.conflict_id}", {"take": "cirrus", "value": "Logistics Lead",
                                                             "use": "value"}, page="/console/conflicts")
    with lite_world.store.session_factory() as s:
        conflict = s.get(t.Conflict, lite_world.conflict_id)
        assert conflict is not None and conflict.resolution["value"] == "Logistics Lead"


async def test_retry_a_parked_change_and_the_next_cycle_sends_it_again(console: Browser, world: World) -> None:
    console.login("alice")
    page = console.client.get("/console/outbox").text
    assert "itflow" in page and "Fix:" in page and f'data-change="{world.parked_id}"' in page
    with world.store.session_factory() as s:
        before = s.get(t.OutboxItem, world.parked_id)
        assert before is not None
        attempts = before.attempts
    done = console.post("/console/outbox/retry", {"ids": [world.parked_id]}, page="/console/outbox")
    assert "set to pending" in done.text
    with world.store.session_factory() as s:
        row = s.get(t.OutboxItem, world.parked_id)
        assert row is not None and row.status == "pending" and row.retried_by == "alice"
    await world.cycle()
    with world.store.session_factory() as s:
        row = s.get(t.OutboxItem, world.parked_id)
        assert row is not None
        # sent again, and refused again for the same reason (the record still has no email): parked, not lost
        assert (row.attempts > attempts and row.status == "parked") or row.status == "superseded", row.status


def test_find_a_person_by_name_email_or_phone_and_read_their_history(console: Browser, world: World) -> None:
    console.login("alice")
    console.post(f"/console/conflicts/{world.conflict_id}", {"take": "cirrus"}, page="/console/conflicts")
    with world.store.session_factory() as s:
        email = s.scalar(select(t.FieldBase.value).where(t.FieldBase.entity_id == world.conflict_entity,
                                                         t.FieldBase.field == "email"))
        name = s.get(t.Entity, world.conflict_entity).display_name  # type: ignore[union-attr]
        phone = s.scalar(select(t.FieldBase.value).where(t.FieldBase.entity_id == world.conflict_entity,
                                                         t.FieldBase.field.in_(("phone_office", "phone_mobile"))))
    for query in (name, str(email).upper(), re.sub(r"\D", "", str(phone))[-7:]):
        found = console.client.get("/console/people", params={"q": query}).text
        assert f"/console/people/{world.conflict_entity}" in found, query
    person = console.client.get(f"/console/people/{world.conflict_entity}").text
    assert 'id="agreed"' in person and 'id="timeline"' in person
    assert "conflict on title resolved" in person and "by alice" in person
    assert "linked" in person and "run 1" in person
    assert "https://itflow.example/contact_details.php?contact_id=" in person  # [console.record_links]


def test_log_out_ends_the_session_on_the_server(lite_console: Browser) -> None:
    lite_console.login("alice")
    stolen = lite_console.client.cookies.get(COOKIE)
    token = lite_console.token("/console/")
    out = lite_console.client.post("/console/logout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    lite_console.client.cookies.set(COOKIE, stolen or "", path="/console")
    again = lite_console.client.get("/console/", follow_redirects=False)
    assert again.status_code == 303 and "/login" in again.headers["location"], "a logged-out cookie still worked"


def test_a_viewer_reads_everything_and_can_do_nothing(lite_console: Browser, lite_world: World) -> None:
    lite_console.login("victor")
    item = lite_console.client.get(f"/console/review/{lite_world.review_id}").text
    assert "Meyerhoff" in item and 'id="accept"' not in item and "You are a viewer" in item
    assert "Take this" not in lite_console.client.get("/console/conflicts").text
    for path, data in ((f"/console/review/{lite_world.review_id}", {"decision": "accept"}),
                       (f"/console/conflicts/{lite_world.conflict_id}", {"take": "cirrus"}),
                       ("/console/outbox/retry", {"ids": [lite_world.parked_id]}),
                       ("/console/review/bulk", {"ids": [lite_world.review_id], "decision": "reject"})):
        answer = lite_console.client.post(path, data={**data, "csrf": lite_console.token("/console/")})
        assert answer.status_code == 403 and "viewer" in answer.text, path
    with lite_world.store.session_factory() as s:
        assert s.get(t.ReviewItem, lite_world.review_id).status == "open"  # type: ignore[union-attr]
        assert s.get(t.Conflict, lite_world.conflict_id).status == "open"  # type: ignore[union-attr]
        assert s.get(t.OutboxItem, lite_world.parked_id).status == "parked"  # type: ignore[union-attr]


def test_a_request_without_the_csrf_token_is_refused(lite_console: Browser, lite_world: World) -> None:
    lite_console.login("alice")
    path = f"/console/review/{lite_world.review_id}"
    for data in ({"decision": "accept"}, {"decision": "accept", "csrf": "forged"}):
        answer = lite_console.client.post(path, data=data)
        assert answer.status_code == 403 and "security token" in answer.text
    with lite_world.store.session_factory() as s:
        assert s.get(t.ReviewItem, lite_world.review_id).status == "open"  # type: ignore[union-attr]
    # the header htmx sends works as the form field does
    token = lite_console.token("/console/")
    answer = lite_console.client.post(path, data={"decision": "reject"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    # and the login form has its own token
    fresh = Browser(lite_console.client)
    fresh.client.cookies.clear()
    assert fresh.client.post("/console/login", data={"user": "alice", "password": PASSWORDS["alice"]}).status_code \
        == 403


def test_five_wrong_passwords_slow_the_next_try_down(lite_console: Browser) -> None:
    throttle = _console(lite_console).throttle
    now = [1000.0]
    throttle.clock = lambda: now[0]
    for _ in range(5):
        assert lite_console.login("alice", "guess").status_code == 401
    refused = lite_console.login("alice")  # even the right password waits
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 30
    assert "too many failed logins" in refused.text
    other_user = lite_console.login("victor")  # from the same address: also slowed
    assert other_user.status_code == 429
    now[0] += 31
    assert lite_console.login("alice").status_code == 303
    for _ in range(5):
        lite_console.login("victor", "guess")
    now[0] += 31
    assert lite_console.login("victor", "guess").status_code == 401  # heard again after 30 s, and wrong again
    now[0] += 31
    assert lite_console.login("victor").status_code == 429, "each failure past five doubles the wait"
    now[0] += 30
    assert lite_console.login("victor").status_code == 303


def test_bulk_keep_apart_by_reason(console: Browser, world: World) -> None:
    console.login("alice")
    listing = console.client.get("/console/review", params={"reason": "different personal emails"}).text
    ids = [int(i) for i in re.findall(r'name="ids" value="(\d+)"', listing)]
    assert world.review_id in ids
    console.post("/console/review/bulk", {"ids": ids, "decision": "reject",
                                          "query": "reason=different+personal+emails"}, page="/console/review")
    with world.store.session_factory() as s:
        for review_id in ids:
            item = s.get(t.ReviewItem, review_id)
            assert item is not None and item.status == "rejected" and item.decided_by == "alice"


def test_link_to_another_person(lite_console: Browser, lite_world: World) -> None:
    lite_console.login("alice")
    with lite_world.store.session_factory() as s:
        item = s.get(t.ReviewItem, lite_world.review_id)
        assert item is not None
        record = f"{item.system}:{item.remote_id}"
        other = "flowtrac" if item.system != "flowtrac" else "cirrus"
        target = s.scalar(select(t.Entity.id).where(~t.Entity.id.in_(
            select(t.Link.entity_id).where(t.Link.system == item.system))))
    if target is None:  # every entity has a record of this system: a new one from the candidate side
        target = f"{other}:missing"
    done = lite_console.post(f"/console/review/{lite_world.review_id}", {"decision": "other", "target": target},
                        page=f"/console/review/{lite_world.review_id}")
    assert "linked" in done.text or "not done" in done.text
    if "not done" not in done.text:
        with lite_world.store.session_factory() as s:
            link = s.scalar(select(t.Link).where(t.Link.system == record.split(":")[0],
                                                 t.Link.remote_id == record.split(":", 1)[1]))
            assert link is not None and link.entity_id == target


def test_no_open_redirect_after_login(lite_console: Browser) -> None:
    token = lite_console.token("/console/login")
    answer = lite_console.client.post("/console/login", data={"user": "alice", "password": PASSWORDS["alice"],
                                                         "csrf": token, "next": "//evil.example/x"},
                                 follow_redirects=False)
    assert answer.headers["location"] == "/console/"
