"""The console as a Starlette application: login, sessions and CSRF around every page, then the pages.

Mounted under ``/console`` on the daemon's listener (``syncd run`` with ``[console] enabled``) or served
alone by ``syncd console``. Every page needs a session; every POST needs the session's CSRF token and an
admin; every action goes through the engine's admin layer (:class:`syncd.engine.admin.Admin`), the same
methods the CLI calls, with the console user recorded as the one who decided.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import structlog
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from syncd.config import Settings, find_config
from syncd.console.auth import LoginThrottle, Session, Sessions, User, Users, same_token
from syncd.engine.admin import Admin
from syncd.store.repository import Store

__all__ = ["COOKIE", "Console", "console_app", "daemon_routes", "standalone_app", "users_file_path"]

log = structlog.get_logger("syncd.console")

COOKIE = "syncd_session"
LOGIN_COOKIE = "syncd_login"
_HERE = Path(__file__).parent
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

Handler = Callable[[Request, "Auth"], Awaitable[Response]]


def users_file_path(settings: Settings, config_path: Path | None = None) -> Path:
    """``[console] users_file``, else console-users.toml beside the configuration (or here without one)."""
    if settings.console.users_file:
        path = Path(settings.console.users_file)
    else:
        path = Path("console-users.toml")
    if path.is_absolute():
        return path
    source = Path(settings.source) if settings.source else find_config(config_path)
    return (source.resolve().parent if source else Path.cwd()) / path


@dataclass(slots=True)
class Auth:
    session: Session
    user: User
    form: FormData | None = None

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def fields(self, name: str) -> list[str]:
        return [v for v in self.form.getlist(name) if isinstance(v, str)] if self.form is not None else []


class Console:
    """What the pages share: the admin layer, users, sessions, the throttle and the templates."""

    def __init__(self, settings: Settings, store: Store, *, users: Users, secret: str | None = None) -> None:
        self.settings = settings
        self.admin = Admin(store)
        self.users = users
        key = secret or (settings.console.session_secret.get_secret_value()
                         if settings.console.session_secret else "") or secrets.token_urlsafe(32)
        self.sessions = Sessions(key, settings.console.session_hours * 3600)
        self.throttle = LoginThrottle()
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(_HERE / "templates"),
                                            autoescape=True, undefined=jinja2.StrictUndefined,
                                            trim_blocks=True, lstrip_blocks=True)
        self.templates.filters["when"] = _when
        self.templates.filters["value"] = _value
        self.templates.globals["record_link"] = self.record_link

    # --- rendering ----------------------------------------------------------------------------

    def render(self, request: Request, name: str, status_code: int = 200, auth: Auth | None = None,
               **context: Any) -> Response:
        flash = list(auth.session.flash) if auth else []
        if auth:
            auth.session.flash.clear()
        html = self.templates.get_template(name).render(
            base=base_of(request), user=auth.user if auth else None, csrf=auth.session.csrf if auth else "",
            flash=flash, path=request.url.path, **context)
        return HTMLResponse(html, status_code=status_code, headers=_HEADERS)

    def refuse(self, request: Request, status: int, message: str, auth: Auth | None = None,
               headers: dict[str, str] | None = None) -> Response:
        response = self.render(request, "refused.html", status_code=status, auth=auth, message=message, status=status)
        response.headers.update(headers or {})
        return response

    def record_link(self, system: str, remote_id: str | None, company_id: str | None = None) -> str | None:
        template = self.settings.console.record_links.get(system)
        if not template or not remote_id:
            return None
        return template.replace("{id}", quote(remote_id, safe="")).replace("{company_id}",
                                                                            quote(company_id or "", safe=""))

    # --- access -------------------------------------------------------------------------------

    def page(self, handler: Handler, *, act: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """A page behind the login; ``act``: a POST that changes something (CSRF token, admin role)."""

        async def endpoint(request: Request) -> Response:
            found = self.sessions.load(request.cookies.get(COOKIE), self.users)
            if found is None:
                if request.method == "GET":
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"{base_of(request)}/login?next={quote(target, safe='')}", 303)
                return self.refuse(request, 401, "log in first: your session ended or never began")
            auth = Auth(*found)
            if request.method == "POST":
                auth.form = await request.form()
                token = auth.form.get("csrf") or request.headers.get("x-csrf-token")
                if not same_token(auth.session.csrf, token if isinstance(token, str) else None):
                    log.warning("console request refused: CSRF token missing or wrong", user=auth.user.name,
                                path=request.url.path)
                    return self.refuse(request, 403, "this form's security token is missing or out of date: "
                                                     "reload the page and try again", auth)
                if act and not auth.user.is_admin:
                    log.warning("console action refused: viewer", user=auth.user.name, path=request.url.path)
                    return self.refuse(request, 403, f"{auth.user.name} is a viewer: only an admin can change "
                                                     "anything", auth)
            return await handler(request, auth)

        return endpoint

    def note(self, auth: Auth, action: str, target: str, result: str) -> None:
        """Every decision, in the log too (the store keeps who made it on the row)."""
        log.info("console action", user=auth.user.name, action=action, target=target, result=result)
        auth.session.flash.append(result)

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(fn, *args, **kwargs)

    # --- login --------------------------------------------------------------------------------

    async def login_form(self, request: Request, message: str | None = None, status: int = 200) -> Response:
        nonce, cookie = self.sessions.login_token()
        response = self.render(request, "login.html", status_code=status, login_token=nonce, message=message,
                               next=_safe_next(request, request.query_params.get("next")),
                               no_users=not self.users.all(), users_problem=self.users.problem)
        self._cookie(request, response, LOGIN_COOKIE, cookie, max_age=3600)
        return response

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return await self.login_form(request)
        form = await request.form()
        name, password = str(form.get("user") or "").strip(), str(form.get("password") or "")
        if not self.sessions.check_login_token(request.cookies.get(LOGIN_COOKIE), str(form.get("csrf") or "")):
            return self.refuse(request, 403, "the login form's security token is missing or out of date: reload "
                                             "the page and try again")
        address = request.client.host if request.client else "unknown"
        keys = (f"user:{name.lower()}", f"address:{address}")
        wait = self.throttle.wait(keys)
        if wait > 0:
            log.warning("console login refused: too many failures", user=name[:64], address=address,
                        wait=round(wait))
            return self.refuse(request, 429, f"too many failed logins: try again in {int(wait) + 1} seconds",
                               headers={"Retry-After": str(int(wait) + 1)})
        user = await run_in_threadpool(self.users.verify, name, password)
        if user is None:
            self.throttle.failed(keys)
            log.warning("console login failed", user=name[:64], address=address)
            return await self.login_form(request, "wrong user name or password", status=401)
        self.throttle.succeeded(keys)
        _, cookie = self.sessions.create(user)
        log.info("console login", user=user.name, role=user.role, address=address)
        target = _safe_next(request, str(form.get("next") or "")) or f"{base_of(request)}/"
        response = RedirectResponse(target, 303)
        self._cookie(request, response, COOKIE, cookie, max_age=int(self.sessions.max_age))
        response.delete_cookie(LOGIN_COOKIE, path=_cookie_path(request))
        return response

    async def logout(self, request: Request, auth: Auth) -> Response:
        self.sessions.drop(auth.session)
        log.info("console logout", user=auth.user.name)
        response = RedirectResponse(f"{base_of(request)}/login", 303)
        response.delete_cookie(COOKIE, path=_cookie_path(request))
        return response

    def _cookie(self, request: Request, response: Response, name: str, value: str, *, max_age: int) -> None:
        mode = self.settings.console.secure_cookies
        secure = mode == "always" or (mode == "auto" and request.url.scheme == "https")
        response.set_cookie(name, value, max_age=max_age, path=_cookie_path(request), httponly=True, samesite="lax",
                            secure=secure)


def base_of(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _cookie_path(request: Request) -> str:
    return base_of(request) or "/"


def _safe_next(request: Request, target: str | None) -> str | None:
    """Only a path inside the console: never an address elsewhere (an open redirect)."""
    base = base_of(request)
    if not target or not target.startswith(f"{base}/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _when(value: Any) -> str:
    if value is None:
        return "never"
    text = value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else str(value)
    return f"{text} UTC" if hasattr(value, "strftime") else text


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def console_app(settings: Settings, store: Store, *, users: Users, secret: str | None = None) -> Starlette:
    """The console's routes, to be mounted under ``/console``."""
    from syncd.console.pages import routes

    console = Console(settings, store, users=users, secret=secret)
    app = Starlette(routes=[
        Route("/login", console.login, methods=["GET", "POST"]),
        Route("/logout", console.page(console.logout), methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=_HERE / "static"), name="static"),
        *routes(console),
    ])
    app.state.console = console
    return app


def mount_routes(settings: Settings, store: Store, users: Users) -> list[BaseRoute]:
    return [Mount("/console", app=console_app(settings, store, users=users))]


def daemon_routes(settings: Settings, store: Store, config_path: Path | None) -> list[BaseRoute]:
    """``syncd run``'s listener: /console when ``[console] enabled`` (users from the config and the users file)."""
    if not settings.console.enabled:
        return []
    users = Users(settings.console.users, users_file_path(settings, config_path))
    if not users.all():
        log.warning("the console is enabled but no user is configured: nobody can log in until one is",
                    users_file=str(users.users_file), hint="syncd console adduser NAME --role admin")
    return mount_routes(settings, store, users)


def standalone_app(settings: Settings, store: Store, users: Users) -> Starlette:
    """``syncd console``: the console under /console, / sends there, and /healthz for a proxy's checks."""

    async def home(request: Request) -> Response:
        return RedirectResponse("/console/", 303)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("alive")

    return Starlette(routes=[Route("/", home), Route("/healthz", healthz), *mount_routes(settings, store, users)])
