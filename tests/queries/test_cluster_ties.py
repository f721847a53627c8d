"""The cluster index reads ties from ``snapshot.ties``: the same pairs and rungs as ``tie_props``
says, on both stores, before and after tie changes carried over into the snapshot."""

from __future__ import annotations

import numpy as np

from graphsvc.generate import write_generated
from graphsvc.model import Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore
from queries.cluster_index import build_cluster_index
from queries.clusters import clusters


def _from_tie_props(snap: Snapshot) -> tuple[set[tuple[str, str, int]], set[tuple[str, str, int]], dict[str, int]]:
    """What the index must hold, worked out one tie at a time from ``tie_props``."""
    orgs, institutions = set(snap.labelled("Organisation")), set(snap.labelled("Institution"))
    both, mixed, best = set(), set(), dict.fromkeys(orgs, 0)
    for (a, b), props in snap.tie_props.items():
        rung = int(props.get("rung", 0))
        if a in orgs and b in orgs:
            both.add((min(a, b), max(a, b), rung))
        elif {a, b} <= orgs | institutions and (a in orgs or b in orgs):
            org, inst = (a, b) if a in orgs else (b, a)
            mixed.add((org, inst, rung))
        for end in (a, b):
            if end in orgs:
                best[end] = max(best[end], rung)
    return both, mixed, best


def _index_ties(snap: Snapshot) -> tuple[set[tuple[str, str, int]], set[tuple[str, str, int]], dict[str, int]]:
    index = build_cluster_index(snap)
    o, inst = index.orgs, index.institutions
    pairs = zip(index.tie_a.tolist(), index.tie_b.tolist(), index.tie_rung.tolist(), strict=True)
    both = {(min(o[a], o[b]), max(o[a], o[b]), r) for a, b, r in pairs}
    assert len(both) == len(index.tie_a)  # every pair once
    mixed = {(o[a], inst[i], r) for a, i, r in zip(index.inst_org.tolist(), index.inst_idx.tolist(),
                                                   index.inst_rung.tolist(), strict=True)}
    assert len(mixed) == len(index.inst_org)
    return both, mixed, dict(zip(o, index.best_rung.tolist(), strict=True))


def test_cluster_index_ties_match_tie_props_after_changes(store: GraphStore) -> None:
    write_generated(store, 150, seed=4)
    cache = SnapshotCache(store)
    snap = cache.get()
    expected = _from_tie_props(snap)
    assert expected[0] and expected[1], "the generated graph has organisation and institution ties"
    assert _index_ties(snap) == expected
    before = clusters(snap)
    # change, add and remove ties: the cache carries them over (Snapshot.apply, an overlay)
    pairs = sorted(snap.tie_props)
    orgs = sorted(snap.labelled("Organisation"))
    institution = sorted(snap.labelled("Institution"))[0]
    with store.transaction(source="test") as tx:
        a, b = pairs[0]
        tx.upsert_relationship(Relationship("TIE", a, b, {"rung": 5}))
        tx.upsert_relationship(Relationship("TIE", orgs[0], institution, {"rung": 4}))
        tx.delete_relationship("TIE", *pairs[1])
    after = cache.get()
    assert after.revision > snap.revision and cache.updates == 1
    expected_after = _from_tie_props(after)
    assert expected_after != expected
    assert _index_ties(after) == expected_after
    # the clusters of a fresh read of the same revision agree with the carried-over snapshot
    fresh = Snapshot.from_store(store)
    assert clusters(after).as_dict() == clusters(fresh).as_dict()
    assert np.array_equal(clusters(snap).clustering.labels, before.clustering.labels)
