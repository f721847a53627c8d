"""Accounts: users with a role, hashed passwords (argon2) and hashed API tokens, in one SQLite file.

Accounts are not graph data: they live beside the graph, in their own file, whichever graph store runs.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from graphsvc.errors import Conflict, InvalidInput, NotFound, StoreUnavailable
from graphsvc.store.base import utc_now
from graphsvc.visibility import ROLES, Viewer

__all__ = ["User", "AccountStore", "MIN_PASSWORD_LENGTH"]

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,80}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, role TEXT NOT NULL,
    organisations TEXT NOT NULL DEFAULT '[]', password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class User:
    """An account. ``organisations`` are the organisations a member belongs to or a coach coaches."""

    id: int
    username: str
    role: str
    organisations: frozenset[str]
    disabled: bool = False

    def viewer(self) -> Viewer:
        return Viewer(self.role, self.organisations)

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        return str(self.id)


def _token_hash(token: str) -> str:
    # API tokens are long random strings, so a fast hash is enough (no dictionary to attack)
    return hashlib.sha256(token.encode()).hexdigest()


class AccountStore:
    """Users and API tokens in a SQLite file.

    Examples
    --------
    >>> accounts = AccountStore(":memory:")
    >>> user = accounts.add_user("ayse", "a-long-password", "coach", ["org-1"])
    >>> accounts.authenticate("ayse", "a-long-password").role
    'coach'
    >>> accounts.authenticate("ayse", "wrong") is None
    True
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                         timeout=30)
            self._conn.execute("PRAGMA foreign_keys = ON")
            for statement in _SCHEMA.split(";"):
                self._conn.execute(statement)
        except sqlite3.DatabaseError:
            raise StoreUnavailable(f"The accounts file {self.path} cannot be opened.") from None
        self._lock = threading.Lock()
        self._hasher = PasswordHasher()

    def _row(self, row: tuple[object, ...] | None) -> User | None:
        if row is None:
            return None
        user_id, username, role, organisations, disabled = row
        return User(int(str(user_id)), str(username), str(role),
                    frozenset(json.loads(str(organisations))), bool(disabled))

    def add_user(self, username: str, password: str, role: str,
                 organisations: list[str] | tuple[str, ...] = ()) -> User:
        """Create an account; the password is stored only as an argon2 hash."""
        if not _USERNAME.match(username):
            raise InvalidInput("A user name has 2–80 letters, digits or . _ @ -.")
        if role not in ROLES or role == "public":
            raise InvalidInput(f"Role must be one of {', '.join(r for r in ROLES if r != 'public')}.")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        with self._lock:
            try:
                cur = self._conn.execute(
                    "INSERT INTO users (username, role, organisations, password_hash, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (username, role, json.dumps(sorted(organisations)), self._hasher.hash(password),
                     utc_now()),
                )
            except sqlite3.IntegrityError:
                raise Conflict(f"There is already a user named {username!r}.") from None
        user = self.get(int(cur.lastrowid or 0))
        assert user is not None
        return user

    def get(self, user_id: int) -> User | None:
        return self._row(self._conn.execute(
            "SELECT id, username, role, organisations, disabled FROM users WHERE id = ?", (user_id,)
        ).fetchone())

    def by_name(self, username: str) -> User:
        user = self._row(self._conn.execute(
            "SELECT id, username, role, organisations, disabled FROM users WHERE username = ?",
            (username,)).fetchone())
        if user is None:
            raise NotFound(f"There is no user named {username!r}.")
        return user

    def users(self) -> list[User]:
        rows = self._conn.execute(
            "SELECT id, username, role, organisations, disabled FROM users ORDER BY username"
        ).fetchall()
        return [u for u in (self._row(r) for r in rows) if u is not None]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account active; otherwise None."""
        row = self._conn.execute(
            "SELECT id, password_hash FROM users WHERE username = ? AND disabled = 0", (username,)
        ).fetchone()
        if row is None:
            self._hasher.hash(password)  # same work either way: no user-name probing by timing
            return None
        try:
            self._hasher.verify(row[1], password)
        except (VerificationError, InvalidHashError):
            return None
        return self.get(int(row[0]))

    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        user = self.by_name(username)
        with self._lock:
            self._conn.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                               (self._hasher.hash(password), user.id))

    def update(self, username: str, *, role: str | None = None,
               organisations: list[str] | None = None, disabled: bool | None = None) -> User:
        user = self.by_name(username)
        if role is not None and (role not in ROLES or role == "public"):
            raise InvalidInput(f"Role must be one of {', '.join(r for r in ROLES if r != 'public')}.")
        with self._lock:
            self._conn.execute(
                "UPDATE users SET role = ?, organisations = ?, disabled = ? WHERE id = ?",
                (role or user.role,
                 json.dumps(sorted(organisations if organisations is not None else user.organisations)),
                 int(disabled if disabled is not None else user.disabled), user.id),
            )
        updated = self.get(user.id)
        assert updated is not None
        return updated

    def create_token(self, user_id: int, name: str = "api") -> str:
        """A new API token; only its hash is kept, so show the returned value once."""
        token = "gk_" + secrets.token_urlsafe(32)
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_tokens (user_id, token_hash, name, created_at) VALUES (?, ?, ?, ?)",
                (user_id, _token_hash(token), name[:80], utc_now()),
            )
        return token

    def user_for_token(self, token: str) -> User | None:
        row = self._conn.execute(
            "SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = ? AND u.disabled = 0", (_token_hash(token),)
        ).fetchone()
        return self.get(int(row[0])) if row else None

    def revoke_tokens(self, user_id: int) -> int:
        with self._lock:
            return self._conn.execute("DELETE FROM api_tokens WHERE user_id = ?", (user_id,)).rowcount

    def close(self) -> None:
        self._conn.close()
