"""A whole-graph read sees one revision even while another writer keeps committing."""

from __future__ import annotations

import threading
from pathlib import Path

from graphsvc.model import Node
from graphsvc.store.base import read_consistent
from graphsvc.store.sqlite import SQLiteStore


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
