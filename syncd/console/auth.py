"""Who may use the console: users and their argon2 hashes, sessions, CSRF tokens, and the login throttle.

Users come from ``[console.users.NAME]`` and from the users file (``syncd console adduser`` writes it; it is
read again when it changes, so a user added while syncd runs can log in at once). A session is a random
id in a signed cookie (``HttpOnly``, ``SameSite=Lax``, ``Secure`` over https) that names an entry kept in
this process: logging out, a changed password or a removed user ends it on the server, not just in the
browser. Each session has its own CSRF token, which every form and every htmx request sends back.

Five wrong passwords for one user, or from one address, within a quarter of an hour slow further tries
down: each one after that must wait 30 s, then twice as long each time, up to 15 minutes, and is refused
unheard (HTTP 429) until then, so guessing costs time whatever the password's strength.
"""

from __future__ import annotations

import hmac
import secrets
import time
import tomllib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import ValidationError

from syncd.config import ConsoleUser

__all__ = ["LoginThrottle", "Session", "Sessions", "User", "Users", "hash_password"]

ROLES = ("viewer", "admin")
_HASHER = PasswordHasher()
#: verified against when the user does not exist, so an unknown name takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    password_hash: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def fingerprint(self) -> str:
        """Changes when the password does: a session made with the old one ends."""
        return self.password_hash[-16:]


