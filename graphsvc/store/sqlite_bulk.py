"""Bulk writes of the SQLite store: many new rows in one statement, and a load into an empty store
with its secondary indexes built once at the end instead of row by row."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Final

from graphsvc.errors import InvalidInput
from graphsvc.model import Node, Relationship, validate_node, validate_relationship
from graphsvc.store.base import Transaction
from graphsvc.store.records import dump_props

__all__ = ["BulkWrites", "insert_all", "deferred_indexes", "dump_props", "LOAD_CACHE_KIB", "ADD_EVENT"]

#: Page cache of the writer while a load runs (KiB): the primary-key index of a few million
#: relationships stays in memory instead of being written out and read back.
LOAD_CACHE_KIB: Final = 256 * 1024
_LOADED_TABLES: Final = ("nodes", "relationships", "tie_events", "changes")


def insert_all(conn: sqlite3.Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> bool:
    """Insert ``rows`` with one ``executemany`` of ``sql`` (an ``INSERT … ON CONFLICT DO NOTHING``)
    when every one of them is new; otherwise insert none of them and answer False.

    Runs inside the caller's transaction, under a savepoint that is undone when any row met an
    existing one, so the caller can fall back to writing them one by one.
    """
    conn.execute("SAVEPOINT bulk_insert")
    before = conn.total_changes
    try:
        conn.executemany(sql, rows)
    except BaseException:
        conn.execute("ROLLBACK TO bulk_insert")
        conn.execute("RELEASE bulk_insert")
        raise
    if conn.total_changes - before != len(rows):
        conn.execute("ROLLBACK TO bulk_insert")
        conn.execute("RELEASE bulk_insert")
        return False
    conn.execute("RELEASE bulk_insert")
    return True


@contextmanager
def deferred_indexes(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside one write transaction: drop the secondary indexes of the graph tables, and create
    them again (each by one sort) when the block ends without an error.

    Meant for a load into an empty store: filling an index row by row in random key order costs
    several times the sort. The primary keys stay (they find repeated records). When the block
    raises, the indexes are not made again here: the caller's transaction rolls back, and with it
    the drop. The writer's page cache is raised for the block and set back after.
    """
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN (SELECT value FROM json_each(?)) ORDER BY name",
        (json.dumps(_LOADED_TABLES),)).fetchall()
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}")
    try:
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        yield
        for _, sql in indexes:
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


_NEW_NODE: Final = "INSERT INTO nodes VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(id) DO NOTHING"
_NEW_REL: Final = ('INSERT INTO relationships VALUES (?, ?, ?, ?, ?, 1, ?, ?) '
                   'ON CONFLICT(type, start, "end", key) DO NOTHING')
ADD_EVENT: Final = ("INSERT INTO tie_events (a, b, old_rung, new_rung, at, source, session, "
                    "declared_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


class BulkWrites(Transaction):
    """The batch entry points of a SQLite transaction, many rows per statement once the caller
    said its records are new (:meth:`expect_new`); the same rows, history and change log as the
    one-by-one upserts, which a batch falls back to when any record in it is not new after all."""

    conn: sqlite3.Connection
    now: str
    source: str
    changed: int
    _labels: dict[str, str]
    _creating: bool

    def _label(self, node_id: str) -> str:
        raise NotImplementedError

    def _change(self, op: str, kind: str, label: str, start: str, end: str, key: str, old: str,
                new: str, version: int, created_at: str = "", updated_at: str = "") -> None:
        raise NotImplementedError

    def expect_new(self, labels: Mapping[str, str]) -> None:
        """The records written next are (most likely) new, e.g. an import into an empty store:
        write them a batch per statement. ``labels`` (id → label) is not trusted here: each
        relationship's ends are still looked up as the one-by-one upsert looks them up."""
        self._creating = True

    def deferred_indexes(self) -> AbstractContextManager[None]:
        """See :func:`deferred_indexes`: for a load into an empty store, in this transaction."""
        return deferred_indexes(self.conn)

    def upsert_nodes(self, nodes: Iterable[Node]) -> int:
        items = list(nodes)
        if not self._creating or len(items) < 2:
            return super().upsert_nodes(items)
        now, rows = self.now, []
        try:
            for n in items:
                validate_node(n)
                created = n.created_at or now
                rows.append((n.id, n.label, dump_props(n.props), created, n.updated_at or created))
        except InvalidInput:
            return super().upsert_nodes(items)  # fails where the one-by-one writes fail
        if not insert_all(self.conn, _NEW_NODE, rows):
            return super().upsert_nodes(items)
        labels, change = self._labels, self._change
        for node_id, label, props, created, updated in rows:
            labels[node_id] = label
            change("create", "node", label, node_id, "", "", "{}", props, 1, created, updated)
        self.changed += len(rows)
        return len(rows)

    def upsert_relationships(self, rels: Iterable[Relationship], *, record_history: bool = True) -> int:
        items = list(rels)
        if not self._creating or len(items) < 2:
            return super().upsert_relationships(items, record_history=record_history)
        now, label, rows = self.now, self._label, []
        try:
            for r in items:
                validate_relationship(r, label(r.start), label(r.end))
                created = r.created_at or now
                rows.append((*r.ident, dump_props(r.props), created, r.updated_at or created))
        except InvalidInput:
            return super().upsert_relationships(items, record_history=record_history)
        if not insert_all(self.conn, _NEW_REL, rows):
            return super().upsert_relationships(items, record_history=record_history)
        if record_history:
            self._new_tie_events([r for r in items if r.type == "TIE"])
        change = self._change
        for rel_type, start, end, key, props, created, updated in rows:
            change("create", "relationship", rel_type, start, end, key, "{}", props, 1, created, updated)
        self.changed += len(rows)
        return len(rows)

    def _new_tie_events(self, ties: list[Relationship]) -> None:
        """The history of new ties: from rung 0 to theirs (as the one-by-one upsert adds it)."""
        now, source = self.now, self.source
        self.conn.executemany(ADD_EVENT, [
            (t.start, t.end, 0, int(t.props.get("rung", 0) or 0), t.props.get("changed_at") or now,
             t.props.get("source") or source or "", t.props.get("session") or "",
             t.props.get("declared_by") or "") for t in ties])
