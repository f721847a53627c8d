"""The server store: the graph in Neo4j over Bolt, with the same contract as the SQLite store.

Selected with ``GRAPHSVC_STORE=neo4j://host:7687`` (or ``bolt://``); the user, password and
database come from their own settings. The layout in the database is described in
:mod:`graphsvc.store.neo4j_cypher`, the write semantics in :mod:`graphsvc.store.neo4j_tx`.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, LiteralString, TypeVar

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j import exceptions as nx

from graphsvc.config import describe_store_url
from graphsvc.errors import ConfigError, Conflict, GraphsvcError, NotFound, StoreUnavailable
from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent, tie_pair
from graphsvc.store import neo4j_cypher as q
from graphsvc.store import neo4j_kept
from graphsvc.store.base import (
    SCHEMA_VERSION,
    GraphStore,
    RelIdent,
    Transaction,
    change_from_row,
    current_actor,
    json_key,
    relationships_by_ident,
    replayable,
)
from graphsvc.store.neo4j_props import node_from
from graphsvc.store.neo4j_props import rel_from as _relationship
from graphsvc.store.neo4j_tx import Neo4jTransaction
from graphsvc.store.neo4j_upgrade import LAYOUT, upgrade_layout

if TYPE_CHECKING:
    from graphsvc.store.accounts_base import AccountRecords
    from graphsvc.store.base import GraphData
    from graphsvc.store.rows import GraphRows

__all__ = ["Neo4jStore", "DRIVER_ERRORS", "PAGE_SIZES"]

T = TypeVar("T")
DRIVER_ERRORS = (nx.Neo4jError, nx.DriverError, OSError)
_UNREACHABLE = (nx.ServiceUnavailable, nx.SessionExpired, nx.ConnectionPoolError, OSError)
PAGE_SIZES = {"nodes": 5000, "relationships": 2000, "tie_events": 10_000}  # rows (nodes) per page
_ABANDONED: list[neo4j.Driver] = []  # drivers inherited over a fork: never used, never closed

# The driver logs every retry as a warning; without this, an app that configured no logging
# would print them (Python's last-resort handler). Configured logging still receives them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def _record(row: Sequence[Any]) -> Relationship:
    """From a full row ``(type, start, end, key, props, version, created_at, updated_at)``."""
    rel_type, start, end, key, props, version, created_at, updated_at = row
    return Relationship(rel_type, start, end, props, key, version, created_at, updated_at)


def _event(row: Sequence[Any]) -> TieEvent:
    """From ``[seq, a, b, old_rung, new_rung, at, source, session, declared_by]``."""
    seq, a, b, old, new, at, source, session, declared_by = row
    return TieEvent(a, b, old, new, at, source, session, declared_by, seq)


class Neo4jStore(GraphStore):
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

    def __init__(self, url: str, *, user: str = "neo4j", password: str = "", database: str = "neo4j",
                 connection_timeout: float = 5.0, retry_time: float = 1.0) -> None:
        scheme, self.location = describe_store_url(url)  # also refuses a password in the URL
        if scheme == "sqlite":
            raise ConfigError(f"{url!r} is not a Neo4j URL; use neo4j://host:7687 or bolt://host:7687.")
        self.url = url
        self.user = user
        self.database = database or "neo4j"
        self._password = password
        self._timeouts = (connection_timeout, retry_time)
        self._driver: neo4j.Driver | None = None
        self._ready = False
        self._pid = os.getpid()
        self._lock = threading.Lock()
        #: Commits made through this object: a caller that holds a snapshot for a moment (the
        #: web app, for one request) renews it when this moved, without asking the revision.
        self.commits = 0

    def __repr__(self) -> str:
        return f"Neo4jStore({self.url!r}, user={self.user!r}, database={self.database!r})"

    # -- driver ----------------------------------------------------------------------------------
    def _after_fork(self) -> None:
        if os.getpid() != self._pid:  # a driver's sockets belong to the parent process
            if self._driver is not None:
                _ABANDONED.append(self._driver)
            self._pid, self._driver, self._ready = os.getpid(), None, False
            self._lock = threading.Lock()

    def _get_driver(self) -> neo4j.Driver:
        self._after_fork()
        with self._lock:
            if self._driver is None:
                connect, retry = self._timeouts
                try:
                    self._driver = GraphDatabase.driver(
                        self.url, auth=(self.user, self._password), connection_timeout=connect,
                        max_transaction_retry_time=retry, connection_acquisition_timeout=connect * 2,
                        liveness_check_timeout=30.0, notifications_min_severity="OFF",
                        user_agent="goudkaart",
                    )
                except (nx.ConfigurationError, ValueError) as exc:
                    raise ConfigError(f"Cannot use the Neo4j URL {self.url!r}: {exc}") from None
            return self._driver

    def _ready_driver(self) -> neo4j.Driver:
        driver = self._get_driver()
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self._prepare(driver)
                    self._ready = True
        return driver

    def _prepare(self, driver: neo4j.Driver) -> None:
        """Create the constraints and the meta node; refuse a database with someone else's data."""
        try:
            for statement in q.SCHEMA:
                driver.execute_query(statement, database_=self.database)
            records, _, _ = driver.execute_query(q.INSPECT, database_=self.database)
            found, layout, has_data = (records[0]["schema_version"], records[0]["layout"],
                                       records[0]["has_data"])
            if found is None and has_data:
                raise StoreUnavailable(
                    f"The Neo4j database {self.database!r} at {self.location} holds data that is not "
                    "a Goudkaart graph; use an empty database."
                )
            if found is not None and found > SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"The Neo4j database {self.database!r} was written by a newer Goudkaart (schema "
                    f"{found}, this version reads up to {SCHEMA_VERSION}); upgrade Goudkaart."
                )
            driver.execute_query(q.CREATE_META, schema_version=SCHEMA_VERSION, database_=self.database)
            driver.execute_query(q.UPGRADE_META, schema_version=SCHEMA_VERSION, database_=self.database)
            if found is not None and (layout or 1) < LAYOUT:  # written before native properties
                upgrade_layout(driver, self.database)
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from None

    def _translate(self, exc: Exception) -> GraphsvcError:
        """Our exception for a driver error; never a password, never the server's stack."""
        where = f"Neo4j at {self.location}"
        if isinstance(exc, nx.AuthError):
            return StoreUnavailable(f"{where} refused the user name or password; check "
                                    "GRAPHSVC_NEO4J_USER and GRAPHSVC_NEO4J_PASSWORD.")
        if isinstance(exc, nx.ConstraintError):
            return Conflict(f"The write conflicts with data already in the graph: {exc.message}")
        if isinstance(exc, _UNREACHABLE):
            return StoreUnavailable(f"The graph database ({where}) is not reachable.")
        if isinstance(exc, nx.Neo4jError) and exc.code == "Neo.ClientError.Database.DatabaseNotFound":
            return StoreUnavailable(f"{where} has no database {self.database!r}; "
                                    "check GRAPHSVC_NEO4J_DATABASE.")
        if isinstance(exc, nx.TransientError):
            return StoreUnavailable(f"{where} is busy; try again in a moment.")
        if isinstance(exc, nx.Neo4jError):
            return StoreUnavailable(f"{where} gave an error: {exc.code}: {exc.message}")
        return StoreUnavailable(f"{where} gave an error: {type(exc).__name__}: {exc}")

    def _read(self, query: LiteralString, convert: Callable[[neo4j.Record], T],
              **params: Any) -> list[T]:
        """Run a read query (retried by the driver on a lost connection) and convert each row."""
        driver = self._ready_driver()
        try:
            return driver.execute_query(
                query, params, database_=self.database, routing_=RoutingControl.READ,
                result_transformer_=lambda result: [convert(r) for r in result],
            )
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from None

    # -- writes ----------------------------------------------------------------------------------
    def _begin(self) -> tuple[neo4j.Session, neo4j.Transaction, neo4j.Record]:
        """Open a session and a transaction holding the writer lock; retried while no work is done.

        Returns the meta node's ``revision``, ``event_seq`` and ``change_seq`` with them."""
        driver = self._ready_driver()
        last: Exception | None = None
        for _ in range(3):
            session = driver.session(database=self.database)
            try:
                tx = session.begin_transaction()
                meta = tx.run(q.BEGIN_WRITE, schema_version=SCHEMA_VERSION,
                              token=secrets.token_hex(8)).single(strict=True)
                return session, tx, meta
            except (nx.ServiceUnavailable, nx.SessionExpired) as exc:  # e.g. a stale pooled connection
                session.close()
                last = exc
            except DRIVER_ERRORS as exc:
                session.close()
                raise self._translate(exc) from None
        assert last is not None
        raise self._translate(last) from None

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
                    raise self._translate(exc) from None
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
        except (nx.ServiceUnavailable, nx.SessionExpired):
            pass
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from None
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
        try:
            return read_graph(driver, self.database, consume, full=full)
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from None

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
