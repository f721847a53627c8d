"""The store contract every backend implements: transactional upserts, a revision and tie history."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent

__all__ = ["GraphStore", "Transaction", "GraphData", "read_consistent", "utc_now", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, the form every timestamp is stored in."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Transaction(abc.ABC):
    """One unit of work; everything in it is committed together or not at all.

    Use it through :meth:`GraphStore.transaction`::

        with store.transaction(source="import:orgs.csv") as tx:
            tx.upsert_node(Node("org-1", "Organisation", {"name": "Al Amal"}))

    Upserting a node or relationship whose label and properties are unchanged changes nothing,
    so re-running an import leaves the revision where it was.
    """

    changed: int = 0

    @abc.abstractmethod
    def upsert_node(self, node: Node, *, expected_version: int | None = None) -> bool:
        """Create or replace a node's properties; return True if anything changed.

        ``expected_version`` makes the write conditional (optimistic concurrency): when the stored
        version differs, :class:`graphsvc.errors.Conflict` is raised with the current version.
        """

    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        """Upsert many nodes; return how many changed."""
        return sum(1 for n in nodes if self.upsert_node(n))

    @abc.abstractmethod
    def delete_node(self, node_id: str) -> bool:
        """Delete a node and every relationship it has; return True if it existed."""

    @abc.abstractmethod
    def upsert_relationship(
        self,
        rel: Relationship,
        *,
        expected_version: int | None = None,
        record_history: bool = True,
    ) -> bool:
        """Create or replace a relationship; both ends must exist.

        For a ``TIE`` whose rung changes, a :class:`TieEvent` is appended to the tie history
        (``at`` from the ``changed_at`` property or now; ``source``, ``session`` and
        ``declared_by`` from the properties of the same name).
        """

    def upsert_relationships(self, rels: Iterable[Relationship]) -> int:
        return sum(1 for r in rels if self.upsert_relationship(r))

    @abc.abstractmethod
    def delete_relationship(
        self, rel_type: str, start: str, end: str, key: str = "", *, changed_at: str | None = None,
        source: str = "", session: str = "",
    ) -> bool:
        """Delete one relationship; deleting a TIE records a move to rung 0 in its history."""

    @abc.abstractmethod
    def add_tie_events(self, events: Iterable[TieEvent]) -> int:
        """Append tie history as given (used by migration and restore)."""

    @abc.abstractmethod
    def get_node(self, node_id: str) -> Node | None:
        """Read a node inside the transaction (sees its own writes)."""


class GraphStore(abc.ABC):
    """A persistent property graph: the contract both SQLite and Neo4j backends fulfil.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("n1", "Interest", {"name": "Eenzaamheid"}))
    >>> store.get_node("n1").name, store.revision()
    ('Eenzaamheid', 1)
    """

    url: str

    @abc.abstractmethod
    def transaction(self, *, source: str = "") -> AbstractContextManager[Transaction]:
        """A write transaction: committed on normal exit, rolled back on an exception.

        The revision increases by one when the transaction changed anything.
        """

    @abc.abstractmethod
    def revision(self) -> int:
        """A number that increases with every committed change (never decreases)."""

    @abc.abstractmethod
    def get_node(self, node_id: str) -> Node:
        """The node with this id; raises :class:`graphsvc.errors.NotFound`."""

    @abc.abstractmethod
    def get_relationship(self, rel_type: str, start: str, end: str, key: str = "") -> Relationship:
        """One relationship; raises NotFound. TIE ends may be given in either order."""

    @abc.abstractmethod
    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        """All nodes (of one label), ordered by id."""

    @abc.abstractmethod
    def iter_relationships(self, rel_type: str | None = None) -> Iterator[Relationship]:
        """All relationships (of one type), ordered by (type, start, end, key)."""

    @abc.abstractmethod
    def tie_history(self, a: str | None = None, b: str | None = None) -> list[TieEvent]:
        """Tie events in the order they were recorded; of one pair, one actor, or all."""

    def changes_since(self, revision: int, *, limit: int = 10_000) -> list[ChangeEvent] | None:
        """Changes committed after ``revision``, oldest first, from the store's change log.

        None means the store cannot say (no change log, or more than ``limit`` changes, or the
        log no longer reaches back that far): the caller must re-read the whole graph.
        """
        return None

    def changes(
        self, *, node_id: str | None = None, before_seq: int | None = None, limit: int = 200
    ) -> list[ChangeEvent]:
        """The change log newest first: all, or the changes to one node and its relationships."""
        return []

    @abc.abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "relationships": {type: n}}``."""

    @abc.abstractmethod
    def ping(self) -> bool:
        """True when the store answers (health check); never raises."""

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """True when the store holds no nodes."""

    def describe(self) -> dict[str, Any]:
        """What the health check shows: backend name and where (never a password)."""
        return {"backend": type(self).__name__, "url": self.url}

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release connections."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tie_events_after(self, seq: int) -> list[TieEvent]:
        """Tie events recorded after the one numbered ``seq``, in order: what a snapshot whose
        last tie event is ``seq`` lacks. Backends override this with a query by ``seq``.

        Examples
        --------
        >>> from graphsvc.store import open_store
        >>> open_store("sqlite:///:memory:").tie_events_after(0)
        []
        """
        return [e for e in self.tie_history() if e.seq > seq]


class GraphData:
    """Everything in a store at one revision: what a snapshot, a dump or a migration reads."""

    def __init__(
        self,
        revision: int,
        nodes: list[Node],
        relationships: list[Relationship],
        tie_events: list[TieEvent],
    ) -> None:
        self.revision = revision
        self.nodes = nodes
        self.relationships = relationships
        self.tie_events = tie_events


def read_consistent(store: GraphStore, attempts: int = 5) -> GraphData:
    """Read the whole graph at one revision, re-reading when a write slipped in between.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> data = read_consistent(open_store("sqlite:///:memory:"))
    >>> data.revision, len(data.nodes)
    (0, 0)
    """
    own = getattr(store, "read_all", None)
    if own is not None:  # a backend that can read everything inside one read transaction
        return own()
    for _ in range(attempts):
        before = store.revision()
        nodes = list(store.iter_nodes())
        rels = list(store.iter_relationships())
        events = store.tie_history()
        if store.revision() == before:
            return GraphData(before, nodes, rels, events)
    from graphsvc.errors import StoreUnavailable

    raise StoreUnavailable("The graph kept changing while it was being read; try again.")
