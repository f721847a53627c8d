"""Whole-graph reads from Neo4j at one revision: what snapshots, dumps and migration read.

Neo4j reads at *read committed*: a write that commits while a long read runs can show in part
of it. So the graph is read inside one read transaction that starts and ends by reading the
revision; when it did not move, nothing committed in between and the rows are one revision.
When it moved (a meeting recording ties during the read), the graph is read once more inside a
transaction that first locks the meta node, as every writer does: writers then wait for the
read, which sees one revision by construction. That transaction changes nothing and is rolled
back. No third attempt, so a busy meeting cannot starve a reader.

The nodes are read in that transaction while the relationships and the tie history are read
at the same time in two more read transactions on threads of their own (:class:`_Ahead`), each
also checked by the revision at its start and end; the locked second read reads all in one.
The graph comes per label and per relationship type, each as one record of lists (see
:data:`NODES_QUERY`, :data:`RELS_QUERY`), in the shapes of :mod:`graphsvc.store.rows`. Nodes and
relationships come in no particular order, so :class:`~graphsvc.store.rows.GraphRows` says
``ordered=False`` and the snapshot builder sorts.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from typing import Any, Final, LiteralString, NamedTuple, cast

import neo4j

from graphsvc.model import LABELS, REL_TYPES
from graphsvc.node_props import declared_properties, declared_rel_properties
from graphsvc.store import neo4j_cypher as q
from graphsvc.store.neo4j_props import (
    _TEMPORAL,
    NODE_KEYS,
    REL_KEYS,
    from_neo4j,
    from_value,
    node_row,
    stamp_from_neo4j,
)
from graphsvc.store.rows import GraphRows, T

__all__ = [
    "READ_PAGES", "read_graph", "NODES_QUERY", "RELS_OF", "RECORDS_OF", "RELS_QUERY", "RECORDS_QUERY",
    "EVENTS_AFTER", "LOCK_FOR_READ", "RELS_PARTS", "RECORDS_PARTS", "NODE_NAMES", "PLANNED", "plan_ahead",
    "KEEP_PLAN",
]

_log = logging.getLogger(__name__)
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


# The whole graph comes in two queries of columns, one record per label or relationship type
# (``UNION ALL``: one round trip each, which is most of a small graph's read). Per label, a record
# holds every node's property map. Per relationship type, the server groups relationships by their
# property values: a record holds the distinct value lists ``props`` (``[key, odd, *declared]``:
# the declared properties of the type (graphsvc.node_props.REL_PROPS) in key order, ``odd`` the
# whole map of a relationship with any other property as ``properties(r)``, else null: rare, so
# its dates are left to the driver; a projection with dates as text there doubled the planning) and per distinct list, the start
# ids, the end ids and the bookkeeping columns (version and created_at of ties). A city's million
# relationships have a handful of property sets, so the reader decodes each set once and hands the
# builder one shared map per set. A record per node or relationship cost the driver and the server
# several times more (each is a message of its own), and so did a map projection per relationship.
_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_TEXT_KEYS: Final = frozenset(q.TEXT_KEYS)
_PLAIN: Final = frozenset({str, int, float, bool})
_ABSENT: Final = [None]  # a bookkeeping value a relationship does not have, in a column


#: The read queries name each scan by a hint, so their plans do not depend on Neo4j's statistics:
#: a plan stays cached through a load (``replan=skip``) instead of being made again on the first
#: read after it (which cost seconds of the server's CPU with ~30 branches to plan).
KEEP_PLAN: Final = "CYPHER replan=skip "
_ALL: Final = 2**62  # ``$limit`` of a read (0 when planned ahead, see plan_ahead)


def _union(branches: list[LiteralString]) -> LiteralString:
    return cast(LiteralString, KEEP_PLAN + " UNION ALL ".join(branches))


def _dated(label: str) -> tuple[LiteralString, ...]:
    """The timestamps of a node of ``label`` and its declared properties that hold dates by
    name (``date``, ``*_at``): read as text, which the driver decodes many times faster (a
    key read as text that holds no date or is absent comes as it is)."""
    dated = sorted(k for k in declared_properties(label)
                   if (k == "date" or k.endswith("_at")) and _NAME.fullmatch(k) and k not in NODE_KEYS)
    return ("created_at", "updated_at", *(cast(LiteralString, k) for k in dated))


NODES_QUERY: Final = _union([
    q.per_name([label], "MATCH (n:GNode:NAME) USING SCAN n:NAME WITH n LIMIT $limit RETURN 'NAME' AS label, collect("
               + _projection("n", _dated(label), ()) + ") AS rows")[label]
    for label in LABELS])


class RelColumns(NamedTuple):
    """One relationship type's branch of the query and the property names of its columns."""

    query: LiteralString
    domain: tuple[str, ...]  # the declared properties, in key order (as the SQLite store gives them)
    bookkeeping: tuple[str, ...]  # per relationship: version, created_at (and updated_at)
    known: list[str]  # every property with a column; ``$known.TYPE`` of the query


