"""Neo4j plans the snapshot's queries when the store connects, and keeps those plans through a load."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.store.neo4j_read import PLANNED
from tests.change_script import snapshot_state
from tests.neo4j_server import Neo4jServer
from tests.store.test_parity import write_pinned_demo

pytestmark = pytest.mark.neo4j


def _take_cached(server: Neo4jServer) -> int:
    """How many plans Neo4j's query cache held; empties it (``db.clearQueryCaches`` says so)."""
    value = server.driver().execute_query("CALL db.clearQueryCaches()").records[0]["value"]
    found = re.search(r"cleared of (\d+) quer", value)
    return int(found.group(1)) if found else 0


def _cached_after_connect(server: Neo4jServer, plan: bool) -> int:
    _take_cached(server)
    store = server.store(plan=plan)
    try:
        store.revision()  # connects
        if store.planning is not None:
            store.planning.join(120)
            assert not store.planning.is_alive()
    finally:
        store.close()
    return _take_cached(server)


def test_the_snapshot_queries_are_planned_when_the_store_connects(neo4j_server: Neo4jServer) -> None:
    neo4j_server.clear()
    _cached_after_connect(neo4j_server, plan=False)  # the meta node made: each connect runs the same
    without = _cached_after_connect(neo4j_server, plan=False)
    planned = _cached_after_connect(neo4j_server, plan=True)
    assert planned - without == len(PLANNED)


def _state(store: GraphStore) -> dict[str, Any]:
    """What a snapshot answers; of the tie history only its length (its times are the writes')."""
    state = snapshot_state(Snapshot.from_store(store))
    return {**state, "tie_events": len(state["tie_events"])}


def test_plans_made_on_an_empty_database_read_the_graph_loaded_after(neo4j_server: Neo4jServer,
                                                                     tmp_path: Path) -> None:
    """The plans are kept through a load (no planning on the first read after it): they must
    read what the load wrote, every label and type, as SQLite reads it."""
    neo4j_server.clear()
    _take_cached(neo4j_server)
    store = neo4j_server.store()
    sqlite: GraphStore = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    try:
        assert store.revision() == 0
        assert store.planning is not None
        store.planning.join(120)  # planned on the empty database
        for each in (store, sqlite):
            write_pinned_demo(each)
        read = _state(store)
        assert read == _state(sqlite)
        assert read["relationship_count"] > 1000 and read["tie_events"] > 0 and read["ties"]
        assert _take_cached(neo4j_server) >= len(PLANNED)
    finally:
        store.close()
        sqlite.close()
