"""SQLite database files as files: an online copy and a row count, for backups of the store and accounts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["online_copy", "row_count"]


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
