"""The read snapshot: built from a store, cached, rebuilt only after a write."""

from __future__ import annotations

import json

import pytest

from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore


def _seed(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(Node("e", "Neighbourhood", {"name": "West", "code": "E", "level": "district"}))
        tx.upsert_node(Node("wk", "Neighbourhood", {"name": "Kolenkit", "code": "WK0363EM",
                                                    "level": "wijk"}))
        tx.upsert_relationship(Relationship("PART_OF", "wk", "e"))
        for i in ("a", "b", "c"):
            tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "a", "wk"))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "b", "e"))
        tx.upsert_relationship(Relationship("TIE", "b", "a", {"rung": 3}))


def test_cache_rebuilds_only_after_a_write(sqlite_store: GraphStore) -> None:
    _seed(sqlite_store)
    cache = SnapshotCache(sqlite_store)
    first = cache.get()
    assert cache.get() is first and cache.builds == 1
    with sqlite_store.transaction() as tx:  # a no-op write: same revision, same snapshot
        tx.upsert_node(Node("a", "Organisation", {"name": "A"}))
    assert cache.get() is first and cache.builds == 1
    with sqlite_store.transaction() as tx:
        tx.upsert_node(Node("a", "Organisation", {"name": "A renamed"}))
    second = cache.get()
    assert second is not first and cache.builds == 2
    assert second.name("a") == "A renamed" and first.name("a") == "A"


def test_snapshot_answers_rungs_and_areas(sqlite_store: GraphStore) -> None:
    _seed(sqlite_store)
    snap = Snapshot.from_store(sqlite_store)
    assert snap.rung("a", "b") == snap.rung("b", "a") == 3
    assert snap.rung("a", "c") == 0
    assert snap.area("wk0363em").id == "wk"
    assert snap.actors_in("E") == ["a", "b"]  # the district includes its wijk
    assert snap.actors_in("WK0363EM") == ["a"]
    assert snap.districts_of("a") == {"e"}
    g = snap.to_networkx()
    assert g.number_of_nodes() == 5 and g.number_of_edges() == 4


def test_whole_types_and_read_only_props(sqlite_store: GraphStore) -> None:
    _seed(sqlite_store)
    snap = Snapshot.from_store(sqlite_store)
    assert dict(snap.by_start("ACTIVE_IN")) == {"a": snap.out("ACTIVE_IN", "a"), "b": snap.out("ACTIVE_IN", "b")}
    assert dict(snap.by_end("ACTIVE_IN")) == {"wk": snap.into("ACTIVE_IN", "wk"), "e": snap.into("ACTIVE_IN", "e")}
    assert snap.by_start("FUNDS") == {} and snap.into("FUNDS", "a") == []
    props = snap.out("TIE", "a")[0].props
    assert props == {"rung": 3} and json.dumps(props) == '{"rung": 3}'
    with pytest.raises(TypeError, match="read-only"):
        props["rung"] = 5  # type: ignore[index]
    assert {**props, "rung": 5} == {"rung": 5} and snap.rung("a", "b") == 3


def test_cache_counts_full_reads_and_updates(sqlite_store: GraphStore) -> None:
    """Without a change log (this store keeps none) every new revision is a full read."""
    _seed(sqlite_store)
    cache = SnapshotCache(sqlite_store)
    cache.get()
    with sqlite_store.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 4}))
    snap = cache.get()
    assert snap.rung("a", "b") == 4 and cache.builds == 2
    assert cache.updates == (0 if sqlite_store.changes_since(0) is None else 1)
