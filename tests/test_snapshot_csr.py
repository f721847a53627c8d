"""The compact adjacency of the snapshot (issue 20): the same answers as lists in dicts."""

from __future__ import annotations

import random

import pytest

from graphsvc import snapshot_csr
from graphsvc.snapshot_build import FrozenProps, incoming_index
from graphsvc.snapshot_csr import Adjacency, ColumnTable, Edge, Ids, build_adjacency, edge_order


def _graph(seed: int, nodes: int = 120, edges: int = 150) -> tuple[Ids, dict[str, list[Edge]]]:
    rng = random.Random(seed)
    ids = Ids(sorted(f"n{i:03d}" for i in range(nodes)))
    shared = FrozenProps({"weight": 2})
    plain: dict[str, list[Edge]] = {}
    for _ in range(edges):
        a, b = rng.choice(ids.names), rng.choice(ids.names)
        props = shared if rng.random() < 0.5 else FrozenProps({"rung": rng.randint(1, 5), "key": f"k{rng.randint(0, 3)}"})
        plain.setdefault(a, []).append(Edge((b, props)))
    for edges_ in plain.values():
        edges_.sort(key=edge_order)
    return ids, plain


def _adjacency(ids: Ids, plain: dict[str, list[Edge]]) -> Adjacency:
    starts, ends, props = [], [], []
    for a in sorted(plain):
        for b, p in plain[a]:
            starts.append(ids.index[a])
            ends.append(ids.index[b])
            props.append(p)
    return build_adjacency(ids, starts, ends, props, ordered=True, make=FrozenProps)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_arrays_answer_as_the_lists(seed: int) -> None:
    ids, plain = _graph(seed)
    adj = _adjacency(ids, plain)
    assert adj == plain and len(adj) == len(plain) and sorted(adj) == sorted(plain)
    assert all(adj[a] == plain[a] and adj.targets_of(a) == [e[0] for e in plain[a]] for a in plain)
    missing = next(n for n in ids.names if n not in plain)
    assert missing not in adj and adj.get(missing, []) == [] and "nobody" not in adj
    with pytest.raises(KeyError):
        adj[missing]
    assert adj.transposed() == incoming_index(plain)


def test_changed_copies_leave_the_original_and_compact_to_the_same_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_csr, "_COMPACT_FLOOR", 3)
    ids, plain = _graph(4)
    original = _adjacency(ids, plain)
    expected = {a: list(e) for a, e in plain.items()}
    adj = original
    rng = random.Random(9)
    for step in range(40):  # each step a copy, as Snapshot.apply makes them
        adj = adj.copy()
        a, b = rng.choice(ids.names), rng.choice(ids.names)
        edges = list(adj.get(a, []))
        if edges and step % 3 == 0:
            edges.pop(0)
        else:
            edges = sorted([*edges, Edge((b, FrozenProps({"rung": step % 5 + 1})))], key=edge_order)
        if edges:
            adj[a] = expected[a] = edges
        else:
            expected.pop(a, None)
            if a in adj:
                del adj[a]
        assert adj == expected
        assert adj.transposed() == incoming_index(expected)
    assert original == plain
    compact = adj.compacted()
    assert compact is not None and not compact.overlay and compact == expected


def test_many_distinct_property_sets_live_in_columns_and_read_back_equal() -> None:
    sets = [FrozenProps({"rung": i % 5 + 1, "note": f"n{i % 7}", "flag": True, "one": 1.0, "tags": ["a", str(i)]})
            for i in range(ColumnTable.MIN_ROWS)] + [FrozenProps()]
    table = ColumnTable(sets, FrozenProps)
    assert list(table) == sets
    assert type(table[0]["flag"]) is bool and type(table[0]["one"]) is float and type(table[1]["rung"]) is int
    assert list(table[0]) == ["rung", "note", "flag", "one", "tags"]  # key order kept
    assert table.nbytes() < 40 * len(sets)
