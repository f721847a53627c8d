"""SQLite database files as files: an online copy and a row count, for backups of the store and accounts."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from graphsvc.errors import StoreUnavailable

__all__ = ["online_copy", "row_count", "store_file_counts"]


def online_copy(source: str | Path, target: str | Path) -> None:
    """Copy a database file with SQLite's online backup: consistent while others write to it.

    The copy is one self-contained file (rollback journal, no ``-wal`` beside it).
    """
    src = sqlite3.connect(f"{Path(source).absolute().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            # all pages in one step: one read transaction, which WAL lets writers go on beside;
            # a copy in steps would start again after every write of another connection
            src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        src.close()
        dst.close()


def row_count(path: str | Path, table: str) -> int | None:
    """How many rows a table of a database file holds; None when the file or table is not there."""
    if not table.isidentifier() or not Path(path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - identifier checked
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def store_file_counts(path: str | Path) -> dict[str, Any]:
    """What an embedded store file holds, read-only: nodes by label, relationships by type, the
    revision, tie events, change-log entries and accounts (0 for a table that is not there)."""
    try:
        conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
        try:
            nodes = dict(conn.execute("SELECT label, count(*) FROM nodes GROUP BY label ORDER BY label"))
            rels = dict(conn.execute("SELECT type, count(*) FROM relationships GROUP BY type ORDER BY type"))
            revision = int(conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, TypeError) as exc:  # not a store file, or a damaged one
        raise StoreUnavailable(f"{Path(path).name} is not a readable Goudkaart store ({exc}).") from exc
    return {"nodes": nodes, "relationships": rels, "revision": revision,
            "tie_events": row_count(path, "tie_events") or 0,
            "changes": row_count(path, "changes") or 0,
            "accounts": row_count(path, "account_users") or 0}