def read_users_file(path: Path) -> dict[str, User]:
    """The ``[users.NAME]`` tables of a users file. Raises ValueError naming the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    users: dict[str, User] = {}
    for name, raw in (data.get("users") or {}).items():
        try:
            user = ConsoleUser.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"{path}: users.{name}.{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
        if user.password_hash is not None:
            users[name] = User(name, user.role, user.password_hash.get_secret_value())
    return users


def write_user(path: Path, name: str, role: str, password_hash: str) -> bool:
    """Add or replace one user in the users file (owner-only, replaced atomically). True when it replaced."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise ValueError("a user name is letters, digits, '-', '_' or '.'")
    existing: dict[str, Any] = {}
    if path.exists():
        read_users_file(path)  # refuse to rewrite a file we cannot read
        existing = dict(tomllib.loads(path.read_text(encoding="utf-8")).get("users") or {})
    replaced = name in existing
    existing[name] = {"role": role, "password_hash": password_hash}
    lines = ["# syncd console users: written by `syncd console adduser`; argon2 hashes, never passwords", ""]
    for user, values in sorted(existing.items()):
        lines += [f"[users.{user}]", f'role = "{values["role"]}"', f'password_hash = "{values["password_hash"]}"', ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    temp.touch(mode=0o600)
    temp.write_text("\n".join(lines), encoding="utf-8")
    temp.replace(path)
    return replaced


class Users:
    """The configured users plus the users file (re-read when it changes) plus a one-time admin, if any."""

    def __init__(self, configured: Mapping[str, ConsoleUser], users_file: Path | None,
                 one_time: User | None = None) -> None:
        self.configured = {name: User(name, u.role, u.password_hash.get_secret_value())
                           for name, u in configured.items() if u.password_hash is not None}
        self.users_file = users_file
        self.one_time = one_time
        self._file_users: dict[str, User] = {}
        self._file_stamp: tuple[float, int] | None = None
        self.problem: str | None = None

    def _refresh(self) -> None:
        if self.users_file is None:
            return
        try:
            stat = self.users_file.stat()
        except FileNotFoundError:
            self._file_users, self._file_stamp, self.problem = {}, None, None
            return
        stamp = (stat.st_mtime, stat.st_size)
        if stamp == self._file_stamp:
            return
        try:
            self._file_users, self.problem = read_users_file(self.users_file), None
        except ValueError as exc:
            self._file_users, self.problem = {}, str(exc)
        self._file_stamp = stamp

    def all(self) -> dict[str, User]:
        self._refresh()
        users = {**self._file_users, **self.configured}
        if self.one_time is not None and self.one_time.name not in users:
            users[self.one_time.name] = self.one_time
        return users

    def get(self, name: str) -> User | None:
        return self.all().get(name)

    def verify(self, name: str, password: str) -> User | None:
        """The user, when the password is theirs; None otherwise (as slowly for an unknown name)."""
        user = self.get(name)
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return user


@dataclass(slots=True)
class Session:
    sid: str
    user: str
    fingerprint: str
    csrf: str
    created: float
    flash: list[str] = field(default_factory=list)


class Sessions:
    """Sessions kept in this process, named by a random id carried in a signed, expiring cookie."""

    def __init__(self, secret: str, max_age: float, *, clock: Callable[[], float] = time.time,
                 limit: int = 10_000) -> None:
        self.max_age = max_age
        self.clock = clock
        self.limit = limit
        self._serializer = URLSafeTimedSerializer(secret, salt="syncd-console-session")
        self._pre = URLSafeTimedSerializer(secret, salt="syncd-console-login")
        self._live: OrderedDict[str, Session] = OrderedDict()

    def create(self, user: User) -> tuple[Session, str]:
        session = Session(secrets.token_urlsafe(32), user.name, user.fingerprint, secrets.token_urlsafe(32),
                          self.clock())
        self._live[session.sid] = session
        while len(self._live) > self.limit:
            self._live.popitem(last=False)
        return session, self._serializer.dumps(session.sid)

    def load(self, cookie: str | None, users: Users) -> tuple[Session, User] | None:
        if not cookie:
            return None
        try:
            sid = self._serializer.loads(cookie, max_age=int(self.max_age))
        except BadSignature:
            return None
        session = self._live.get(str(sid))
        if session is None or self.clock() - session.created > self.max_age:
            self._live.pop(str(sid), None)
            return None
        user = users.get(session.user)
        if user is None or user.fingerprint != session.fingerprint:
            self._live.pop(session.sid, None)  # removed, or a new password: log in again
            return None
        return session, user

    def drop(self, session: Session) -> None:
        self._live.pop(session.sid, None)

    # the login form has no session yet: its CSRF token is a signed nonce in a cookie, sent back in the form
    def login_token(self) -> tuple[str, str]:
        nonce = secrets.token_urlsafe(24)
        return nonce, self._pre.dumps(nonce)

    def check_login_token(self, cookie: str | None, form_value: str | None) -> bool:
        if not cookie or not form_value:
            return False
        try:
            nonce = self._pre.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return hmac.compare_digest(str(nonce), form_value)


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


class LoginThrottle:
    """Failed logins per user and per address; after ``free`` of them, each further try must wait."""

    def __init__(self, *, free: int = 5, base: float = 30.0, cap: float = 900.0, window: float = 900.0,
                 clock: Callable[[], float] = time.monotonic, limit: int = 10_000) -> None:
        self.free, self.base, self.cap, self.window, self.clock, self.limit = free, base, cap, window, clock, limit
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def _current(self, key: str) -> tuple[int, float]:
        count, last = self._failures.get(key, (0, 0.0))
        if count and self.clock() - last > max(self.window, self._delay(count)):
            self._failures.pop(key, None)
            return 0, 0.0
        return count, last

    def _delay(self, count: int) -> float:
        return 0.0 if count < self.free else min(self.cap, self.base * 2 ** (count - self.free))

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before another try is heard (0: now)."""
        longest = 0.0
        for key in keys:
            count, last = self._current(key)
            longest = max(longest, last + self._delay(count) - self.clock() if count >= self.free else 0.0)
        return max(0.0, longest)

    def failed(self, keys: Iterable[str]) -> None:
        for key in keys:
            count, _ = self._current(key)
            self._failures[key] = (count + 1, self.clock())
            self._failures.move_to_end(key)
        while len(self._failures) > self.limit:
            self._failures.popitem(last=False)

    def succeeded(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)
