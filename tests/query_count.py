"""Counting the queries a store sends to its database: SQL statements on SQLite, Cypher ``RUN``
messages on Neo4j (read from the driver's Bolt log), so a test can bound the round trips of a page.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from graphsvc.store import GraphStore

__all__ = ["Queries", "counted_queries"]


@dataclass
class Queries:
    """The statements sent while counting, in order (SQL text, or the Bolt log line of a RUN)."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)


class _BoltRuns(logging.Handler):
    def __init__(self, queries: Queries) -> None:
        super().__init__(logging.DEBUG)
        self.queries = queries

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "C: RUN " in message:
            self.queries.statements.append(message)


@contextmanager
def _neo4j_runs(queries: Queries) -> Iterator[None]:
    # every Cypher statement is one RUN message; the driver logs each at DEBUG on "neo4j.io"
    logger = logging.getLogger("neo4j.io")
    handler, level = _BoltRuns(queries), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def _sqlite_statements(store: GraphStore, queries: Queries) -> Iterator[None]:
    # the store's connections, existing and new, report each statement they run
    def trace(conn: sqlite3.Connection) -> sqlite3.Connection:
        conn.set_trace_callback(queries.statements.append)
        return conn

    connect = store._connect  # type: ignore[attr-defined]
    traced = [trace(store._reader())]  # type: ignore[attr-defined]

    def connect_traced() -> sqlite3.Connection:
        traced.append(trace(connect()))
        return traced[-1]

    store._connect = connect_traced  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del store._connect  # type: ignore[attr-defined]
        for conn in traced:
            conn.set_trace_callback(None)


@contextmanager
def counted_queries(store: GraphStore) -> Iterator[Queries]:
    """The queries ``store`` sends inside the ``with`` block (in this thread, on SQLite).

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with counted_queries(store) as queries:
    ...     _ = store.revision()
    >>> len(queries)
    1
    """
    queries = Queries()
    if type(store).__name__ == "Neo4jStore":
        with _neo4j_runs(queries):
            yield queries
    else:
        with _sqlite_statements(store, queries):
            yield queries
