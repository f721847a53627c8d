"""SQLite-specific behaviour: bad files are refused with one plain sentence and left untouched."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from graphsvc.errors import StoreUnavailable
from graphsvc.model import Node
from graphsvc.store import open_store
from graphsvc.store.sqlite import SQLiteStore


def test_file_is_created_with_wal_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "graph.db"
    store = open_store(f"sqlite:///{path}")
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "1"


def test_corrupt_file_is_refused_and_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    garbage = b"this is not a database at all" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreUnavailable, match="damaged or is not a Goudkaart store"):
        SQLiteStore(path)
    assert path.read_bytes() == garbage


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreUnavailable, match="newer Goudkaart"):
        SQLiteStore(path)


def test_foreign_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreUnavailable, match="not a Goudkaart store"):
        SQLiteStore(path)
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert tables == {"customers"}


def test_folder_instead_of_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="is a folder"):
        SQLiteStore(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    SQLiteStore(path).close()
    path.chmod(0)
    with pytest.raises(StoreUnavailable, match="cannot be read"):
        SQLiteStore(path)


def test_readonly_folder_is_refused_with_a_plain_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailable, match="Cannot create the folder"):
        SQLiteStore(blocker / "sub" / "graph.db")


def test_two_store_objects_on_one_file_see_each_others_writes(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    first, second = SQLiteStore(path), SQLiteStore(path)
    with first.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "Een"}))
    assert second.revision() == 1
    assert second.get_node("o1").name == "Een"
