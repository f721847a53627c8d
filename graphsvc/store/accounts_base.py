"""The account records contract: users, tokens, invitations, sessions, audit and counters in the store.

Accounts are shared state of every app server, so they live in the store the graph lives in
(SQLite tables beside the graph's, or Neo4j bookkeeping nodes with labels of their own). This
contract is deliberately low level: records are plain dicts, secrets arrive already hashed, and
all rules (password length, roles, lifetimes, limits) live in :mod:`graphsvc.access.accounts`.

Records
-------
user
    ``id`` (int), ``username``, ``role``, ``organisations`` (list), ``password_hash``,
    ``created_at`` (ISO text), ``disabled`` (bool). User names are unique regardless of case.
token
    ``user_id``, ``token_hash``, ``name``, ``created_at``.
invitation
    ``token_hash``, ``organisation``, ``role``, ``created_by``, ``created_at``, ``expires_at``
    (epoch seconds), ``used_at`` (epoch seconds or None).
session
    ``sid_hash``, ``user_id``, ``created_at`` and ``seen_at`` (epoch seconds).
audit entry
    ``id``, ``at``, ``username``, ``role``, ``action``, ``target``, ``fields`` (list), ``detail``.
counter
    a named count within a window: :meth:`AccountRecords.hit` starts a new window when the old
    one is over.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.store.base import GraphStore

__all__ = ["AccountRecords", "account_records"]

Record = dict[str, Any]


class AccountRecords(ABC):
    """Where a store keeps its accounts and their bookkeeping (see the module docstring).

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> records = account_records(open_store("sqlite:///:memory:"))
    >>> uid = records.add_user({"username": "Ayse", "role": "coach", "organisations": [],
    ...                         "password_hash": "h", "created_at": "2026-01-01T00:00:00Z"})
    >>> records.user_by_name("ayse")["id"] == uid
    True
    >>> [records.hit("login:ayse", 900, now) for now in (0.0, 1.0, 901.0)]
    [1, 2, 1]
    """

    # -- users -----------------------------------------------------------------------------------
    @abstractmethod
    def add_user(self, user: Record) -> int:
        """Insert a user; its new id. Raises :class:`~graphsvc.errors.Conflict` for a taken name."""

    @abstractmethod
    def user(self, user_id: int) -> Record | None:
        """One user by id, or None."""

    @abstractmethod
    def user_by_name(self, username: str) -> Record | None:
        """One user by name (any case), or None."""

    @abstractmethod
    def users(self) -> list[Record]:
        """Every user, by name."""

    @abstractmethod
    def update_user(self, user_id: int, changes: Record) -> None:
        """Set some of ``role``, ``organisations``, ``disabled``, ``password_hash``."""

    # -- API tokens ------------------------------------------------------------------------------
    @abstractmethod
    def add_token(self, token: Record) -> None:
        """Keep a token record (only its hash)."""

    @abstractmethod
    def token_user(self, token_hash: str) -> Record | None:
        """The user a token belongs to (one round trip), or None when no such token is held."""

    @abstractmethod
    def delete_tokens(self, user_id: int) -> int:
        """Remove every token of a user; how many there were."""

    @abstractmethod
    def tokens(self) -> list[Record]:
        """Every token record (for a migration)."""

    # -- invitations -----------------------------------------------------------------------------
    @abstractmethod
    def add_invitation(self, invitation: Record) -> None:
        """Keep an invitation record."""

    @abstractmethod
    def invitation(self, token_hash: str) -> Record | None:
        """One invitation, used or not, or None."""

    @abstractmethod
    def use_invitation(self, token_hash: str, now: float) -> Record | None:
        """Mark an unused, unexpired invitation used, atomically; the record, else None."""

    # -- sessions --------------------------------------------------------------------------------
    @abstractmethod
    def add_session(self, session: Record) -> None:
        """Keep a new login session."""

    @abstractmethod
    def session(self, sid_hash: str) -> Record | None:
        """One session, or None when it ended."""

    @abstractmethod
    def touch_session(self, sid_hash: str, now: float) -> None:
        """Note that the session was used at ``now``."""

    @abstractmethod
    def end_sessions(self, *, sid_hash: str | None = None, user_id: int | None = None,
                     idle_before: float | None = None) -> int:
        """End one session, all of a user, or all idle since before a time; how many ended."""

    # -- audit log -------------------------------------------------------------------------------
    @abstractmethod
    def append_audit(self, entry: Record) -> None:
        """Append an audit entry (``id`` is given by the store)."""

    @abstractmethod
    def audit(self, *, target: str | None, limit: int, offset: int) -> list[Record]:
        """Audit entries, newest first, of one target or all."""

    # -- counters --------------------------------------------------------------------------------
    @abstractmethod
    def hit(self, key: str, window: float, now: float) -> int:
        """Count one more in ``key``'s window (a new window when it is over); the new count."""

    @abstractmethod
    def count(self, key: str, window: float, now: float) -> int:
        """The count in ``key``'s current window (0 when it is over)."""

    @abstractmethod
    def clear(self, key: str) -> None:
        """Forget a counter."""

    @abstractmethod
    def forget_counters(self, before: float) -> int:
        """Remove counters whose window started before ``before``; how many."""

    # -- marks -----------------------------------------------------------------------------------
    @abstractmethod
    def mark(self, key: str) -> str | None:
        """The value of a one-off mark (e.g. that an old accounts file was taken over), or None."""

    @abstractmethod
    def set_mark(self, key: str, value: str) -> None:
        """Set a one-off mark."""


def account_records(store: GraphStore) -> AccountRecords:
    """The account records of a store, kept in the store itself; one object per store.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> account_records(store) is account_records(store)
    True
    """
    held = getattr(store, "_goudkaart_accounts", None)
    if isinstance(held, AccountRecords):
        return held
    made = store.new_account_records()
    setattr(store, "_goudkaart_accounts", made)  # noqa: B010 - one object per store, kept on it
    return made
