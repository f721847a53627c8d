"""Kept derived data (graphsvc/store/kept.py) on both stores: compare-and-set, shared by every
store object on the same database, and never part of the graph (no revision, no change log, no
export, no migration)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from graphsvc.access.visibility import Viewer
from graphsvc.actions.migrate import migrate
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.store.neo4j import Neo4jStore
from importers.exporters import export_store


def twin(store: GraphStore) -> GraphStore:
    """A second store object on the same database, as another worker or app server opens it."""
    if isinstance(store, Neo4jStore):
        return Neo4jStore(store.url, user=store.user, password=store._password, database=store.database)
    return open_store(store.url)


def test_a_kept_value_is_written_once_and_replaced_only_by_who_read_it(store: GraphStore) -> None:
    assert store.get_kept("map-layout", "E") is None
    assert store.put_kept("map-layout", "E", b"first", expected=None) is True
    assert store.put_kept("map-layout", "E", b"second", expected=None) is False  # one is there
    assert store.put_kept("map-layout", "E", b"second", expected=b"stale") is False
    assert store.get_kept("map-layout", "E") == b"first"
    assert store.put_kept("map-layout", "E", b"\x00second\xff", expected=b"first") is True
    assert store.get_kept("map-layout", "E") == b"\x00second\xff"
    assert store.get_kept("map-layout", "F") is None and store.get_kept("other", "E") is None


def test_kept_data_is_not_graph_data(store: GraphStore, tmp_path: Path) -> None:
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "Buurtvrouwen"}))
    revision, log = store.revision(), store.changes()
    snap = Snapshot.from_store(store)
    assert store.put_kept("map-layout", "", json.dumps({"o1": [0, 0]}).encode(), expected=None)
    assert store.revision() == revision and store.changes() == log  # no snapshot goes stale
    assert store.changes_since(revision) == []
    assert Snapshot.from_store(store).nodes == snap.nodes
    assert store.counts() == {"nodes": {"Organisation": 1}, "relationships": {}}
    export_store(store, "json", tmp_path / "dump.json", Viewer("admin"))
    assert "map-layout" not in (tmp_path / "dump.json").read_text(encoding="utf-8")
    # a migration copies the graph; the layout is worked out again in the new store
    target = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        migrate(store, target)
        assert target.get_kept("map-layout", "") is None
        assert sorted(target.get_nodes(["o1"])) == ["o1"]
    finally:
        target.close()


def test_two_writers_racing_on_one_value_leave_one_winner(store: GraphStore) -> None:
    other = twin(store)
    try:
        assert store.put_kept("map-layout", "F", b"old", expected=None)
        barrier = threading.Barrier(2, timeout=30)
        won: dict[str, bool] = {}

        def write(name: str, on: GraphStore) -> None:
            barrier.wait()
            won[name] = on.put_kept("map-layout", "F", name.encode(), expected=b"old")

        threads = [threading.Thread(target=write, args=(n, s)) for n, s in (("a", store), ("b", other))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(won.values()) == [False, True]
        winner = next(n for n, w in won.items() if w)
        assert store.get_kept("map-layout", "F") == other.get_kept("map-layout", "F") == winner.encode()
    finally:
        other.close()
