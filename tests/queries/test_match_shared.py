"""The matching index lives in flat arrays: a forked worker that answers matches keeps reading its
parent's pages instead of copying them, and tie changes go into an overlay beside the shared base."""

from __future__ import annotations

import gc
import json
import os
import random
import sys

import numpy as np
import pytest

from graphsvc.generate import write_generated
from graphsvc.model import Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.match_index import MatchIndex, _themes_of, matching_index
from queries.matching import partner_matches
from tests.forkshare import PAGE, generated_snapshot, in_forked_worker, own_share, whole_pages


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return generated_snapshot(tmp_path_factory)


def _arrays(index: MatchIndex) -> list[np.ndarray]:
    """Every numpy array the index holds, once each (views resolved to their base)."""
    found: dict[int, np.ndarray] = {}
    todo: list[object] = [index]
    seen: set[int] = set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (str, int, float, type)):
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            base = obj if obj.base is None else obj.base
            if isinstance(base, np.ndarray):
                found[id(base)] = base
            continue
        todo.extend(gc.get_referents(obj))
    return list(found.values())


def test_the_index_rows_say_what_the_snapshot_says(snapshot: Snapshot) -> None:
    index = matching_index(snapshot)
    actors = snapshot.actors()
    assert list(index.ids) == actors and index.size == len(actors)
    for i in random.Random(1).sample(range(len(actors)), 200):
        actor = actors[i]
        assert index.pos[actor] == i and index.ids[i] == actor
        assert index.themes[i] == _themes_of(snapshot, actor, snapshot.label(actor))
        assert index.offers[i] == snapshot.targets("OFFERS", actor)
        assert index.needs[i] == snapshot.targets("NEEDS", actor)
        assert index.communities[i] == snapshot.targets("SERVES", actor)
    assert "no-such-actor" not in index.pos and index.pos.get(actors[0] + "\0") is None


def test_a_tie_change_goes_into_an_overlay_and_leaves_the_shared_arrays_alone(store: GraphStore) -> None:
    write_generated(store, 80, seed=4)
    snap = Snapshot.from_store(store)
    index = matching_index(snap)
    base, before = index.strong_partners.targets, index.strong_partners.targets.copy()
    a = snap.actors()[0]
    b = next(x for x in snap.actors()[1:] if snap.rung(a, x) == 0)
    with store.transaction(source="test") as tx:
        tx.upsert_relationship(Relationship("TIE", a, b, {"rung": 3}))
    last = snap.tie_events[-1].seq if snap.tie_events else 0
    changes = store.changes_since(snap.revision)
    assert changes  # the store keeps a change log, so the snapshot is brought forward
    new = snap.apply(changes, store.tie_events_after(last), revision=store.revision())
    carried = matching_index(new)
    assert carried.themes is index.themes  # carried over, not built again
    assert carried.strong_partners.targets is base and np.array_equal(base, before)
    assert index.pos[b] in carried.strong_partners[index.pos[a]].tolist()
    assert index.pos[b] not in index.strong_partners[index.pos[a]].tolist()
    assert carried.strong_partners[index.pos[b]].tolist() == sorted(
        [*index.strong_partners[index.pos[b]].tolist(), index.pos[a]])
    assert partner_matches(new, a) == partner_matches(Snapshot.from_store(store), a)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/pagemap")
def test_a_forked_worker_answering_matches_keeps_sharing_the_index_pages(snapshot: Snapshot) -> None:
    index = matching_index(snapshot)
    pages: set[int] = set()
    for array in _arrays(index):
        pages.update(whole_pages(array.ctypes.data, array.nbytes))
    assert len(pages) * PAGE > 100_000  # the per-actor arrays of 2,000 actors
    actors = random.Random(2).sample(snapshot.actors(), 300)

    def work() -> dict[str, object]:
        answered = sum(len(partner_matches(snapshot, a).matches) for a in actors)
        return {"answered": answered, "own": own_share(pages)}

    found = in_forked_worker(work)
    assert "error" not in found, found
    assert found["answered"] > 1000  # the worker really matched
    # the arrays were read for every answer, yet (nearly) none of their pages became the worker's own
    assert found["own"] < 0.05, found


def test_the_fork_probe_sees_pages_a_worker_writes() -> None:
    """The probe above can fail: pages the child writes to count as its own."""
    data = np.ones(64 * PAGE // 8, dtype=np.float64)
    pages = set(range(data.ctypes.data // PAGE + 1, (data.ctypes.data + data.nbytes) // PAGE))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        data += 1.0
        os.write(write_end, json.dumps(own_share(pages)).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        own = json.loads(pipe.read())
    os.waitpid(pid, 0)
    assert own > 0.95