def _value_of(key: str) -> LiteralString:
    if not _NAME.fullmatch(key):  # declared in code, but a name becomes Cypher text: check
        raise ValueError(f"{key!r} cannot be read as a column")
    value = cast(LiteralString, "r.`" + key + "`")
    return _as_text(value) if key in _TEXT_KEYS else value


#: Types whose relationships rarely share their properties (notes, dates, amounts): not grouped.
_DISTINCT: Final = frozenset({"TIE", "FUNDS"})


def _rel_columns(rel_type: str, bookkeeping: tuple[str, ...]) -> RelColumns:
    domain = tuple(sorted(declared_rel_properties(rel_type) - REL_KEYS))
    values = "".join(", " + _value_of(k) for k in domain)
    # collect() leaves nulls out, which would shift a bookkeeping column: an absent one is
    # [null], which no stored value can be (Neo4j keeps no null in a list)
    book = ", ".join("collect(coalesce(" + _value_of(k) + ", [null]))" for k in bookkeeping)
    # the ends unlabelled and by internal id: a scan of the type, no node read (see NODE_NAMES);
    # ``r`` the relationship's map: its properties read at once, not the chain once per column
    rows = ("MATCH (a)-[x:NAME]->(b) USING SCAN x:NAME WITH a, x, b LIMIT $limit WITH id(a) AS s, id(b) AS e, properties(x) AS r "
            "WITH s, e, r, [coalesce(r.key, ''), CASE WHEN any(k IN keys(r) WHERE NOT k IN $known.NAME) "
            "THEN r END" + values + "] AS p ")
    if rel_type in _DISTINCT:  # one value list per relationship: grouping costs the server more
        query = (rows + "RETURN 'NAME' AS type, false AS grouped, collect(p) AS props, collect(s) AS starts, "
                 "collect(e) AS ends, [" + book + "] AS book")
    else:
        query = (rows + "WITH p, collect(s) AS starts, collect(e) AS ends, [" + book + "] AS book "
                 "RETURN 'NAME' AS type, true AS grouped, collect(p) AS props, collect(starts) AS starts, "
                 "collect(ends) AS ends, collect(book) AS book")
    return RelColumns(q.per_name([rel_type], query)[rel_type], domain, bookkeeping,
                      sorted({*domain, *REL_KEYS}))


#: Per type: what a snapshot reads (version and created_at only for ties).
RELS_OF: Final = {t: _rel_columns(t, ("version", "created_at") if t == "TIE" else ()) for t in REL_TYPES}
#: ... with every column, for records (dumps, migration)
RECORDS_OF: Final = {t: _rel_columns(t, ("version", "created_at", "updated_at")) for t in REL_TYPES}
RELS_QUERY: Final = _union([spec.query for spec in RELS_OF.values()])
RECORDS_QUERY: Final = _union([spec.query for spec in RECORDS_OF.values()])
#: The types read beside the others (their server work about half of all; with the tie history)
_FIRST_PART: Final = frozenset({"TIE", "FUNDS", "PRIORITISES", "ATTENDED", "PART_OF", "COMMITS_TO", "ABOUT",
                                "FOR", "HELD_IN", "SIGNALLED_BY", "SIGNAL_OF", "SIGNAL_IN", "SIGNAL_AMONG"})
#: :data:`RELS_QUERY` and :data:`RECORDS_QUERY` in two parts, read at the same time (see _Ahead)
RELS_PARTS: Final = tuple(_union([spec.query for t, spec in RELS_OF.items() if (t in _FIRST_PART) == first])
                          for first in (True, False))
RECORDS_PARTS: Final = tuple(_union([spec.query for t, spec in RECORDS_OF.items()
                                     if (t in _FIRST_PART) == first]) for first in (True, False))
_KNOWN: Final = {t: spec.known for t, spec in RELS_OF.items()}
#: Every node's internal id with its own: relationships name their ends by internal id (Neo4j
#: reads no property for that), which the reader maps back once per read
NODE_NAMES: Final = (KEEP_PLAN + "MATCH (n:GNode) WITH n LIMIT $limit "
                     "RETURN collect(id(n)) AS ids, collect(n.id) AS names")
