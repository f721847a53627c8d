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
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"


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


# the layout of schema 1, as Goudkaart wrote it before the change log
_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE nodes (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, props TEXT NOT NULL,
    version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX nodes_by_label ON nodes(label, id);
CREATE TABLE relationships (
    type TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL, key TEXT NOT NULL,
    props TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (type, start, "end", key)
);
CREATE INDEX relationships_by_start ON relationships(start);
CREATE INDEX relationships_by_end ON relationships("end");
CREATE TABLE tie_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL, b TEXT NOT NULL,
    old_rung INTEGER NOT NULL, new_rung INTEGER NOT NULL, at TEXT NOT NULL,
    source TEXT NOT NULL, session TEXT NOT NULL, declared_by TEXT NOT NULL
);
CREATE INDEX tie_events_by_pair ON tie_events(a, b);
INSERT INTO meta VALUES ('schema_version', '1'), ('revision', '7');
INSERT INTO nodes VALUES ('o1', 'Organisation', '{"name":"Een"}', 3, '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z');
INSERT INTO nodes VALUES ('o2', 'Organisation', '{"name":"Twee"}', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');
INSERT INTO relationships VALUES ('TIE', 'o1', 'o2', '', '{"rung":2}', 2, '2024-01-01T00:00:00Z', '2024-03-01T00:00:00Z');
INSERT INTO tie_events (a, b, old_rung, new_rung, at, source, session, declared_by)
VALUES ('o1', 'o2', 0, 1, '2024-01-01T00:00:00Z', 'coach', '', 'both'),
       ('o1', 'o2', 1, 2, '2024-03-01T00:00:00Z', 'coach', '', 'both');
"""


def test_a_schema_1_file_is_upgraded_in_place_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA_1)
    conn.close()
    store = SQLiteStore(path)
    try:
        assert store.revision() == 7
        assert store.get_node("o1").version == 3 and store.get_node("o1").updated_at == "2024-02-01T00:00:00Z"
        assert [e.new_rung for e in store.tie_history("o2", "o1")] == [1, 2]
        assert store.changes() == []
        assert store.changes_since(0) is None  # the log does not reach back before the upgrade
        assert store.changes_since(7) == []
        with store.transaction(source="web") as tx:
            tx.upsert_node(Node("o1", "Organisation", {"name": "Eén"}))
        [change] = store.changes_since(7) or []
        assert (change.revision, change.op, dict(change.old), dict(change.new), change.version) == (
            8, "update", {"name": "Een"}, {"name": "Eén"}, 4)
    finally:
        store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"changes_by_start", "changes_by_end", "changes_by_revision"} <= indexes
    conn.close()
    SQLiteStore(path).close()  # opening it again changes nothing
