"""The audit trail: who viewed or changed confidential data, when, on which organisation.

Entries live in the graph store beside the accounts (append-only: the SQLite table refuses any
UPDATE or DELETE, and nothing in the app edits the Neo4j nodes), so every app server writes to
one trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from graphsvc.store.accounts_base import AccountRecords, account_records
from graphsvc.store.base import GraphStore

__all__ = ["ACTIONS", "AuditEntry", "AuditLog"]

ACTIONS: Final = ("view", "change", "export", "erase")


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
    """Append-only audit entries in the graph store.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> log = AuditLog(open_store("sqlite:///:memory:"))
    >>> log.record("ayse", "coach", "view", "org-1", ["contacts"])
    >>> [(e.username, e.fields) for e in log.entries()]
    [('ayse', ('contacts',))]
    """

    def __init__(self, store: GraphStore | AccountRecords) -> None:
        self.records = store if isinstance(store, AccountRecords) else account_records(store)

    def record(self, username: str, role: str, action: str, target: str,
               fields: tuple[str, ...] | list[str] = (), detail: str = "") -> None:
        """Append one entry; ``action`` is one of :data:`ACTIONS`."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.records.append_audit({"at": at, "username": username, "role": role, "action": action,
                                   "target": target, "fields": sorted(fields), "detail": detail[:500]})

    def entries(self, *, target: str | None = None, limit: int = 200,
                offset: int = 0) -> list[AuditEntry]:
        """The newest entries first, of one target or all."""
        rows = self.records.audit(target=target or None, limit=limit, offset=offset)
        return [AuditEntry(int(r["id"]), r["at"], r["username"], r["role"], r["action"], r["target"],
                           tuple(r["fields"]), r["detail"]) for r in rows]

    def close(self) -> None:
        """Nothing to close: the entries belong to the store."""
