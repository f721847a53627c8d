"""The server store: the graph in Neo4j over Bolt, with the same contract as the SQLite store.

Selected with ``GRAPHSVC_STORE=neo4j://host:7687`` (or ``bolt://``); the user, password and
database come from their own settings. The layout in the database is described in
:mod:`graphsvc.store.neo4j_cypher`, the write semantics in :mod:`graphsvc.store.neo4j_tx`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, LiteralString, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from graphsvc.errors import NotFound
from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent, tie_pair
from graphsvc.store import neo4j_cypher as q
from graphsvc.store import neo4j_kept
from graphsvc.store.base import (
    GraphStore,
    RelIdent,
    Transaction,
    change_from_row,
    current_actor,
    json_key,
    relationships_by_ident,
    replayable,
)
from graphsvc.store.freshness import NEO4J_FRESHNESS
from graphsvc.store.neo4j_connect import DRIVER_ERRORS, Neo4jConnection
from graphsvc.store.neo4j_props import node_from
from graphsvc.store.neo4j_props import rel_from as _relationship
from graphsvc.store.neo4j_tx import Neo4jTransaction

if TYPE_CHECKING:
    from graphsvc.store.accounts_base import AccountRecords
    from graphsvc.store.base import GraphData
    from graphsvc.store.rows import GraphRows

__all__ = ["Neo4jStore", "DRIVER_ERRORS", "PAGE_SIZES"]

T = TypeVar("T")
PAGE_SIZES = {"nodes": 5000, "relationships": 2000, "tie_events": 10_000}  # rows (nodes) per page


def _record(row: Sequence[Any]) -> Relationship:
    """From a full row ``(type, start, end, key, props, version, created_at, updated_at)``."""
    rel_type, start, end, key, props, version, created_at, updated_at = row
    return Relationship(rel_type, start, end, props, key, version, created_at, updated_at)


def _event(row: Sequence[Any]) -> TieEvent:
    """From ``[seq, a, b, old_rung, new_rung, at, source, session, declared_by]``."""
    seq, a, b, old, new, at, source, session, declared_by = row
    return TieEvent(a, b, old, new, at, source, session, declared_by, seq)


class Neo4jStore(Neo4jConnection, GraphStore):
    """A graph in a Neo4j 5 database: the server engine behind the same contract.

    Nothing connects until the first read or write, so an app can start while Neo4j is down.
    One driver per process, created on first use and again after a ``fork`` (drivers do not
    survive one). Driver errors become :class:`~graphsvc.errors.StoreUnavailable` ("not
    reachable", a refused password, a missing database) or :class:`~graphsvc.errors.Conflict`.

    Examples
    --------
    >>> store = Neo4jStore("bolt://127.0.0.1:7687", password="secret-pw")  # connects lazily
    >>> store.describe()["backend"], "secret" in str(store.describe())
    ('Neo4jStore', False)
    """

    #: Its transactions create records in bulk (``create_nodes``, ``create_relationships``):
    #: :func:`graphsvc.actions.migrate.migrate` uses them into an empty graph.
    bulk_create = True
    #: Seconds the web app may use the revision and login it saw last on a read request
    #: (``GRAPHSVC_FRESHNESS`` overrides): each answer from here costs a round trip.
    default_freshness = NEO4J_FRESHNESS


    def __repr__(self) -> str:
        return f"Neo4jStore({self.url!r}, user={self.user!r}, database={self.database!r})"


    @contextmanager
    def transaction(
        self, *, source: str = "", actor: str | None = None, record_changes: bool = True
    ) -> Iterator[Transaction]:
        who = current_actor(source) if actor is None else actor
        session, tx, meta = self._begin()
        work = Neo4jTransaction(tx, source, int(meta["event_seq"]), self._translate, actor=who,
                                change_seq=int(meta["change_seq"]), revision=int(meta["revision"]) + 1,
                                record_changes=record_changes)
        try:
            yield work  # the caller's own exceptions pass through untouched
            work.flush()
            if work.changed:
                try:
                    tx.run(q.FINISH_WRITE, event_seq=work.event_seq, change_seq=work.change_seq).consume()
                    tx.commit()
                    self.commits += 1
                except DRIVER_ERRORS as exc:
                    raise self._translate(exc) from exc
        finally:
            # nothing changed, or an error: roll back, which also releases the writer lock
            with suppress(*DRIVER_ERRORS):
                if not tx.closed():
                    tx.rollback()
            with suppress(*DRIVER_ERRORS):
                session.close()

    # -- reads -----------------------------------------------------------------------------------
    def revision(self) -> int:
        """One round trip: an auto-commit read (a managed transaction adds a COMMIT message and
        its answer); a dropped pooled connection falls back to the driver's retrying path."""
        driver = self._ready_driver()
        try:
            with driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                return int(session.run(q.REVISION).single(strict=True)["revision"])
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired):
            pass
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from exc
        return int(self._read(q.REVISION, lambda r: r["revision"])[0])

    def get_node(self, node_id: str) -> Node:
        rows = self._read(q.GET_NODE, node_from, id=node_id)
        if not rows:
            raise NotFound(f"There is no node with id {node_id!r}.")
        return rows[0]

    def get_relationship(self, rel_type: str, start: str, end: str, key: str = "") -> Relationship:
        if rel_type == "TIE":
            start, end = tie_pair(start, end)
        rows = self._read(q.GET_REL, _relationship, type=rel_type, start=start, end=end, key=key)
        if not rows:
            raise NotFound(f"There is no {rel_type} from {start!r} to {end!r}.")
        return rows[0]

    def get_nodes(self, node_ids: Iterable[str]) -> dict[str, Node]:
        ids = list(dict.fromkeys(node_ids))
        return {n.id: n for n in self._read(q.GET_NODES, node_from, ids=ids)} if ids else {}

    def get_relationships(self, idents: Iterable[RelIdent]) -> dict[RelIdent, Relationship]:
        def fetch(keys: list[RelIdent]) -> list[Relationship]:
            rows = [dict(zip(("type", "start", "end", "key"), k, strict=True)) for k in keys]
            return self._read(q.GET_RELS, _relationship, keys=rows)

        return relationships_by_ident(idents, fetch)

    def _pages(self, query: LiteralString, first: str | int, size: int) -> Iterator[list[Any]]:
        """The ``rows`` of a paged query (see :data:`neo4j_cypher.NODE_PAGE`), page by page."""
        after = first
        while True:
            last, rows = self._read(query, tuple, after=after, limit=size)[0]
            if last is None:
                return
            yield rows
            after = last

    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        query = q.NODE_PAGE if label is None else q.NODE_PAGES_OF.get(label)
        if query is None:
            return iter(())
        nodes = [node_from(row) for page in self._pages(query, "", PAGE_SIZES["nodes"]) for row in page]
        # sorted here, not by Cypher: Python's order is the SQLite store's (code points)
        return iter(sorted(nodes, key=lambda n: n.id))

    def iter_relationships(self, rel_type: str | None = None) -> Iterator[Relationship]:
        if rel_type is None:
            rels = [_relationship(row) for page in self._pages(q.REL_PAGE, "", PAGE_SIZES["relationships"])
                    for per_node in page for row in per_node]
        elif rel_type in q.RELS_OF:
            rels = self._read(q.RELS_OF[rel_type], _relationship)
        else:
            return iter(())
        return iter(sorted(rels, key=lambda r: r.ident))

    def tie_history(self, a: str | None = None, b: str | None = None) -> list[TieEvent]:
        if a is not None and b is not None:
            a, b = tie_pair(a, b)
            return self._read(q.PAIR_EVENTS, _event, a=a, b=b)
        if a is not None:
            return self._read(q.ACTOR_EVENTS, _event, a=a)
        return [_event(row) for page in self._pages(q.EVENT_PAGE, -1, PAGE_SIZES["tie_events"]) for row in page]

    def changes_since(self, revision: int, *, limit: int = 10_000) -> list[ChangeEvent] | None:
        current, rows = self._read(q.CHANGES_SINCE, tuple, revision=revision, limit=limit + 1)[0]
        if len(rows) > limit:
            return None
        events = sorted((change_from_row(r) for r in rows), key=lambda e: e.seq)
        return replayable(revision, int(current), events, limit)

    def changes(
        self, *, node_id: str | None = None, before_seq: int | None = None, limit: int = 200,
        holding: str | None = None,
    ) -> list[ChangeEvent]:
        before = 2**63 - 1 if before_seq is None else before_seq
        if holding is not None:
            return self._read(q.CHANGES_HOLDING, lambda r: change_from_row(r["row"]),
                              needle=json_key(holding), id=node_id, before=before, limit=limit)
        if node_id is None:
            return self._read(q.CHANGES, lambda r: change_from_row(r["row"]), before=before, limit=limit)
        return self._read(q.NODE_CHANGES, lambda r: change_from_row(r["row"]), id=node_id,
                          before=before, limit=limit)

    def counts(self) -> dict[str, dict[str, int]]:
        def pairs(query: LiteralString) -> dict[str, int]:
            return dict(sorted(self._read(query, lambda r: (str(r["name"]), int(r["n"])))))

        return {"nodes": pairs(q.COUNT_NODES), "relationships": pairs(q.COUNT_RELS)}

    def is_empty(self) -> bool:
        return not self._read(q.IS_EMPTY, lambda r: r["id"])

    def ping(self) -> bool:
        """``RETURN 1`` in an auto-commit transaction: no retries, so an outage shows at once."""
        try:
            with self._get_driver().session(database=self.database) as session:
                return bool(session.run(q.PING).single(strict=True)["ok"] == 1)
        except Exception:
            return False

    def describe(self) -> dict[str, Any]:
        return {"backend": type(self).__name__, "url": self.url, "database": self.database,
                "user": self.user}

    def new_account_records(self) -> AccountRecords:
        from graphsvc.store.neo4j_accounts import Neo4jAccounts

        return Neo4jAccounts(self)

    def close(self) -> None:
        self._after_fork()
        if self.planning is not None:
            self.planning.join(60)  # it uses the driver: a driver closed under it breaks its connection
        with self._lock:
            driver, self._driver, self._ready = self._driver, None, False
        if driver is not None:
            driver.close()

    # -- whole-graph reads (read-only; see neo4j_read) -------------------------------------------
    def read_rows(self, consume: Callable[[GraphRows], T], *, full: bool = False) -> T:
        """``consume(rows)`` with the whole graph at one revision, read inside one transaction
        (see :mod:`graphsvc.store.neo4j_read`; ``consume`` may be called a second time).
        ``full``: relationship rows with every column (``updated_at`` last), for records."""
        from graphsvc.store.neo4j_read import read_graph

        driver = self._ready_driver()
        if self.planning is not None and not full:
            self.planning.join()  # its plans, rather than planning them twice at the same time
        try:
            return read_graph(driver, self.database, consume, full=full)
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from exc

    def read_all(self) -> GraphData:
        """The whole graph at one revision as records (what read_consistent gives dumps and
        migration), ordered as the SQLite store orders them."""
        from graphsvc.store.base import GraphData

        def records(rows: GraphRows) -> GraphData:
            nodes = sorted((Node(*r) for r in rows.nodes), key=lambda n: n.id)
            rels = sorted((_record(r) for r in rows.relationships), key=lambda r: r.ident)
            return GraphData(rows.revision, nodes, rels, [_event(r) for r in rows.tie_events])

        return self.read_rows(records, full=True)

    def tie_events_after(self, seq: int) -> list[TieEvent]:
        """Tie events with a sequence number above ``seq``, in order (what a snapshot lacks)."""
        from graphsvc.store.neo4j_read import EVENTS_AFTER

        return self._read(EVENTS_AFTER, _event, seq=seq)

    # -- kept derived data (graphsvc/store/kept.py) ----------------------------------------------
    def get_kept(self, kind: str, key: str) -> bytes | None:
        return neo4j_kept.get_kept(self, kind, key)

    def put_kept(self, kind: str, key: str, value: bytes, *, expected: bytes | None) -> bool:
        return neo4j_kept.put_kept(self, kind, key, value, expected)
