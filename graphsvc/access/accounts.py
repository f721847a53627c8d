"""Accounts: users with a role, argon2 password hashes, hashed API tokens and server-side sessions.

Accounts are shared by every app server, so they live in the graph store (see
:mod:`graphsvc.store.accounts_base`); invitations are in :mod:`graphsvc.access.invitations`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from graphsvc.access.recent import RecentLookups
from graphsvc.access.visibility import ROLES, Viewer
from graphsvc.clock import utc_now
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.store.accounts_base import AccountRecords, Record, account_records
from graphsvc.store.base import GraphStore

__all__ = ["User", "AccountStore", "MIN_PASSWORD_LENGTH", "SESSION_IDLE", "SESSION_MAX", "secret_hash"]

MIN_PASSWORD_LENGTH: Final = 10
SESSION_IDLE: Final = 8 * 3600.0
SESSION_MAX: Final = 30 * 24 * 3600.0
_TOUCH_EVERY: Final = 60.0  # a session's last use is written at most once a minute
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,80}$")


@dataclass(frozen=True)
class User:
    """An account. ``organisations`` are the organisations a member belongs to or a coach coaches.

    ``session_id`` is set on the account of a logged-in browser: Flask-Login keeps it (not the
    user id) in the cookie, so ending the session in the store logs the browser out.
    """

    id: int
    username: str
    role: str
    organisations: frozenset[str]
    disabled: bool = False
    session_id: str = ""

    def viewer(self) -> Viewer:
        return Viewer(self.role, self.organisations)

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        return self.session_id or str(self.id)


def secret_hash(secret: str) -> str:
    """The stored form of a long random secret (token, session id, invitation code).

    Examples
    --------
    >>> len(secret_hash("gk_abc")), secret_hash("x") == secret_hash("x")
    (64, True)
    """
    # long random strings: a fast hash is enough (no dictionary to attack)
    return hashlib.sha256(secret.encode()).hexdigest()


def check_username(username: str) -> None:
    if not _USERNAME.match(username):
        raise InvalidInput("A user name has 2–80 letters, digits or . _ @ -.")


def check_role(role: str) -> None:
    if role not in ROLES or role == "public":
        raise InvalidInput(f"Role must be one of {', '.join(r for r in ROLES if r != 'public')}.")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


class AccountStore:
    """Users, API tokens and login sessions, kept in the graph store.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> accounts = AccountStore(open_store("sqlite:///:memory:"))
    >>> user = accounts.add_user("ayse", "a-long-password", "coach", ["org-1"])
    >>> accounts.authenticate("ayse", "a-long-password").role
    'coach'
    >>> accounts.authenticate("ayse", "wrong") is None
    True
    """

    def __init__(self, store: GraphStore | AccountRecords, *, clock: Any = time.time,
                 freshness: float = 0.0) -> None:
        self.records = store if isinstance(store, AccountRecords) else account_records(store)
        self._hasher = PasswordHasher()
        self._clock = clock
        #: sessions and tokens the store confirmed less than ``freshness`` seconds ago, which a
        #: read request (``recent=True``) may use without asking again
        self.recent: RecentLookups[tuple[User, float, float]] = RecentLookups(freshness)

    @staticmethod
    def _user(record: Record | None) -> User | None:
        if record is None:
            return None
        return User(int(record["id"]), str(record["username"]), str(record["role"]),
                    frozenset(record["organisations"]), bool(record["disabled"]))

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: str,
                 organisations: list[str] | tuple[str, ...] = ()) -> User:
        """Create an account; the password is stored only as an argon2 hash."""
        check_username(username)
        check_role(role)
        check_password(password)
        user_id = self.records.add_user({
            "username": username, "role": role, "organisations": sorted(organisations),
            "password_hash": self._hasher.hash(password), "created_at": utc_now(), "disabled": False})
        user = self.get(user_id)
        assert user is not None
        return user

    def get(self, user_id: int) -> User | None:
        return self._user(self.records.user(user_id))

    def by_name(self, username: str) -> User:
        user = self._user(self.records.user_by_name(username))
        if user is None:
            raise NotFound(f"There is no user named {username!r}.")
        return user

    def users(self) -> list[User]:
        return [u for u in map(self._user, self.records.users()) if u is not None]

    def hash_work(self, password: str) -> None:
        """The work of one password check, for answers that must take as long as a real one."""
        self._hasher.hash(password)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account active; otherwise None."""
        record = self.records.user_by_name(username) if _USERNAME.match(username) else None
        if record is None or record["disabled"]:
            self.hash_work(password)  # same work either way: no user-name probing by timing
            return None
        try:
            self._hasher.verify(record["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        return self._user(record)

    def set_password(self, username: str, password: str) -> None:
        """A new password; every login session of the account ends."""
        check_password(password)
        user = self.by_name(username)
        self.records.update_user(user.id, {"password_hash": self._hasher.hash(password)})
        self.end_sessions(user.id)

    def update(self, username: str, *, role: str | None = None,
               organisations: list[str] | None = None, disabled: bool | None = None) -> User:
        """Change role, organisations or disabled; disabling ends the account's sessions."""
        user = self.by_name(username)
        changes: dict[str, Any] = {}
        if role is not None:
            check_role(role)
            changes["role"] = role
        if organisations is not None:
            changes["organisations"] = sorted(organisations)
        if disabled is not None:
            changes["disabled"] = disabled
        if changes:
            self.records.update_user(user.id, changes)
            self.recent.drop_user(user.id)
        if disabled:
            self.end_sessions(user.id)
        updated = self.get(user.id)
        assert updated is not None
        return updated

    # -- API tokens ------------------------------------------------------------------------------
    def create_token(self, user_id: int, name: str = "api") -> str:
        """A new API token; only its hash is kept, so show the returned value once."""
        token = "gk_" + secrets.token_urlsafe(32)
        self.records.add_token({"token_hash": secret_hash(token), "user_id": user_id,
                                "name": name[:80], "created_at": utc_now()})
        return token

    def user_for_token(self, token: str, *, recent: bool = False) -> User | None:
        """The active account a token belongs to, read from the store (``recent``: or as the
        store answered within the freshness bound, for a read request)."""
        key = "t:" + secret_hash(token)
        hit = self.recent.get(key) if recent else None
        if hit is not None:
            return hit[0]
        asked = self.recent.asking()
        user = self._user(self.records.token_user(key[2:]))
        if user is None or user.disabled:
            self.recent.forget(key)
            return None
        self.recent.put(key, (user, 0.0, 0.0), user_id=user.id, asked=asked)
        return user

    def revoke_tokens(self, user_id: int) -> int:
        """Remove every API token of an account; how many there were."""
        try:
            return self.records.delete_tokens(user_id)
        finally:
            self.recent.drop_user(user_id)

    # -- login sessions --------------------------------------------------------------------------
    def start_session(self, user: User) -> User:
        """A new server-side session for a logged-in browser: the account with its session id."""
        sid = secrets.token_urlsafe(32)
        now = self._clock()
        self.records.add_session({"sid_hash": secret_hash(sid), "user_id": user.id, "created_at": now,
                                  "seen_at": now})
        if secrets.randbelow(50) == 0:  # now and then, sweep sessions nobody ended
            self.records.end_sessions(idle_before=now - SESSION_IDLE)
        return replace(user, session_id=sid)

    def user_for_session(self, sid: str, *, recent: bool = False) -> User | None:
        """The active account of a session; None once it ended, idled 8 h or lived 30 days.

        ``recent`` (a read request): the store's answer of less than the freshness bound ago
        may be used instead of asking; its idle and age limits are still checked now."""
        key = secret_hash(sid)
        hit = self.recent.get("s:" + key) if recent else None
        if hit is not None:
            now = self._clock()
            if now - hit[2] <= SESSION_IDLE and now - hit[1] <= SESSION_MAX:
                return replace(hit[0], session_id=sid)
        asked = self.recent.asking()
        session = self.records.session(key)
        now = self._clock()
        if session is not None and (now - session["seen_at"] > SESSION_IDLE
                                    or now - session["created_at"] > SESSION_MAX):
            self.records.end_sessions(sid_hash=key)
            session = None
        user = self.get(int(session["user_id"])) if session is not None else None
        if session is None or user is None or user.disabled:
            self.recent.forget("s:" + key)
            return None
        seen = float(session["seen_at"])
        if now - seen > _TOUCH_EVERY:  # the sliding expiry: written at most once a minute
            self.records.touch_session(key, now)
            seen = now
        self.recent.put("s:" + key, (user, float(session["created_at"]), seen), user_id=user.id,
                        asked=asked)
        return replace(user, session_id=sid)

    def end_session(self, sid: str) -> None:
        """Log one browser out (its copied cookie stops working too)."""
        if sid:
            key = secret_hash(sid)
            try:
                self.records.end_sessions(sid_hash=key)
            finally:
                self.recent.drop("s:" + key)

    def end_sessions(self, user_id: int) -> int:
        """Log an account out everywhere; how many sessions ended."""
        try:
            return self.records.end_sessions(user_id=user_id)
        finally:
            self.recent.drop_user(user_id)

    def close(self) -> None:
        """Nothing to close: the records belong to the store."""
