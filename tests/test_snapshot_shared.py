"""The snapshot's ids, names, texts and ties live in flat buffers: a forked worker that reads them
keeps sharing its parent's pages, and the snapshot holds few Python objects whatever its size."""

from __future__ import annotations

import array
import gc
import random
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from graphsvc.generate import write_generated
from graphsvc.model import Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_csr import Ids
from graphsvc.snapshot_strings import IdList, JsonArray, StrArray, StrIndex
from graphsvc.snapshot_tiemap import TieMap
from graphsvc.store import GraphStore
from queries.matching import partner_matches
from tests.forkshare import PAGE, generated_snapshot, in_forked_worker, own_share, whole_pages


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return generated_snapshot(tmp_path_factory)


def _walk(root: object) -> Iterator[object]:
    """Every object reachable from ``root`` once (classes, modules and functions left out)."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type) or callable(obj) and not hasattr(obj, "__len__"):
            continue
        seen.add(id(obj))
        yield obj
        if not isinstance(obj, np.ndarray):
            todo.extend(gc.get_referents(obj))


def _buffer_pages(snap: Snapshot) -> set[int]:
    """The whole pages of the snapshot's arrays (numpy, ``array.array``) and long byte buffers."""
    pages: set[int] = set()
    for obj in _walk(snap.parts()):
        if isinstance(obj, np.ndarray) and obj.base is None and obj.nbytes:
            start, size = obj.ctypes.data, obj.nbytes
        elif isinstance(obj, array.array):
            start, length = obj.buffer_info()
            size = length * obj.itemsize
        elif isinstance(obj, bytes) and len(obj) > 2 * PAGE:
            start, size = id(obj) + sys.getsizeof(b""), len(obj)
        else:
            continue
        pages.update(whole_pages(start, size))
    return pages


def test_ids_names_and_texts_read_back_as_they_were_written() -> None:
    texts = ["o1", "Ayşe's Buurtvrouwen", "", "😀 emoji", "\udcff lone surrogate", None]
    arr = StrArray(texts)
    assert list(arr) == texts and [arr[i] for i in range(-6, 6)] == texts + texts
    assert arr.take([3, 0]) == ["😀 emoji", "o1"] and arr[1:3] == texts[1:3]
    index = StrIndex(StrArray([t for t in texts if t is not None]))
    assert [index[t] for t in texts if t is not None] == [0, 1, 2, 3, 4]
    assert index.get("o1\0") is None and "o" not in index and 5 not in index  # type: ignore[operator]
    with pytest.raises(IndexError):
        arr[6]
    assert JsonArray(['{"a":[1,2]}', "[]"])[0] == {"a": [1, 2]}
    many = StrArray([f"id{i}" for i in range(5000)])  # a table with collisions and long probes
    index = StrIndex(many)
    assert all(index[f"id{i}"] == i for i in range(5000)) and index.get("id5000") is None
    labels = IdList(many, np.array([1, 7, 4999]), index)
    assert labels == ["id1", "id7", "id4999"] and "id7" in labels and "id8" not in labels


def test_the_snapshot_holds_few_python_objects(snapshot: Snapshot) -> None:
    """Ids, names, descriptions, contact lists and ties are buffers and arrays, not objects."""
    nodes = len(snapshot.nodes)
    assert nodes > 2500
    parts = snapshot.parts()
    # (the relationships' property sets are shared dicts until a type has thousands: not counted)
    for part in (parts.nodes, parts.by_label, parts.ties, parts.tie_props, parts.tie_events):
        objects = sum(1 for obj in _walk(part) if not isinstance(obj, (np.ndarray, bytes)))
        # before: several objects per node each (ids, names, descriptions, a dict per actor's ties)
        assert objects < nodes / 2, (type(part).__name__, objects, nodes)
    org = snapshot.labelled("Organisation")[0]
    assert isinstance(snapshot.nodes.names, StrArray) and snapshot.name(org) == snapshot.nodes[org].props["name"]
    assert snapshot.ties[org] == {b: snapshot.rung(org, b) for b in snapshot.ties[org]}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/pagemap")
