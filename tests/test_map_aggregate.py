"""The aggregated city map (areas as nodes, ties between areas as edges), read a whole
relationship type at once, counts what a walk over every actor and tie counts: on both stores,
with actors without an area, and after tie changes carried over into the snapshot."""

from __future__ import annotations

from collections import Counter

import pytest

from graphsvc.generate import write_generated
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore
from visualisations.map_aggregate import aggregate_payload, home_area
from visualisations.network_map import MapFilters, map_payload


def _walked(snap: Snapshot, min_rung: int) -> tuple[dict[str, int], dict[tuple[str, str], int], int]:
    """Actors per home area and ties per pair of home areas, one actor and one tie at a time."""
    actors = snap.actors_in(None)
    home = {a: h for a in actors if (h := home_area(snap, a)) is not None}
    pairs: Counter[tuple[str, str]] = Counter()
    for a, partners in snap.ties.items():
        for b, rung in partners.items():
            ha, hb = home.get(a), home.get(b)
            if a < b and ha and hb and ha != hb and rung >= max(min_rung, 1):
                pairs[(min(ha, hb), max(ha, hb))] += 1
    return dict(Counter(home.values())), dict(pairs), len(actors) - len(home)


def _shown(payload: dict[str, object]) -> tuple[dict[str, int], dict[tuple[str, str], int], int]:
    nodes = {str(n["id"]).removeprefix("area:"): n["count"] for n in payload["nodes"]}  # type: ignore[attr-defined]
    edges = {(str(e["from"]).removeprefix("area:"), str(e["to"]).removeprefix("area:")): e["count"]
             for e in payload["edges"]}  # type: ignore[attr-defined]
    return nodes, edges, payload["unplaced"]  # type: ignore[return-value]


@pytest.mark.parametrize("min_rung", [0, 3])
def test_aggregate_counts_every_actor_and_tie(store: GraphStore, min_rung: int) -> None:
    write_generated(store, 120, seed=6)
    orgs = sorted(n.id for n in store.iter_nodes("Organisation"))
    with store.transaction(source="test") as tx:  # two actors without an area, tied to others
        for i in (1, 2):
            tx.upsert_node(Node(f"zz-loose-{i}", "Organisation", {"name": f"Los {i}"}))
            tx.upsert_relationship(Relationship("TIE", orgs[i], f"zz-loose-{i}", {"rung": 4}))
    cache = SnapshotCache(store)
    snap = cache.get()
    payload = aggregate_payload(snap, snap.actors_in(None), min_rung=min_rung)
    walked = _walked(snap, min_rung)
    assert _shown(payload) == walked
    assert walked[1] and walked[2] == 2
    assert [n["id"] for n in payload["nodes"]] == sorted(n["id"] for n in payload["nodes"])
    # ties between areas change: the carried-over snapshot is counted as a fresh walk counts it
    pairs = sorted(snap.tie_props)
    with store.transaction(source="test") as tx:
        tx.delete_relationship("TIE", *pairs[0])
        tx.upsert_relationship(Relationship("TIE", orgs[0], orgs[-1], {"rung": 5}))
    after = cache.get()
    assert cache.updates == 1
    assert _shown(aggregate_payload(after, after.actors_in(None), min_rung=min_rung)) == _walked(after, min_rung)


def test_whole_map_above_the_cap_is_the_aggregate(store: GraphStore) -> None:
    write_generated(store, 60, seed=2)
    snap = Snapshot.from_store(store)
    payload = map_payload(snap, MapFilters(), node_limit=10)
    assert payload["mode"] == "aggregate" and all("x" in n and "y" in n for n in payload["nodes"])
    assert _shown(payload) == _walked(snap, 0)
