"""The console's pages: overview, review queue, conflicts, parked changes, people. Each action calls the
admin layer once, as the CLI does, and takes effect in the next cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from syncd.console.charts import runs_chart
from syncd.engine.admin_evidence import explain
from syncd.engine.causes import Cause
from syncd.errors import SyncdError

if TYPE_CHECKING:
    from syncd.console.app import Auth, Console

__all__ = ["routes"]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {"system": q.get("system") or None, "reason": q.get("reason") or None,
            "min_score": _float(q.get("min")), "max_score": _float(q.get("max"))}


def _query(filters: dict[str, Any]) -> str:
    names = {"system": "system", "reason": "reason", "min_score": "min", "max_score": "max"}
    return urlencode({names[k]: v for k, v in filters.items() if v not in (None, "")})


def routes(console: Console) -> list[Route]:
    from syncd.console.app import base_of

    admin, settings = console.admin, console.settings

    def back(request: Request, path: str) -> Response:
        return RedirectResponse(f"{base_of(request)}{path}", 303)

    async def badges() -> dict[str, int]:
        data = await console.call(admin.overview, {}, 0)
        return dict(data["backlogs"])

    # --- overview -----------------------------------------------------------------------------

    async def overview(request: Request, auth: Auth) -> Response:
        data = await console.call(admin.overview, settings.enabled_connectors(), 30)
        return console.render(request, "overview.html", auth=auth, data=data, badges=data["backlogs"],
                              chart=runs_chart(data["runs"]))

    # --- review -------------------------------------------------------------------------------

    async def review_list(request: Request, auth: Auth) -> Response:
        filters = _filters(request)
        items = await console.call(admin.reviews, "open", 500, **filters)
        reasons = await console.call(admin.review_reasons)
        systems = sorted(settings.enabled_connectors())
        return console.render(request, "review_list.html", auth=auth, items=items, reasons=reasons,
                              systems=systems, filters=filters, query=_query(filters), badges=await badges())

    def _explain(item: Any, record: dict[str, Any], candidate: dict[str, Any]) -> Any:
        return explain(record, candidate, item.reasons, settings.matching.shared_mailboxes)

    async def review_item(request: Request, auth: Auth) -> Response:
        review_id = int(request.path_params["review_id"])
        filters = _filters(request)
        try:
            item, record, candidate = await console.call(admin.review, review_id)
        except SyncdError as exc:
            return console.refuse(request, 404, str(exc), auth)
        others = await console.call(admin.other_candidates, review_id)
        blocker = await console.call(admin.blocker, review_id)
        return console.render(request, "review_item.html", auth=auth, item=item, why=_explain(item, record, candidate),
                              others=others, blocker=blocker, filters=filters, query=_query(filters),
                              badges=await badges())

    async def review_next(request: Request, auth: Auth) -> Response:
        filters = _filters(request)
        after = _int(request.query_params.get("after", "")) or 0
        items = await console.call(admin.reviews, "open", 500, **filters)
        later = [i for i in items if i.id > after] or items
        query = _query(filters)
        if not later:
            return back(request, f"/review?{query}" if query else "/review")
        return back(request, f"/review/{later[0].id}" + (f"?{query}" if query else ""))

    async def review_decide(request: Request, auth: Auth) -> Response:
        review_id = int(request.path_params["review_id"])
        decision, target = auth.field("decision"), auth.field("target")
        who = auth.user.name
        try:
            if decision == "accept":
                result = await console.call(admin.decide, review_id, True, who)
            elif decision == "reject":
                result = await console.call(admin.decide, review_id, False, who)
            elif decision == "other" and target:
                result = await console.call(admin.decide_other, review_id, target, who)
            else:
                result = "choose: same person, keep apart, or link to another person (give its id)"
        except SyncdError as exc:
            result = f"not done: {exc}"
            console.note(auth, f"review {decision}", str(review_id), result)
            return back(request, f"/review/{review_id}?{auth.field('query')}")
        console.note(auth, f"review {decision}", str(review_id), result + " (in effect from the next cycle)")
        return back(request, f"/review/next?after={review_id}&{auth.field('query')}")

    async def review_bulk(request: Request, auth: Auth) -> Response:
        ids = [i for i in (_int(v) for v in auth.fields("ids")) if i is not None]
        decision = auth.field("decision")
        if decision not in ("accept", "reject") or not ids:
            auth.session.flash.append("choose the items and a decision")
            return back(request, f"/review?{auth.field('query')}")
        results = await console.call(admin.decide_many, ids, decision == "accept", auth.user.name)
        done = sum(1 for _, r in results if not r.startswith("not done"))
        for review_id, result in results:
            if result.startswith("not done"):
                auth.session.flash.append(f"review {review_id}: {result}")
        verb = "same person" if decision == "accept" else "kept apart"
        console.note(auth, f"review bulk {decision}", ",".join(map(str, ids)),
                     f"{done} of {len(ids)} review items decided ({verb}); in effect from the next cycle")
        return back(request, f"/review?{auth.field('query')}")

    # --- conflicts ----------------------------------------------------------------------------

    async def conflicts(request: Request, auth: Auth) -> Response:
        items = await console.call(admin.conflict_details)
        return console.render(request, "conflicts.html", auth=auth, items=items, badges=await badges())

    async def conflict_resolve(request: Request, auth: Auth) -> Response:
        conflict_id = int(request.path_params["conflict_id"])
        take, value = auth.field("take") or None, auth.field("value") or None
        if take and value:
            take = None if auth.field("use") == "value" else take
            value = None if take else value
        try:
            result = await console.call(admin.resolve, conflict_id, take=take, value=value, who=auth.user.name)
        except SyncdError as exc:
            result = f"not done: {exc}"
        console.note(auth, "conflict resolve", str(conflict_id), result)
        return back(request, "/conflicts")

    # --- outbox -------------------------------------------------------------------------------

    async def outbox(request: Request, auth: Auth) -> Response:
        system, cause = request.query_params.get("system") or None, request.query_params.get("cause") or None
        if cause and cause not in {c.value for c in Cause}:
            cause = None
        groups = await console.call(admin.groups, system=system, cause=cause)
        return console.render(request, "outbox.html", auth=auth, groups=groups, system=system, cause=cause,
                              causes=list(Cause), systems=sorted(settings.enabled_connectors()),
                              badges=await badges())

    async def outbox_change(request: Request, auth: Auth) -> Response:
        try:
            change = await console.call(admin.change, int(request.path_params["change_id"]))
        except SyncdError as exc:
            return console.refuse(request, 404, str(exc), auth)
        return console.render(request, "outbox_change.html", auth=auth, change=change, badges=await badges())

    async def outbox_retry(request: Request, auth: Auth) -> Response:
        ids = [i for i in (_int(v) for v in auth.fields("ids")) if i is not None]
        try:
            result = await console.call(admin.retry, ids, who=auth.user.name) if ids else "choose a change to retry"
        except SyncdError as exc:
            result = f"not done: {exc}"
        console.note(auth, "outbox retry", ",".join(map(str, ids)), result)
        return back(request, auth.field("back") if auth.field("back").startswith("/outbox") else "/outbox")

    # --- people -------------------------------------------------------------------------------

    async def people(request: Request, auth: Auth) -> Response:
        query = (request.query_params.get("q") or "").strip()
        found = await console.call(admin.search, query) if query else []
        return console.render(request, "people.html", auth=auth, q=query, found=found, badges=await badges())

    async def person(request: Request, auth: Auth) -> Response:
        try:
            data = await console.call(admin.person, request.path_params["entity_id"])
        except SyncdError as exc:
            return console.refuse(request, 404, str(exc), auth)
        return console.render(request, "person.html", auth=auth, p=data, badges=await badges())

    page = console.page
    return [
        Route("/", page(overview)),
        Route("/review", page(review_list)),
        Route("/review/next", page(review_next)),
        Route("/review/bulk", page(review_bulk, act=True), methods=["POST"]),
        Route("/review/{review_id:int}", page(review_item)),
        Route("/review/{review_id:int}", page(review_decide, act=True), methods=["POST"]),
        Route("/conflicts", page(conflicts)),
        Route("/conflicts/{conflict_id:int}", page(conflict_resolve, act=True), methods=["POST"]),
        Route("/outbox", page(outbox)),
        Route("/outbox/retry", page(outbox_retry, act=True), methods=["POST"]),
        Route("/outbox/{change_id:int}", page(outbox_change)),
        Route("/people", page(people)),
        Route("/people/{entity_id}", page(person)),
    ]
