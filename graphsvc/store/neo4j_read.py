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

import re
import secrets
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any, Final, LiteralString, NamedTuple, cast

import neo4j

from graphsvc.model import LABELS, REL_TYPES
from graphsvc.node_props import declared_rel_properties
from graphsvc.store import neo4j_cypher as q
from graphsvc.store.neo4j_props import _TEMPORAL, REL_KEYS, from_value, node_row, stamp_from_neo4j
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


# The whole graph comes in columns. Per label, one record holds every node's property map. Per
# relationship type, one record holds a list per column: the start ids, the end ids, the keys,
# and one list per property the type declares (graphsvc.node_props.REL_PROPS; the bookkeeping
# columns a snapshot reads: version and created_at of ties); relationships with any other
# property come once more as whole maps (``extra``), so nothing is lost. A record per node or
# relationship cost the driver and the server several times more (each is a message of its
# own), and so did pages of pattern comprehensions keyed by id or map projections per relationship.
NODES_OF: Final = q.per_name(
    LABELS, "MATCH (n:GNode:NAME) RETURN collect(" + _projection("n", ("created_at", "updated_at"), ()) + ") AS rows")
_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_TEXT_KEYS: Final = frozenset(q.TEXT_KEYS)
_ABSENT: Final = [None]  # a property a relationship does not have, in a column


class RelColumns(NamedTuple):
    """The query of one relationship type's columns and the property names of its columns."""

    query: LiteralString
    domain: tuple[str, ...]  # the declared properties, in key order (as the SQLite store gives them)
    bookkeeping: tuple[str, ...]  # then these: version, created_at (and updated_at)
    known: list[str]  # every property with a column; ``$known`` of the query


def _column_of(key: str) -> LiteralString:
    if not _NAME.fullmatch(key):  # declared in code, but a name becomes Cypher text: check
        raise ValueError(f"{key!r} cannot be read as a column")
    value = cast(LiteralString, "r.`" + key + "`")
    # collect() leaves nulls out, which would shift the column: an absent property is [null],
    # which no stored value can be (Neo4j keeps no null in a list)
    return "collect(coalesce(" + (_as_text(value) if key in _TEXT_KEYS else value) + ", [null]))"


def _rel_columns(rel_type: str, bookkeeping: tuple[str, ...]) -> RelColumns:
    domain = tuple(sorted(declared_rel_properties(rel_type) - REL_KEYS))
    columns = ", ".join(_column_of(k) for k in domain + bookkeeping)
    query = ("MATCH (a:GNode)-[r:NAME]->(b:GNode) RETURN collect(a.id) AS starts, collect(b.id) AS ends, "
             "collect(coalesce(r.key, '')) AS keys, [" + columns + "] AS columns, "
             "collect(CASE WHEN any(k IN keys(r) WHERE NOT k IN $known) THEN [a.id, b.id, " + q.stored_map("r")
             + "] END) AS extra")
    return RelColumns(q.per_name([rel_type], query)[rel_type], domain, bookkeeping,
                      sorted({*domain, *REL_KEYS}))


#: Per type: what a snapshot reads (version and created_at only for ties).
RELS_OF: Final = {t: _rel_columns(t, ("version", "created_at") if t == "TIE" else ()) for t in REL_TYPES}
#: ... with every column, for records (dumps, migration)
RECORDS_OF: Final = {t: _rel_columns(t, ("version", "created_at", "updated_at")) for t in REL_TYPES}
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


def _column(tx: neo4j.Transaction, query: LiteralString, **params: Any) -> neo4j.Record:
    return tx.run(query, params).single(strict=True)


def _node_rows(tx: neo4j.Transaction) -> Iterator[tuple[Any, ...]]:
    for label, query in NODES_OF.items():
        stored = _column(tx, query)["rows"]
        yield from map(node_row, zip(repeat(label, len(stored)), stored, strict=True))


def _record_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    stored = row[3]
    return (*row_of(row), stamp_from_neo4j(stored.get("updated_at")))


def _domain(names: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    """The properties of one relationship from its column values (None: not stored)."""
    out: dict[str, Any] = {}
    for name, value in zip(names, values, strict=True):
        if type(value) is list:
            if value == _ABSENT:
                continue
            if len(value) == 2 and value[1] == 0 and type(value[0]) is str:
                value = stamp_from_neo4j(value)  # a temporal value sent as text (_as_text)
        elif isinstance(value, _TEMPORAL):
            value = from_value(value)
        out[name] = value
    return out


def _column_rows(rel_type: str, spec: RelColumns, record: neo4j.Record,
                 full: bool) -> Iterator[tuple[Any, ...]]:
    """Snapshot rows (or, ``full``, record rows) of one type from its columns."""
    names, width = spec.domain, len(spec.domain)
    stamp = stamp_from_neo4j
    odd = {(s, e, stored.get("key", "")): stored for s, e, stored in record["extra"]}
    convert = _record_row if full else row_of
    for start, end, key, *values in zip(record["starts"], record["ends"], record["keys"],
                                        *record["columns"], strict=True):
        if odd and (start, end, key) in odd:  # a property no column holds: the whole map
            yield convert((rel_type, start, end, odd[(start, end, key)]))
            continue
        props = _domain(names, tuple(values[:width])) if width else {}
        book = [None if v == _ABSENT else v for v in values[width:]]
        if full:
            yield (rel_type, start, end, key, props, book[0], stamp(book[1]), stamp(book[2]))
        elif book:
            yield (rel_type, start, end, key, props, book[0], stamp(book[1]))
        else:
            yield (rel_type, start, end, key, props, None, None)


def _relationship_rows(tx: neo4j.Transaction, full: bool) -> Iterator[tuple[Any, ...]]:
    for rel_type, spec in (RECORDS_OF if full else RELS_OF).items():
        yield from _column_rows(rel_type, spec, _column(tx, spec.query, known=spec.known), full)


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
