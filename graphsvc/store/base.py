"""The store contract every backend implements: transactional upserts, a revision, tie history and
a change log."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphsvc.clock import utc_now
from graphsvc.errors import NotFound
from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent
from graphsvc.store.kept import KeptData
from graphsvc.store.records import (
    SCHEMA_VERSION,
    GraphData,
    RelIdent,
    Rewrite,
    acting_as,
    change_from_row,
    current_actor,
    json_key,
    prop_changes,
    read_consistent,
    relationships_by_ident,
    replayable,
    stamp_or_none,
)

if TYPE_CHECKING:
    from graphsvc.store.accounts_base import AccountRecords

__all__ = [
    "GraphStore", "Transaction", "GraphData", "read_consistent", "utc_now", "SCHEMA_VERSION",
    "acting_as", "current_actor", "prop_changes", "Rewrite", "change_from_row", "stamp_or_none",
    "replayable", "json_key", "RelIdent", "relationships_by_ident",
]


class Transaction(abc.ABC):
    """One unit of work; everything in it is committed together or not at all.

    Use it through :meth:`GraphStore.transaction`::

        with store.transaction(source="import:orgs.csv") as tx:
            tx.upsert_node(Node("org-1", "Organisation", {"name": "Al Amal"}))

    Upserting a node or relationship whose label and properties are unchanged changes nothing,
    so re-running an import leaves the revision where it was.

    Every create, update and delete of a node or relationship is written to the store's change
    log in the same transaction (a :class:`~graphsvc.model.ChangeEvent` each; deleting a node
    logs the deletes of its relationships first). A rollback leaves no entry.
    """

    changed: int = 0

    @abc.abstractmethod
    def upsert_node(self, node: Node, *, expected_version: int | None = None) -> bool:
        """Create or replace a node's properties; return True if anything changed.

        ``expected_version`` makes the write conditional (optimistic concurrency): when the stored
        version differs, :class:`graphsvc.errors.Conflict` is raised with the current version.
        """

    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        """Upsert many nodes; return how many changed.

        The batch entry point of imports, which hand over chunks of thousands: a backend may do a
        chunk in one statement (Neo4j: one ``UNWIND``). This default does them one by one.
        """
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

    def upsert_relationships(self, rels: Iterable[Relationship], *, record_history: bool = True) -> int:
        """Upsert many relationships, in order; return how many changed.

        Like :meth:`upsert_nodes` the batch entry point of imports; ``record_history=False``
        writes ties without history events (a restored dump brings its own history).
        """
        return sum(1 for r in rels if self.upsert_relationship(r, record_history=record_history))

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
    def add_changes(self, events: Iterable[ChangeEvent]) -> int:
        """Append change-log entries as given (migration copies a store's log this way).

        They get new ``seq`` numbers and revision 0 ("before this store's own history"), so
        :meth:`GraphStore.changes_since` never hands them out; ``at``, ``actor``, ``source``, the
        values and the versions stay as given.
        """

    @abc.abstractmethod
    def set_stamps(self, nodes: Iterable[Node] = (), rels: Iterable[Relationship] = ()) -> int:
        """Give existing records the ``version``, ``created_at`` and ``updated_at`` they carry.

        Only for copies of a whole store (migration, restore from a backup), so that versions
        (optimistic concurrency, a meeting's undo) and timestamps survive the move. Properties,
        the change log and the tie history are not touched; records that do not exist are
        skipped. Returns how many records were found.
        """

    @abc.abstractmethod
    def rewrite_changes(self, field: str, rewrite: Rewrite) -> int:
        """Rewrite the old and new values of the logged node changes that hold ``field``.

        Only for erasing personal data (AVG): ``rewrite(event)`` returns the entry's new
        ``(old, new)`` values, or None to leave it. Entries logged earlier in this transaction
        are included. Returns how many entries were rewritten.
        """

    @abc.abstractmethod
    def get_node(self, node_id: str) -> Node | None:
        """Read a node inside the transaction (sees its own writes)."""


class GraphStore(KeptData, abc.ABC):
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

    def new_account_records(self) -> AccountRecords:
        """The accounts, sessions and audit records kept in this store, made once per store by
        :func:`graphsvc.store.accounts_base.account_records`; a backend that keeps none refuses."""
        raise TypeError(f"{type(self).__name__} keeps no accounts")

    @abc.abstractmethod
    def transaction(
        self, *, source: str = "", actor: str | None = None, record_changes: bool = True
    ) -> AbstractContextManager[Transaction]:
        """A write transaction: committed on normal exit, rolled back on an exception.

        The revision increases by one when the transaction changed anything. Its changes are
        logged as made by ``actor``: when None, whoever :func:`acting_as` names, else ``source``.
        ``record_changes=False`` writes no log entries; only for migration, which copies the
        source's log with :meth:`Transaction.add_changes` (``changes_since`` then answers None
        across such a transaction, so a snapshot re-reads the graph).
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

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        """The nodes with these ids, by id; ids of no node are left out.

        One query where the backend can (a page that needs many nodes makes one round trip,
        not one per node); this default asks :meth:`get_node` for each.

        Examples
        --------
        >>> from graphsvc.store import open_store
        >>> store = open_store("sqlite:///:memory:")
        >>> with store.transaction() as tx:
        ...     _ = tx.upsert_nodes([Node(i, "Interest", {"name": i.title()}) for i in ("taal", "sport")])
        >>> sorted((k, n.name) for k, n in store.get_nodes(["taal", "nope", "sport"]).items())
        [('sport', 'Sport'), ('taal', 'Taal')]
        """
        found: dict[str, Node] = {}
        for node_id in dict.fromkeys(node_ids):
            try:
                found[node_id] = self.get_node(node_id)
            except NotFound:
                pass
        return found

    def get_relationships(self, idents: Iterable[RelIdent]) -> dict[RelIdent, Relationship]:
        """The relationships of these ``(type, start, end, key)``, by the ident as asked
        (TIE ends in either order, as :meth:`get_relationship` takes them); those that do not
        exist are left out.

        One query where the backend can; this default asks :meth:`get_relationship` for each.

        Examples
        --------
        >>> from graphsvc.store import open_store
        >>> store, ends = open_store("sqlite:///:memory:"), [Node(n, "Organisation", {"name": n}) for n in "ab"]
        >>> with store.transaction() as tx:
        ...     _ = tx.upsert_nodes(ends) + tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 2}))
        >>> found = store.get_relationships([("TIE", "b", "a", ""), ("TIE", "a", "c", "")])
        >>> {k: dict(r.props) for k, r in found.items()}
        {('TIE', 'b', 'a', ''): {'rung': 2}}
        """
        found: dict[RelIdent, Relationship] = {}
        for ident in dict.fromkeys(idents):
            try:
                found[ident] = self.get_relationship(*ident)
            except NotFound:
                pass
        return found

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
        log no longer reaches back that far): the caller must re-read the whole graph. The
        backends also answer None when a revision after ``revision`` has no entries (a store
        upgraded from schema 1, a migration, a tie-history restore): the log cannot replay it.
        """
        return None

    def changes(
        self, *, node_id: str | None = None, before_seq: int | None = None, limit: int = 200,
        holding: str | None = None,
    ) -> list[ChangeEvent]:
        """The change log newest first: all, or the changes to one node and its relationships.

        ``holding`` keeps only node changes whose old or new values have that property name as
        a key (at any depth), e.g. to find personal data in the log.
        """
        return []

    @abc.abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "relationships": {type: n}}``."""

    @abc.abstractmethod
    def ping(self) -> bool:
        """True when the store answers (health check); never raises."""

    def copy_to_file(self, path: str | Path) -> bool:
        """Write the whole store, as it is at one moment, into a new embedded store file.

        For backups: a backend that can copy itself faster than a record-by-record read does it
        here (SQLite: its online backup) and returns True; the default returns False and the
        caller copies through the contract (:func:`graphsvc.actions.migrate.migrate`).
        """
        return False

    def load_file(self, path: str | Path) -> bool:
        """Make this empty store a copy of an embedded store file (restore of a backup).

        True when the backend did it (SQLite: page by page); False: the caller copies through
        the contract. The caller has checked that this store is empty.
        """
        return False

    @abc.abstractmethod
    def is_empty(self) -> bool:
        """True when the store holds no nodes."""

    def describe(self) -> dict[str, Any]:
        """What the health check shows: backend name and where (never a password)."""
        return {"backend": type(self).__name__, "url": self.url}

    def close(self) -> None:
        """Release connections."""

    def compact(self) -> dict[str, int]:
        """Give unused space back to the file system; ``{}`` where the database does it itself."""
        return {}

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
