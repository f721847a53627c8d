"""The connection of the Neo4j store: one driver per process (again after a ``fork``), the
database prepared on first use, driver errors translated, reads run and write transactions begun.

:class:`~graphsvc.store.neo4j.Neo4jStore` builds the store contract on this.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j import exceptions as neo4j_errors

from graphsvc.config import describe_store_url
from graphsvc.errors import ConfigError, Conflict, GraphsvcError, StoreUnavailable
from graphsvc.store import neo4j_cypher as q
from graphsvc.store.base import SCHEMA_VERSION
from graphsvc.store.neo4j_import_files import apply_leftovers
from graphsvc.store.neo4j_read import plan_ahead
from graphsvc.store.neo4j_upgrade import LAYOUT, upgrade_layout

__all__ = ["Neo4jConnection", "DRIVER_ERRORS"]

T = TypeVar("T")
DRIVER_ERRORS = (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError)
_UNREACHABLE = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.ConnectionPoolError, OSError)
_ABANDONED: list[neo4j.Driver] = []  # drivers inherited over a fork: never used, never closed

# The driver logs every retry as a warning; without this, an app that configured no logging
# would print them (Python's last-resort handler). Configured logging still receives them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


class Neo4jConnection:
    """The driver, settings and error translation of a :class:`~graphsvc.store.neo4j.Neo4jStore`.

    Nothing connects until the first read or write, so an app can start while Neo4j is down.
    """

    url: str

    def __init__(self, url: str, *, user: str = "neo4j", password: str = "", database: str = "neo4j",
                 connection_timeout: float = 5.0, retry_time: float = 1.0, plan: bool = True) -> None:
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
        #: ``plan``: when the store connects, a thread has Neo4j plan the snapshot's queries
        #: (:func:`~graphsvc.store.neo4j_read.plan_ahead`); ``planning`` is that thread once started
        self.plan_ahead = plan
        self.planning: threading.Thread | None = None
        #: Commits made through this object: a caller that holds a snapshot for a moment (the
        #: web app, for one request) renews it when this moved, without asking the revision.
        self.commits = 0

    # -- driver ----------------------------------------------------------------------------------
    def _after_fork(self) -> None:
        if os.getpid() != self._pid:  # a driver's sockets belong to the parent process
            if self._driver is not None:
                _ABANDONED.append(self._driver)
            self._pid, self._driver, self._ready, self.planning = os.getpid(), None, False, None
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
                except (neo4j_errors.ConfigurationError, ValueError) as exc:
                    raise ConfigError(f"Cannot use the Neo4j URL {self.url!r}: {exc}") from exc
            return self._driver

    def _ready_driver(self) -> neo4j.Driver:
        driver = self._get_driver()
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self._prepare(driver)
                    self._ready = True
                    if self.plan_ahead:
                        self.planning = threading.Thread(target=plan_ahead, args=(driver, self.database),
                                                         name="goudkaart-neo4j-plan", daemon=True)
                        self.planning.start()
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
            if found is not None:  # made by Neo4j's offline importer: what its files could not hold
                apply_leftovers(driver, self.database)
        except DRIVER_ERRORS as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> GraphsvcError:
        """Our exception for a driver error; never a password, never the server's stack."""
        where = f"Neo4j at {self.location}"
        if isinstance(exc, neo4j_errors.AuthError):
            return StoreUnavailable(f"{where} refused the user name or password; check "
                                    "GRAPHSVC_NEO4J_USER and GRAPHSVC_NEO4J_PASSWORD.")
        if isinstance(exc, neo4j_errors.ConstraintError):
            return Conflict(f"The write conflicts with data already in the graph: {exc.message}")
        if isinstance(exc, _UNREACHABLE):
            return StoreUnavailable(f"The graph database ({where}) is not reachable.")
        if isinstance(exc, neo4j_errors.Neo4jError) and exc.code == "Neo.ClientError.Database.DatabaseNotFound":
            return StoreUnavailable(f"{where} has no database {self.database!r}; "
                                    "check GRAPHSVC_NEO4J_DATABASE.")
        if isinstance(exc, neo4j_errors.TransientError):
            return StoreUnavailable(f"{where} is busy; try again in a moment.")
        if isinstance(exc, neo4j_errors.Neo4jError):
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
            raise self._translate(exc) from exc

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
            except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:  # e.g. a stale pooled connection
                session.close()
                last = exc
            except DRIVER_ERRORS as exc:
                session.close()
                raise self._translate(exc) from exc
        assert last is not None
        raise self._translate(last) from last
