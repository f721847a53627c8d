"""Kept derived data in the SQLite store's file (see :mod:`graphsvc.store.kept`): the table
``kept_data``, beside the graph's tables and outside its revision and change log."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphsvc.store.sqlite import SQLiteStore

__all__ = ["KEPT_SCHEMA", "get_kept", "put_kept"]

#: Made with the other tables (and added to a store file made before it, see sqlite_schema):
#: no schema version of its own, so an older Goudkaart still opens the file and ignores it.
KEPT_SCHEMA = """
CREATE TABLE IF NOT EXISTS kept_data (
    kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (kind, key)
) WITHOUT ROWID
"""


def get_kept(store: SQLiteStore, kind: str, key: str) -> bytes | None:
    rows = store._query("SELECT value FROM kept_data WHERE kind = ? AND key = ?", (kind, key))
    return bytes(rows[0][0]) if rows else None


def put_kept(store: SQLiteStore, kind: str, key: str, value: bytes, expected: bytes | None) -> bool:
    """One statement in autocommit, compare and set in one step: SQLite runs it under its
    write lock, so of two processes that expected the same value only one changes a row."""
    if expected is None:
        sql = "INSERT INTO kept_data (value, kind, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        params: tuple[object, ...] = (value, kind, key)
    else:
        sql = "UPDATE kept_data SET value = ? WHERE kind = ? AND key = ? AND value = ?"
        params = (value, kind, key, expected)
    store._after_fork()
    with store._write_lock, store._process_lock():
        if store._writer is None:
            store._writer = store._connect()
        try:
            return store._writer.execute(sql, params).rowcount == 1
        except sqlite3.Error as exc:
            raise store._translate(exc) from None
