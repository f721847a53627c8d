"""Whole-graph reads from Neo4j inside one transaction: what snapshots, dumps and migration read.

Neo4j reads at *read committed*: a write that commits while a long read runs can show in part
of it. So the graph is read inside one read transaction that starts and ends by reading the
revision; when it did not move, nothing committed in between and the rows are one revision.
When it moved (a meeting recording ties during the read), the graph is read once more inside a
transaction that first locks the meta node, as every writer does: writers then wait for the
read, which sees one revision by construction. That transaction changes nothing and is rolled
back. No third attempt, so a busy meeting cannot starve a reader.

The graph comes per label and per relationship type, each as one record of lists (see
:data:`NODES_OF`, :data:`RELS_OF`), in the shapes of :mod:`graphsvc.store.rows`. Nodes and
relationships come in no particular order, so :class:`~graphsvc.store.rows.GraphRows` says
``ordered=False`` and the snapshot builder sorts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any, Final, LiteralString

import neo4j

from graphsvc.model import LABELS, REL_TYPES
from graphsvc.store import neo4j_cypher as q
from graphsvc.store.neo4j_props import node_row, stamp_from_neo4j
from graphsvc.store.neo4j_props import rel_row as row_of
from graphsvc.store.rows import GraphRows, T

__all__ = [
    "READ_PAGES", "read_graph", "NODES_OF", "RELS_OF", "RECORDS_OF", "EVENTS_AFTER", "LOCK_FOR_READ",
]

#: Rows per page of the tie history inside the read transaction.
READ_PAGES: Final = {"tie_events": 20_000}


def _as_text(value: LiteralString) -> LiteralString:
    """A temporal value as ``[text, 0]`` (what :func:`~graphsvc.store.neo4j_props.from_neo4j`
    reads as the text it was written from), anything else as it is; one type check."""
    return ("CASE WHEN " + value + " IS :: DATE NOT NULL | ZONED DATETIME NOT NULL | LOCAL DATETIME NOT NULL "
            "THEN [toString(" + value + "), 0] ELSE " + value + " END")


def _projection(var: LiteralString, text: tuple[LiteralString, ...], drop: tuple[LiteralString, ...]) -> LiteralString:
    """``var``'s properties as a map: the ``text`` keys through :func:`_as_text`, ``drop`` keys
    nulled (the reader drops nulls: a key the snapshot does not read costs no decoding)."""
    entries = (["`" + k + "`: " + _as_text(var + ".`" + k + "`") for k in text]
               + ["`" + k + "`: null" for k in drop])
    return var + " {.*, " + ", ".join(entries) + "}"


# The whole graph comes in columns: per label one record holding every node's property map,
# per relationship type one record with the start ids, the end ids and the property maps as
# three lists. A record per node or relationship cost the driver and the server several times
# more (each is a message of its own), and so did pages of pattern comprehensions keyed by id.
NODES_OF: Final = q.per_name(
    LABELS, "MATCH (n:GNode:NAME) RETURN collect(" + _projection("n", ("created_at", "updated_at"), ()) + ") AS rows")
#: Per type: the columns a snapshot reads (version and created_at only for ties).
_SNAPSHOT_PROPS: Final = {
    "TIE": _projection("r", ("since", "changed_at", "confirmed_at", "created_at"), ("updated_at",)),
    "FUNDS": _projection("r", ("start", "end"), ("version", "created_at", "updated_at")),
}
_PLAIN_PROPS: Final = _projection("r", (), ("version", "created_at", "updated_at"))
_RELS: Final[LiteralString] = (
    "MATCH (a:GNode)-[r:NAME]->(b:GNode) RETURN collect(a.id) AS starts, collect(b.id) AS ends, collect(PROPS) AS rows"
)
RELS_OF: Final = {t: q.per_name([t], _RELS.replace("PROPS", _SNAPSHOT_PROPS.get(t, _PLAIN_PROPS)))[t]
                  for t in REL_TYPES}
#: ... with every column, for records (dumps, migration)
RECORDS_OF: Final = q.per_name(REL_TYPES, _RELS.replace("PROPS", q.stored_map("r")))
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


def _column(tx: neo4j.Transaction, query: LiteralString) -> neo4j.Record:
    return tx.run(query).single(strict=True)


def _node_rows(tx: neo4j.Transaction) -> Iterator[tuple[Any, ...]]:
    for label, query in NODES_OF.items():
        stored = _column(tx, query)["rows"]
        yield from map(node_row, zip(repeat(label, len(stored)), stored, strict=True))


def _record_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    stored = row[3]
    return (*row_of(row), stamp_from_neo4j(stored.get("updated_at")))


def _relationship_rows(tx: neo4j.Transaction, full: bool) -> Iterator[tuple[Any, ...]]:
    convert = _record_row if full else row_of
    for rel_type, query in (RECORDS_OF if full else RELS_OF).items():
        record = _column(tx, query)
        starts, ends, stored = record["starts"], record["ends"], record["rows"]
        yield from map(convert, zip(repeat(rel_type, len(starts)), starts, ends, stored, strict=True))


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
