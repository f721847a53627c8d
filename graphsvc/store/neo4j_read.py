"""Whole-graph reads from Neo4j inside one transaction: what snapshots, dumps and migration read.

Neo4j reads at *read committed*: a write that commits while a long read runs can show in part
of it. So the graph is read inside one read transaction that starts and ends by reading the
revision; when it did not move, nothing committed in between and the rows are one revision.
When it moved (a meeting recording ties during the read), the graph is read once more inside a
transaction that first locks the meta node, as every writer does: writers then wait for the
read, which sees one revision by construction. That transaction changes nothing and is rolled
back. No third attempt, so a busy meeting cannot starve a reader.

The rows come in pages of one list each (one Bolt message per page instead of per row) in the
shapes of :mod:`graphsvc.store.rows`. Within a page of start nodes, relationships come in no
particular order, so :class:`~graphsvc.store.rows.GraphRows` says ``ordered=False`` and the
snapshot builder sorts the adjacency lists.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any, Final, LiteralString

import neo4j

from graphsvc.store import neo4j_cypher as q
from graphsvc.store.neo4j_props import node_row, stamp_from_neo4j
from graphsvc.store.neo4j_props import rel_row as row_of
from graphsvc.store.rows import GraphRows, T

__all__ = [
    "READ_PAGES", "read_graph", "REL_ROW_PAGE", "REL_RECORD_PAGE", "EVENTS_AFTER", "LOCK_FOR_READ",
]

#: Rows (nodes: start nodes for relationships) per page inside the read transaction.
READ_PAGES: Final = {"nodes": 10_000, "relationships": 5000, "tie_events": 20_000}

# the relationships leaving a page of nodes as one list per node, ``[type, start, end, properties]``
# with the timestamps a snapshot does not read left out, and the ones it does (and the temporal
# properties Goudkaart writes) as text; every expression costs server time, so only those
REL_ROW_PAGE: Final = (
    "MATCH (a:GNode) WHERE a.id > $after WITH a ORDER BY a.id LIMIT $limit "
    "WITH collect(a) AS page RETURN page[-1].id AS last, [a IN page | [(a)-[r]->(b:GNode) | "
    "[type(r), a.id, b.id, CASE type(r) "
    "WHEN 'TIE' THEN " + q.stored_map("r", ("created_at", "since", "changed_at", "confirmed_at"),
                                      "updated_at: null")
    + " WHEN 'FUNDS' THEN " + q.stored_map("r", ("start", "end"), "created_at: null, updated_at: null")
    + " ELSE r {.*, created_at: null, updated_at: null} END]]] AS rows"
)
# ... with every column, for records (dumps, migration)
REL_RECORD_PAGE: Final = (
    "MATCH (a:GNode) WHERE a.id > $after WITH a ORDER BY a.id LIMIT $limit "
    "WITH collect(a) AS page RETURN page[-1].id AS last, [a IN page | [(a)-[r]->(b:GNode) | "
    "[type(r), a.id, b.id, " + q.stored_map("r") + "]]] AS rows"
)
EVENTS_AFTER: Final = (
    "MATCH (e:TieEvent) WHERE e.seq > $seq RETURN e.seq AS seq, e.a AS a, e.b AS b, "
    "e.old_rung AS old_rung, e.new_rung AS new_rung, e.at AS at, e.source AS source, "
    "e.session AS session, e.declared_by AS declared_by ORDER BY seq"
)
# a write transaction's first step without its write: the meta node's lock, held until rollback
LOCK_FOR_READ: Final = "MATCH (m:GMeta {key: 'graph'}) SET m.reader = $token RETURN m.revision AS revision"


def _revision(tx: neo4j.Transaction, locked: bool) -> int:
    if locked:
        record = tx.run(LOCK_FOR_READ, token=secrets.token_hex(8)).single()
    else:
        record = tx.run(q.REVISION).single()
    return int(record["revision"]) if record is not None and record["revision"] is not None else 0


def _pages(tx: neo4j.Transaction, query: LiteralString, first: str | int, size: int) -> Iterator[list[Any]]:
    """The ``rows`` of a keyset-paged query (see :data:`neo4j_cypher.NODE_PAGE`), page by page."""
    after = first
    while True:
        record = tx.run(query, after=after, limit=size).single(strict=True)
        if record["last"] is None:
            return
        yield record["rows"]
        after = record["last"]


def _rows(tx: neo4j.Transaction, query: LiteralString, first: str | int, size: int) -> Iterator[tuple[Any, ...]]:
    for page in _pages(tx, query, first, size):
        yield from map(tuple, page)


def _node_rows(tx: neo4j.Transaction) -> Iterator[tuple[Any, ...]]:
    for page in _pages(tx, q.NODE_PAGE, "", READ_PAGES["nodes"]):
        yield from map(node_row, page)


def _record_row(row: list[Any]) -> tuple[Any, ...]:
    stored = row[3]
    return (*row_of(row), stamp_from_neo4j(stored.get("updated_at")))


def _relationship_rows(tx: neo4j.Transaction, full: bool) -> Iterator[tuple[Any, ...]]:
    convert = _record_row if full else row_of
    for page in _pages(tx, REL_RECORD_PAGE if full else REL_ROW_PAGE, "", READ_PAGES["relationships"]):
        for per_node in page:
            yield from map(convert, per_node)


def _read(tx: neo4j.Transaction, consume: Callable[[GraphRows], T], locked: bool,
          full: bool) -> tuple[T, bool]:
    """``consume``'s result, and whether the revision held still during the read."""
    revision = _revision(tx, locked)
    result = consume(GraphRows(
        revision,
        _node_rows(tx),
        _relationship_rows(tx, full),
        _rows(tx, q.EVENT_PAGE, -1, READ_PAGES["tie_events"]),
        ordered=False,
    ))
    return result, locked or _revision(tx, False) == revision


def read_graph(driver: neo4j.Driver, database: str, consume: Callable[[GraphRows], T], *,
               full: bool = False) -> T:
    """``consume(rows)`` with the whole graph at one revision; see the module docstring.

    ``consume`` may be called twice (the second time under the lock); driver errors pass
    through for the store to translate. ``full``: relationship rows of :data:`REL_RECORD_PAGE`.
    """
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session, \
            session.begin_transaction() as tx:
        result, consistent = _read(tx, consume, locked=False, full=full)
        tx.rollback()
    if consistent:
        return result
    del result  # a whole graph: do not hold two
    with driver.session(database=database) as session, session.begin_transaction() as tx:
        try:
            return _read(tx, consume, locked=True, full=full)[0]
        finally:
            tx.rollback()  # nothing was changed; this releases the lock