def test_a_forked_worker_reading_the_snapshot_keeps_sharing_its_pages(snapshot: Snapshot) -> None:
    pages = _buffer_pages(snapshot)
    assert len(pages) * PAGE > 200_000  # the ids, names, texts, ties and relationships of 2,000 actors
    actors = random.Random(2).sample(list(snapshot.actors()), 300)

    def work() -> dict[str, object]:
        answered = sum(len(partner_matches(snapshot, a).matches) for a in actors)
        read: list[Any] = [(snapshot.nodes[a].props.get("description"), snapshot.name(a), snapshot.ties.get(a),
                            snapshot.out("ACTIVE_IN", a)) for a in actors]
        return {"answered": answered, "read": len(read), "own": own_share(pages)}

    found = in_forked_worker(work)
    assert "error" not in found, found
    assert found["answered"] > 1000 and found["read"] == 300  # the worker really read
    # every answer read the buffers, yet (nearly) none of their pages became the worker's own
    assert found["own"] < 0.05, found


def test_a_tie_change_writes_an_overlay_beside_the_shared_tie_arrays(store: GraphStore) -> None:
    write_generated(store, 80, seed=4)
    snap = Snapshot.from_store(store)
    a = next(x for x in snap.actors() if x in snap.ties)
    b = next(x for x in snap.actors() if x != a and snap.rung(a, x) == 0)
    c = next(iter(snap.ties[a]))  # a partner it loses
    partners_before = snap.ties.partners.copy()
    with store.transaction(source="test") as tx:
        tx.upsert_relationship(Relationship("TIE", a, b, {"rung": 3}))
        tx.delete_relationship("TIE", *sorted((a, c)))
    last = snap.tie_events[-1].seq if snap.tie_events else 0
    new = snap.apply(store.changes_since(snap.revision), store.tie_events_after(last), revision=store.revision())
    assert new.ties.partners is snap.ties.partners and np.array_equal(snap.ties.partners, partners_before)
    assert set(new.ties.overlay) == {a, b, c} and c not in new.ties[a] and c in snap.ties[a]
    fresh = Snapshot.from_store(store)
    assert new.ties == fresh.ties and list(new.ties) == list(fresh.ties)
    assert [list(new.ties[x].items()) for x in new.ties] == [list(fresh.ties[x].items()) for x in fresh.ties]
    assert new.rung(a, b) == new.rung(b, a) == 3 and snap.rung(a, b) == 0


def test_a_tie_map_with_a_large_overlay_is_folded_into_fresh_arrays() -> None:
    ids = Ids([f"a{i:04d}" for i in range(3000)])
    # pairs (a0, a1), (a2, a3), ... at rung 1, both directions
    ties = TieMap(ids, np.arange(3000), np.arange(3000) ^ 1, np.ones(3000, dtype=np.int8))
    assert ties["a0000"] == {"a0001": 1} and len(ties) == 3000
    changed = ties.copy()
    expected = {a: dict(ties[a]) for a in ties}
    for i in range(0, 2400, 2):  # 1,200 pairs get rung 3, more than a copy keeps as an overlay
        a, b = f"a{i:04d}", f"a{i + 1:04d}"
        changed[a], changed[b] = {b: 3}, {a: 3}
        expected[a], expected[b] = {b: 3}, {a: 3}
    del changed["a2998"], changed["a2999"]  # (TieMap.__delitem__ takes one key at a time)
    del expected["a2998"], expected["a2999"]
    folded = changed.copy()
    assert not folded.overlay and folded.partners is not ties.partners  # fresh arrays
    assert dict(folded.items()) == dict(changed.items()) == expected and list(folded) == sorted(expected)
    assert ties["a0000"] == {"a0001": 1} and "a2998" in ties  # the original is as it was