EVENTS_AFTER: Final = (
    "MATCH (e:TieEvent) WHERE e.seq > $seq RETURN e.seq AS seq, e.a AS a, e.b AS b, "
    "e.old_rung AS old_rung, e.new_rung AS new_rung, e.at AS at, e.source AS source, "
    "e.session AS session, e.declared_by AS declared_by ORDER BY seq"
)
#: What a snapshot reads, planned by :func:`plan_ahead` when the store connects.
PLANNED: Final = (NODES_QUERY, NODE_NAMES, *RELS_PARTS, q.EVENT_PAGE)
# a write transaction's first step without its write: the meta node's lock, held until rollback
LOCK_FOR_READ: Final = "MATCH (m:GMeta {key: 'graph'}) SET m.reader = $token RETURN m.revision AS revision"


def plan_ahead(driver: neo4j.Driver, database: str) -> None:
    """Have Neo4j plan and compile :data:`PLANNED` into its plan cache (each run with ``$limit`` 0:
    nothing is read; ``EXPLAIN`` would leave ~0.4 s per query to its first run), so the first
    snapshot after a start of the app or the server does not wait seconds for planning.
    Run on a thread of its own when the store connects; a failure is left to the read itself."""
    try:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            for query in PLANNED:
                session.run(query, known=_KNOWN, after=-1, limit=0).consume()
    except Exception:
        _log.debug("planning the snapshot's queries ahead failed", exc_info=True)


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


def _node_rows(tx: neo4j.Transaction) -> Iterator[tuple[Any, ...]]:
    for label, stored in tx.run(NODES_QUERY, limit=_ALL):
        yield from map(node_row, zip(repeat(label, len(stored)), stored, strict=True))


def _domain(names: tuple[str, ...], values: list[Any]) -> dict[str, Any]:
    """The properties of one distinct value list (None: not stored)."""
    out: dict[str, Any] = {}
    for name, value in zip(names, values, strict=True):
        if value is None:
            continue
        kind = type(value)
        if kind is list:
            if len(value) == 2 and value[1] == 0 and type(value[0]) is str:
                value = stamp_from_neo4j(value)  # a temporal value sent as text (_as_text)
        elif kind not in _PLAIN and isinstance(value, _TEMPORAL):
            value = from_value(value)
        out[name] = value
    return out


def _book(columns: list[list[Any]], full: bool) -> list[Iterable[Any]]:
    """The bookkeeping columns of one value list: versions, then timestamps as text."""
    if not columns:
        return [repeat(None), repeat(None)]
    versions = [None if v == _ABSENT else v for v in columns[0]]
    stamps = [[None if v == _ABSENT else stamp_from_neo4j(v) for v in c] for c in columns[1:]]
    return [versions, *stamps] if full else [versions, stamps[0]]


def _props(domain: tuple[str, ...], p: list[Any]) -> dict[str, Any]:
    """The properties of a value list ``[key, odd, *declared]``."""
    return from_neo4j(p[1], REL_KEYS) if p[1] is not None else _domain(domain, p[2:])


def _node_names(tx: neo4j.Transaction) -> dict[int, str]:
    """Each node's id by its internal id (:data:`NODE_NAMES`)."""
    record = tx.run(NODE_NAMES, limit=_ALL).single(strict=True)
    return dict(zip(record["ids"], record["names"], strict=True))


def _grouped_rows(rel_type: str, spec: RelColumns, record: neo4j.Record, full: bool,
                  name: Callable[[int], str]) -> Iterator[tuple[Any, ...]]:
    """Snapshot rows (or, ``full``, record rows) of one type whose relationships are grouped by
    value list: each group shares one property map (a copy each for records, which their reader
    may change)."""
    for p, starts, ends, book in zip(record["props"], record["starts"], record["ends"], record["book"],
                                     strict=True):
        key, props, columns = p[0], _props(spec.domain, p), _book(book, full)
        if full:
            for row in zip(starts, ends, *columns, strict=True):
                yield (rel_type, name(row[0]), name(row[1]), key, dict(props), *row[2:])
        else:
            yield from zip(repeat(rel_type), map(name, starts), map(name, ends), repeat(key), repeat(props),
                           *columns)


def _flat_rows(rel_type: str, spec: RelColumns, record: neo4j.Record, full: bool,
               name: Callable[[int], str]) -> Iterator[tuple[Any, ...]]:
    """The same for a type read with one value list per relationship."""
    domain = spec.domain
    for p, start, end, *book in zip(record["props"], map(name, record["starts"]), map(name, record["ends"]),
                                    *_book(record["book"], full), strict=False):
        yield (rel_type, start, end, p[0], _props(domain, p), *book)


def _relationship_rows(records: Iterable[neo4j.Record], full: bool,
                       names: dict[int, str]) -> Iterator[tuple[Any, ...]]:
    specs = RECORDS_OF if full else RELS_OF
    for record in records:
        rel_type = record["type"]
        rows = _grouped_rows if record["grouped"] else _flat_rows
        yield from rows(rel_type, specs[rel_type], record, full, names.__getitem__)


