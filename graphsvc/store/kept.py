"""Kept derived data: small values the app works out from the graph and keeps in the store, so
that every worker and every app server sees the same one (the map's layout per area).

Not graph data: a write here makes no revision and no change-log entry (so it never makes a
snapshot stale), and no export, dump, migration or restore through the contract carries it; it
can always be worked out again. A backend keeps it apart from the graph: SQLite in the table
``kept_data`` (:mod:`graphsvc.store.sqlite_kept`), Neo4j as ``GKept`` nodes without ``GNode``
(:mod:`graphsvc.store.neo4j_kept`).
"""

from __future__ import annotations

import abc

__all__ = ["KeptData"]


class KeptData(abc.ABC):
    """The part of the store contract for kept derived data: bytes under ``(kind, key)``.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> store.put_kept("map-layout", "E", b"v1", expected=None), store.get_kept("map-layout", "E")
    (True, b'v1')
    >>> store.put_kept("map-layout", "E", b"v2", expected=b"stale"), store.revision()
    (False, 0)
    """

    @abc.abstractmethod
    def get_kept(self, kind: str, key: str) -> bytes | None:
        """The value kept under ``(kind, key)``; None when there is none."""

    @abc.abstractmethod
    def put_kept(self, kind: str, key: str, value: bytes, *, expected: bytes | None) -> bool:
        """Keep ``value`` under ``(kind, key)`` if the value kept there now is ``expected``
        (None: there is none yet); return whether it was written.

        Compare-and-set: of two writers that read the same value, one wins; the other gets
        False and should read the winner's value. Never call it inside a graph transaction.
        """
