"""The SQLite store's tables: their layout, creation and upgrade, and their rows as records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from graphsvc.errors import StoreUnavailable
from graphsvc.model import Node, Relationship, TieEvent
from graphsvc.store.base import SCHEMA_VERSION
from graphsvc.store.sqlite_kept import KEPT_SCHEMA

__all__ = ["init_schema", "node_from", "relationship_from", "tie_event_from"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, props TEXT NOT NULL,
    version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS nodes_by_label ON nodes(label, id);
CREATE TABLE IF NOT EXISTS relationships (
    type TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL, key TEXT NOT NULL,
    props TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (type, start, "end", key)
);
CREATE INDEX IF NOT EXISTS relationships_by_start ON relationships(start);
CREATE INDEX IF NOT EXISTS relationships_by_end ON relationships("end");
CREATE TABLE IF NOT EXISTS tie_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL, b TEXT NOT NULL,
    old_rung INTEGER NOT NULL, new_rung INTEGER NOT NULL, at TEXT NOT NULL,
    source TEXT NOT NULL, session TEXT NOT NULL, declared_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tie_events_by_pair ON tie_events(a, b);
"""

# schema 2: the change log (a store file of schema 1 gets it when opened). ``old``/``new`` are
# JSON; ``created_at``/``updated_at`` are NULL when they equal ``at`` (see ChangeEvent). ``seq``
# counts up by itself (the rowid); no AUTOINCREMENT, which would cost a sqlite_sequence update per
# row in bulk imports and only matters when rows are deleted, which the log never is.
_CHANGES_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY, revision INTEGER NOT NULL, at TEXT NOT NULL,
    actor TEXT NOT NULL, source TEXT NOT NULL, op TEXT NOT NULL, kind TEXT NOT NULL,
    label TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL, key TEXT NOT NULL,
    old TEXT NOT NULL, new TEXT NOT NULL, version INTEGER NOT NULL,
    created_at TEXT, updated_at TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_start ON changes(start);
CREATE INDEX IF NOT EXISTS changes_by_end ON changes("end") WHERE "end" <> '';
CREATE INDEX IF NOT EXISTS changes_by_revision ON changes(revision);
"""


def init_schema(
    conn: sqlite3.Connection, path: str, translate: Callable[[sqlite3.Error], Exception]
) -> None:
    """Create the tables in a new store file, or check (and upgrade) those of an existing one."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            found = int(row[0]) if row else 0
            if found > SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"The store file {path} was written by a newer Goudkaart (schema "
                    f"{found}, this version reads up to {SCHEMA_VERSION}); upgrade Goudkaart."
                )
            if found < 1:
                raise StoreUnavailable(f"The store file {path} has no valid schema version.")
            if found < SCHEMA_VERSION:
                _upgrade(conn)
            if "kept_data" not in tables:  # a file made before kept data
                conn.execute(KEPT_SCHEMA)
            return
        if tables - {"sqlite_sequence"}:
            raise StoreUnavailable(f"The file {path} is a SQLite database but not a Goudkaart store.")
        conn.execute("BEGIN IMMEDIATE")
        for statement in (_SCHEMA + _CHANGES_SCHEMA + ";" + KEPT_SCHEMA).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        conn.execute("INSERT INTO meta VALUES ('revision', '0')")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise translate(exc) from None


def _upgrade(conn: sqlite3.Connection) -> None:
    """Schema 1 → 2 in place: add the change log (it starts empty; ``changes_since`` answers
    None for the revisions before it)."""
    conn.execute("BEGIN IMMEDIATE")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if int(row[0]) < SCHEMA_VERSION:  # another process may have upgraded it meanwhile
        for statement in _CHANGES_SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
    conn.execute("COMMIT")


def node_from(row: sqlite3.Row | tuple[Any, ...]) -> Node:
    return Node(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5])


def relationship_from(row: sqlite3.Row | tuple[Any, ...]) -> Relationship:
    return Relationship(row[0], row[1], row[2], json.loads(row[4]), row[3], row[5], row[6], row[7])


def tie_event_from(row: tuple[Any, ...]) -> TieEvent:
    return TieEvent(row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[0])