def _relationships_and_events(tx: neo4j.Transaction,
                              full: bool) -> tuple[dict[int, str], list[neo4j.Record], list[Any]]:
    names = _node_names(tx)
    records = list(tx.run(RECORDS_QUERY if full else RELS_QUERY, known=_KNOWN, limit=_ALL))
    return names, records, list(_pages(tx, q.EVENT_PAGE, -1, READ_PAGES["tie_events"]))


class _Overtaken(Exception):
    """A relationship's end is a node the first part did not see: a write came in between."""


class _Part(NamedTuple):
    first: int  # the revision at the start and the end of the part's transaction
    names: dict[int, str]  # the nodes' ids by internal id (the first part only)
    records: list[neo4j.Record]
    events: list[Any]  # pages of the tie history (the first part only)
    last: int


class _Ahead:
    """The relationships and the tie history, read in two parts on threads of their own, each in
    a read transaction, while the caller reads the nodes and the consumer builds them: the
    server's work on the relationships (most of a read) runs beside the app's and on two cores
    instead of after it on one. The rows are one revision when every transaction saw the same
    revision at its start and its end."""

    def __init__(self, driver: neo4j.Driver, database: str, full: bool) -> None:
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="goudkaart-neo4j-read")
        self._full = full
        parts = RECORDS_PARTS if full else RELS_PARTS
        self._parts = [self._pool.submit(self._fetch, driver, database, query, i == 0)
                       for i, query in enumerate(parts)]

    @staticmethod
    def _fetch(driver: neo4j.Driver, database: str, query: LiteralString, events: bool) -> _Part:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session, \
                session.begin_transaction() as tx:
            first = _revision(tx, False)
            names = _node_names(tx) if events else {}
            records = list(tx.run(query, known=_KNOWN, limit=_ALL))
            pages = list(_pages(tx, q.EVENT_PAGE, -1, READ_PAGES["tie_events"])) if events else []
            last = _revision(tx, False)
            tx.rollback()
        return _Part(first, names, records, pages, last)

    def relationships(self) -> Iterator[tuple[Any, ...]]:
        names = self._parts[0].result().names
        try:
            for part in self._parts:  # the first part's rows while the second is still read
                yield from _relationship_rows(part.result().records, self._full, names)
        except KeyError as exc:  # the second part's transaction saw a newer node
            raise _Overtaken from exc

    def tie_events(self) -> Iterator[tuple[Any, ...]]:
        for page in self._parts[0].result().events:
            yield from map(tuple, page)

    def held(self, revision: int) -> bool:
        """Whether every part's transaction saw ``revision`` at its start and its end."""
        return all(part.result().first == part.result().last == revision for part in self._parts)

    def close(self) -> None:
        self._pool.shutdown(wait=True)  # a read that failed on the caller's side ends first


def _read(tx: neo4j.Transaction, consume: Callable[[GraphRows], T], locked: bool, full: bool,
          ahead: Callable[[], _Ahead] | None = None) -> tuple[T, bool]:
    """``consume``'s result, and whether the revision held still during the read (``ahead``:
    relationships and tie history from a second transaction, see :class:`_Ahead`)."""
    revision = _revision(tx, locked)
    if ahead is None:
        names, records, events = _relationships_and_events(tx, full)
        result = consume(GraphRows(revision, _node_rows(tx), _relationship_rows(records, full, names),
                                   (tuple(row) for page in events for row in page), ordered=False))
        return result, locked or _revision(tx, False) == revision
    other = ahead()
    try:
        result = consume(GraphRows(revision, _node_rows(tx), other.relationships(), other.tie_events(),
                                   ordered=False))
        return result, _revision(tx, False) == revision and other.held(revision)
    except _Overtaken:
        return cast(T, None), False  # read again under the lock
    finally:
        other.close()


def read_graph(driver: neo4j.Driver, database: str, consume: Callable[[GraphRows], T], *,
               full: bool = False) -> T:
    """``consume(rows)`` with the whole graph at one revision; see the module docstring.

    ``consume`` may be called twice (the second time under the lock); driver errors pass
    through for the store to translate. ``full``: relationship rows of :data:`REL_RECORD_PAGE`.
    """
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session, \
            session.begin_transaction() as tx:
        result, consistent = _read(tx, consume, locked=False, full=full,
                                   ahead=lambda: _Ahead(driver, database, full))
        tx.rollback()
    if consistent:
        return result
    del result  # a whole graph: do not hold two
    with driver.session(database=database) as session, session.begin_transaction() as tx:
        try:
            return _read(tx, consume, locked=True, full=full)[0]
        finally:
            tx.rollback()  # nothing was changed; this releases the lock
