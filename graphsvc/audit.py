"""The audit trail: who viewed or changed confidential data, when, on which organisation.

Entries live in their own append-only table in the accounts SQLite file (triggers refuse any
UPDATE or DELETE), so the trail survives a graph restore and cannot be edited from the app.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from graphsvc.errors import StoreUnavailable

__all__ = ["ACTIONS", "AuditEntry", "AuditLog"]

ACTIONS: Final = ("view", "change", "export", "erase")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    fields TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
"""


@dataclass(frozen=True)
class AuditEntry:
    """One audit entry: ``fields`` are the confidential fields concerned."""

    id: int
    at: str
    username: str
    role: str
    action: str
    target: str
    fields: tuple[str, ...]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "username": self.username, "role": self.role,
                "action": self.action, "target": self.target, "fields": list(self.fields),
                "detail": self.detail}


class AuditLog:
    """Append-only audit entries in an SQLite file (usually the accounts file)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                         timeout=30)
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError:
            raise StoreUnavailable(f"The audit log in {self.path} cannot be opened.") from None
        self._lock = threading.Lock()

    def record(self, username: str, role: str, action: str, target: str,
               fields: tuple[str, ...] | list[str] = (), detail: str = "") -> None:
        """Append one entry; ``action`` is one of :data:`ACTIONS`."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self._conn.execute(
                "INSERT INTO audit_log (at, username, role, action, target, fields, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (at, username, role, action, target, json.dumps(sorted(fields)), detail[:500]))

    def entries(self, *, target: str | None = None, limit: int = 200,
                offset: int = 0) -> list[AuditEntry]:
        """The newest entries first, of one target or all."""
        sql = "SELECT id, at, username, role, action, target, fields, detail FROM audit_log"
        args: list[object] = []
        if target:
            sql += " WHERE target = ?"
            args.append(target)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        args += [limit, offset]
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7])
                for r in rows]

    def close(self) -> None:
        self._conn.close()
