"""A whole-graph read sees one revision even while another writer keeps committing (both stores)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import read_consistent
from graphsvc.store.rows import GraphRows
from graphsvc.store.sqlite import SQLiteStore
from tests.neo4j_server import Neo4jServer


def test_snapshot_read_is_consistent_under_a_stream_of_writes(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    store = SQLiteStore(path)
    with store.transaction() as tx:
        tx.upsert_nodes(Node(f"o{i:04d}", "Organisation", {"name": f"O{i}"}) for i in range(2000))
    stop = threading.Event()

    def writer() -> None:
        other = SQLiteStore(path)
        n = 0
        while not stop.is_set():
            with other.transaction() as tx:
                tx.upsert_node(Node("o0000", "Organisation", {"name": f"renamed {n}"}))
                tx.upsert_node(Node(f"extra{n}", "Organisation", {"name": "x"}))
            n += 1
        other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(20):
            data = read_consistent(store)
            # revision r means: the seed (1) plus r - 1 writer transactions, each adding one node
            assert len(data.nodes) == 2000 + (data.revision - 1)
    finally:
        stop.set()
        thread.join(timeout=30)
    store.close()


@pytest.mark.neo4j
def test_neo4j_whole_graph_read_is_one_revision_under_a_stream_of_writes(neo4j_server: Neo4jServer) -> None:
    """One read transaction; when a write commits during it, one more read under the writers'
    lock. Never a 'kept changing' error, and every read is of one revision."""
    neo4j_server.clear()
    store = neo4j_server.store()
    with store.transaction() as tx:
        tx.upsert_nodes(Node(f"o{i:04d}", "Organisation", {"name": f"O{i}"}) for i in range(2000))
    stop = threading.Event()

    def writer() -> None:
        other = neo4j_server.store()
        n = 0
        while not stop.is_set():
            with other.transaction() as tx:
                tx.upsert_node(Node("o0000", "Organisation", {"name": f"renamed {n}"}))
                tx.upsert_node(Node(f"extra{n}", "Organisation", {"name": "x"}))
            n += 1
        other.close()

    def count(rows: GraphRows) -> tuple[int, int]:
        return rows.revision, sum(1 for _ in rows.nodes)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(6):
            revision, nodes = store.read_rows(count)
            assert nodes == 2000 + (revision - 1)
            data = read_consistent(store)
            assert len(data.nodes) == 2000 + (data.revision - 1)
            snap = Snapshot.from_store(store)
            assert len(snap.nodes) == 2000 + (snap.revision - 1)
    finally:
        stop.set()
        thread.join(timeout=60)
        store.close()


@pytest.mark.neo4j
def test_neo4j_read_overtaken_by_a_write_is_read_again_holding_writers_off(neo4j_server: Neo4jServer) -> None:
    neo4j_server.clear()
    store, other = neo4j_server.store(), neo4j_server.store()
    with store.transaction() as tx:
        tx.upsert_node(Node("a", "Organisation", {"name": "A"}))
    calls: list[tuple[int, list[str]]] = []
    committed = threading.Event()

    def write(node_id: str) -> None:
        with other.transaction() as tx:
            tx.upsert_node(Node(node_id, "Organisation", {"name": node_id}))
        committed.set()

    def consume(rows: GraphRows) -> list[str]:
        ids = [row[0] for row in rows.nodes]
        calls.append((rows.revision, ids))
        if len(calls) == 1:
            write("b")  # commits while the first read runs: its revision check fails
        else:
            committed.clear()
            late = threading.Thread(target=write, args=("c",))
            late.start()
            assert not committed.wait(1.0)  # the writer waits for the locked read to end
        return ids

    try:
        ids = store.read_rows(consume)
        assert committed.wait(30)  # ... and then goes ahead
        assert [revision for revision, _ in calls[:2]] == [1, 2] and ids == ["a", "b"]
        assert sorted(read_consistent(store).nodes, key=lambda n: n.id)[-1].id == "c"
        assert store.revision() == 3 and store.get_node("a").name == "A"  # the read changed nothing
    finally:
        store.close()
        other.close()


@pytest.mark.neo4j
def test_neo4j_relationships_read_beside_the_nodes_are_of_the_nodes_revision(neo4j_server: Neo4jServer) -> None:
    """Relationships come from transactions of their own, read while the nodes are read (two
    parts: grants with the first, places with the second); under a stream of writes that each add
    one of both, every read still counts as many of each as its revision says."""
    neo4j_server.clear()
    store = neo4j_server.store()
    with store.transaction() as tx:
        tx.upsert_nodes([Node("fund", "Fund", {"name": "F"}), Node("area", "Neighbourhood", {"name": "A"}),
                         *(Node(f"o{i:03d}", "Organisation", {"name": f"O{i}"}) for i in range(300))])
    start = store.revision()
    stop = threading.Event()

    def writer() -> None:
        other = neo4j_server.store()
        n = 0
        while not stop.is_set() and n < 300:
            with other.transaction() as tx:
                tx.upsert_relationship(Relationship("FUNDS", "fund", f"o{n:03d}", key=f"g{n}"))
                tx.upsert_relationship(Relationship("ACTIVE_IN", f"o{n:03d}", "area"))
            n += 1
        other.close()

    def count(rows: GraphRows) -> tuple[int, int, int, int]:
        types = [row[0] for row in rows.relationships]
        return rows.revision, sum(1 for _ in rows.nodes), types.count("FUNDS"), types.count("ACTIVE_IN")

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(6):
            revision, nodes, grants, places = store.read_rows(count)
            assert nodes == 302 and grants == places == min(300, revision - start)
            data = read_consistent(store)
            kinds = [rel.type for rel in data.relationships]
            assert kinds.count("FUNDS") == kinds.count("ACTIVE_IN") == min(300, data.revision - start)
    finally:
        stop.set()
        thread.join(timeout=60)
        store.close()
