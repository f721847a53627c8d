"""Account records in the SQLite store's file: tables of their own beside the graph's."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from graphsvc.errors import Conflict
from graphsvc.store.accounts_base import AccountRecords, Record

if TYPE_CHECKING:
    from graphsvc.store.sqlite import SQLiteStore

__all__ = ["SQLiteAccounts"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS account_users (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, role TEXT NOT NULL,
    organisations TEXT NOT NULL DEFAULT '[]', password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS account_tokens (
    token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS account_tokens_by_user ON account_tokens(user_id);
CREATE TABLE IF NOT EXISTS account_invitations (
    token_hash TEXT PRIMARY KEY, organisation TEXT NOT NULL, role TEXT NOT NULL,
    created_by TEXT NOT NULL, created_at TEXT NOT NULL, expires_at REAL NOT NULL, used_at REAL
);
CREATE TABLE IF NOT EXISTS account_sessions (
    sid_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, created_at REAL NOT NULL, seen_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS account_sessions_by_user ON account_sessions(user_id);
CREATE TABLE IF NOT EXISTS account_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, username TEXT NOT NULL, role TEXT NOT NULL,
    action TEXT NOT NULL, target TEXT NOT NULL, fields TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS account_audit_by_target ON account_audit(target, id);
CREATE TRIGGER IF NOT EXISTS account_audit_no_update BEFORE UPDATE ON account_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS account_audit_no_delete BEFORE DELETE ON account_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS account_counters (key TEXT PRIMARY KEY, start REAL NOT NULL, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS account_marks (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_USER = "SELECT id, username, role, organisations, password_hash, created_at, disabled FROM account_users"
_USER_FIELDS = ("id", "username", "role", "organisations", "password_hash", "created_at", "disabled")
_INVITATION_FIELDS = ("token_hash", "organisation", "role", "created_by", "created_at", "expires_at",
                      "used_at")
_INVITATION = (
    "SELECT token_hash, organisation, role, created_by, created_at, expires_at, used_at "
    "FROM account_invitations WHERE token_hash = ?"
)
_USE_INVITATION = (
    "UPDATE account_invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? "
    "RETURNING token_hash, organisation, role, created_by, created_at, expires_at, used_at"
)
_UPDATE_USER = {name: f"UPDATE account_users SET {name} = ? WHERE id = ?"  # noqa: S608 - fixed names
                for name in ("role", "organisations", "disabled", "password_hash")}
_AUDIT_FIELDS = ("id", "at", "username", "role", "action", "target", "fields", "detail")


def _user(row: Sequence[Any] | None) -> Record | None:
    if row is None:
        return None
    user = dict(zip(_USER_FIELDS, row, strict=True))
    user["organisations"] = json.loads(user["organisations"])
    user["disabled"] = bool(user["disabled"])
    return user


class SQLiteAccounts(AccountRecords):
    """Account records in the tables ``account_*`` of the store's file (one connection per process)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store
        self._pid = -1
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        with self._db() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None or self._pid != os.getpid():  # connections must not cross a fork
                self._conn = self._store._connect()
                self._pid = os.getpid()
            try:
                yield self._conn
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error as exc:
                raise self._store._translate(exc) from None

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        with self._db() as conn:
            return conn.execute(sql, args).fetchone()

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        with self._db() as conn:
            return conn.execute(sql, args).fetchall()

    def _run(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self._db() as conn:
            return conn.execute(sql, args).rowcount

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, user: Record) -> int:
        try:
            with self._db() as conn:
                cur = conn.execute(
                    "INSERT INTO account_users (username, role, organisations, password_hash, created_at,"
                    " disabled) VALUES (?, ?, ?, ?, ?, ?)",
                    (user["username"], user["role"], json.dumps(sorted(user["organisations"])),
                     user["password_hash"], user["created_at"], int(bool(user.get("disabled")))))
        except sqlite3.IntegrityError:
            raise Conflict(f"There is already a user named {user['username']!r}.") from None
        return int(cur.lastrowid or 0)

    def user(self, user_id: int) -> Record | None:
        return _user(self._one(_USER + " WHERE id = ?", (user_id,)))

    def user_by_name(self, username: str) -> Record | None:
        return _user(self._one(_USER + " WHERE username = ?", (username,)))

    def users(self) -> list[Record]:
        return [u for u in map(_user, self._all(_USER + " ORDER BY username")) if u is not None]

    def update_user(self, user_id: int, changes: Record) -> None:
        for name, value in changes.items():
            if name == "organisations":
                value = json.dumps(sorted(value))
            elif name == "disabled":
                value = int(bool(value))
            elif name not in _UPDATE_USER:
                raise ValueError(f"cannot change {name!r} of a user")
            self._run(_UPDATE_USER[name], (value, user_id))

    # -- tokens ----------------------------------------------------------------------------------
    def add_token(self, token: Record) -> None:
        self._run("INSERT OR IGNORE INTO account_tokens (token_hash, user_id, name, created_at) "
                  "VALUES (?, ?, ?, ?)",
                  (token["token_hash"], token["user_id"], token["name"], token["created_at"]))

    def token_user(self, token_hash: str) -> Record | None:
        return _user(self._one(
            "SELECT u.id, u.username, u.role, u.organisations, u.password_hash, u.created_at, u.disabled "
            "FROM account_tokens t JOIN account_users u ON u.id = t.user_id WHERE t.token_hash = ?",
            (token_hash,)))

    def delete_tokens(self, user_id: int) -> int:
        return self._run("DELETE FROM account_tokens WHERE user_id = ?", (user_id,))

    def tokens(self) -> list[Record]:
        rows = self._all("SELECT token_hash, user_id, name, created_at FROM account_tokens")
        return [dict(zip(("token_hash", "user_id", "name", "created_at"), r, strict=True)) for r in rows]

    # -- invitations -----------------------------------------------------------------------------
    def add_invitation(self, invitation: Record) -> None:
        self._run("INSERT INTO account_invitations (token_hash, organisation, role, created_by, "
                  "created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                  tuple(invitation[k] for k in _INVITATION_FIELDS[:-1]))

    def invitation(self, token_hash: str) -> Record | None:
        row = self._one(_INVITATION, (token_hash,))
        return dict(zip(_INVITATION_FIELDS, row, strict=True)) if row else None

    def use_invitation(self, token_hash: str, now: float) -> Record | None:
        row = self._one(_USE_INVITATION, (now, token_hash, now))
        return dict(zip(_INVITATION_FIELDS, row, strict=True)) if row else None

    # -- sessions --------------------------------------------------------------------------------
    def add_session(self, session: Record) -> None:
        self._run("INSERT INTO account_sessions (sid_hash, user_id, created_at, seen_at) VALUES (?, ?, ?, ?)",
                  (session["sid_hash"], session["user_id"], session["created_at"], session["seen_at"]))

    def session(self, sid_hash: str) -> Record | None:
        row = self._one("SELECT sid_hash, user_id, created_at, seen_at FROM account_sessions "
                        "WHERE sid_hash = ?", (sid_hash,))
        return dict(zip(("sid_hash", "user_id", "created_at", "seen_at"), row, strict=True)) if row else None

    def touch_session(self, sid_hash: str, now: float) -> None:
        self._run("UPDATE account_sessions SET seen_at = ? WHERE sid_hash = ?", (now, sid_hash))

    def end_sessions(self, *, sid_hash: str | None = None, user_id: int | None = None,
                     idle_before: float | None = None) -> int:
        if sid_hash is not None:
            return self._run("DELETE FROM account_sessions WHERE sid_hash = ?", (sid_hash,))
        if user_id is not None:
            return self._run("DELETE FROM account_sessions WHERE user_id = ?", (user_id,))
        if idle_before is not None:
            return self._run("DELETE FROM account_sessions WHERE seen_at < ?", (idle_before,))
        return 0

    # -- audit -----------------------------------------------------------------------------------
    def append_audit(self, entry: Record) -> None:
        self._run("INSERT INTO account_audit (at, username, role, action, target, fields, detail) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (entry["at"], entry["username"], entry["role"], entry["action"], entry["target"],
                   json.dumps(sorted(entry["fields"])), entry["detail"]))

    def audit(self, *, target: str | None, limit: int, offset: int) -> list[Record]:
        sql = "SELECT id, at, username, role, action, target, fields, detail FROM account_audit"
        args: list[Any] = []
        if target:
            sql += " WHERE target = ?"
            args.append(target)
        rows = self._all(sql + " ORDER BY id DESC LIMIT ? OFFSET ?", [*args, limit, offset])
        out = [dict(zip(_AUDIT_FIELDS, r, strict=True)) for r in rows]
        for entry in out:
            entry["fields"] = json.loads(entry["fields"])
        return out

    # -- counters --------------------------------------------------------------------------------
    def hit(self, key: str, window: float, now: float) -> int:
        row = self._one(
            "INSERT INTO account_counters (key, start, n) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE "
            "SET n = CASE WHEN start <= ? THEN 1 ELSE n + 1 END, "
            "start = CASE WHEN start <= ? THEN excluded.start ELSE start END RETURNING n",
            (key, now, now - window, now - window))
        return int(row[0])

    def count(self, key: str, window: float, now: float) -> int:
        row = self._one("SELECT n FROM account_counters WHERE key = ? AND start > ?", (key, now - window))
        return int(row[0]) if row else 0

    def clear(self, key: str) -> None:
        self._run("DELETE FROM account_counters WHERE key = ?", (key,))

    def forget_counters(self, before: float) -> int:
        return self._run("DELETE FROM account_counters WHERE start < ?", (before,))

    # -- marks -----------------------------------------------------------------------------------
    def mark(self, key: str) -> str | None:
        row = self._one("SELECT value FROM account_marks WHERE key = ?", (key,))
        return str(row[0]) if row else None

    def set_mark(self, key: str, value: str) -> None:
        self._run("INSERT INTO account_marks (key, value) VALUES (?, ?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
