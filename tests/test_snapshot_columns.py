"""Nodes, tie properties and the tie history in columns: they read back as the records read.

The snapshot keeps nodes, tie properties and tie events in columns and makes the records on
demand (graphsvc/snapshot_nodes.py, graphsvc/snapshot_ties.py). A reader must not notice: the
same ``Node`` and ``TieEvent`` records, the same values and key order, values it may change
without changing the snapshot, and an applied snapshot that still equals a full read after its
overlay of changes was folded into fresh columns.
"""

from __future__ import annotations

import random

import pytest

from graphsvc import snapshot_nodes, snapshot_ties
from graphsvc.model import Node, Relationship, TieEvent
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_ties import TieHistory
from graphsvc.store import GraphStore
from graphsvc.store.base import GraphData, read_consistent
from tests.change_script import ChangeScript, seed, snapshot_state

NODES = [
    Node("o2", "Organisation", {"name": "Buurtvrouwen", "languages": ["nl", "ar"], "volunteers": 12,
                                "contact_persons": [{"name": "Ayşe", "role": "voorzitter"}]}),
    Node("o1", "Organisation", {"volunteers": 12.0, "name": "Café de Hoek", "public": True,
                                "kind": "association", "languages": ["nl", "ar"]}, version=3,
         created_at="2025-01-01T00:00:00Z", updated_at="2025-02-01T00:00:00Z"),
    Node("a1", "Neighbourhood", {"name": "Noord", "code": "WK0363FD", "level": "wijk", "public": 1}),
    Node("i1", "Institution", {}),
]


def _snapshot() -> Snapshot:
    ties = [Relationship("TIE", "o1", "o2", {"rung": 3, "source": "meeting"}, version=2, created_at="2025-03-01"),
            Relationship("TIE", "i1", "o1", {"rung": 1})]
    events = [TieEvent("o1", "o2", 0, 3, "2025-03-01T10:00:00Z", "meeting", "s1", "ayse", 1),
              TieEvent("i1", "o1", 0, 1, "2025-03-02T10:00:00Z", "", "", "", 2)]
    return Snapshot(GraphData(1, NODES, ties, events))


def test_nodes_read_back_as_the_records_with_their_values_and_key_order() -> None:
    snap = _snapshot()
    for node in NODES:
        read = snap.nodes[node.id]
        assert read == node and node == read
        assert list(read.props) == list(node.props) and dict(read.props) == dict(node.props)
        assert snap.name(node.id) == node.name and snap.label(node.id) == node.label
        assert all(snap.nodes.prop(node.id, k) == v for k, v in node.props.items())
        assert snap.nodes.prop(node.id, "no such key", "-") == "-"
    # 12 and 12.0, 1 and True are equal but not the same value: each keeps its own type
    assert type(snap.nodes["o1"].props["volunteers"]) is float and type(snap.nodes["o2"].props["volunteers"]) is int
    assert snap.nodes["a1"].props["public"] is not True and snap.nodes["o1"].props["public"] is True
    assert snap.name("nobody") == "nobody" and snap.nodes.label("nobody") is None and "nobody" not in snap.nodes
    with pytest.raises(KeyError):
        snap.label("nobody")
    assert snap.nodes.get("nobody") is None and snap.nodes["i1"].props.get("name", "-") == "-"
    assert sorted(snap.nodes) == ["a1", "i1", "o1", "o2"] and len(snap.nodes) == 4


def test_a_reader_changing_a_list_it_read_does_not_change_the_snapshot() -> None:
    snap = _snapshot()
    contacts = snap.nodes["o2"].props["contact_persons"]
    contacts[0]["name"] = "someone else"
    snap.nodes["o2"].props["languages"].append("en")
    assert snap.nodes["o2"].props["contact_persons"] == [{"name": "Ayşe", "role": "voorzitter"}]
    assert snap.nodes["o2"].props["languages"] == ["nl", "ar"]
    with pytest.raises(TypeError):
        snap.nodes["o2"].props["name"] = "x"  # type: ignore[index]


def test_tie_properties_and_history_read_back() -> None:
    snap = _snapshot()
    assert dict(snap.tie_props[("o1", "o2")]) == {"rung": 3, "source": "meeting", "version": 2,
                                                  "created_at": "2025-03-01"}
    assert list(snap.tie_props) == [("i1", "o1"), ("o1", "o2")] and ("o2", "o1") not in snap.tie_props
    assert snap.tie_props.get(("o2", "x"), {}) == {}
    history = snap.tie_events
    assert len(history) == 2 and history[-1].seq == 2 and history[0].declared_by == "ayse"
    assert list(history) == [history[0], history[1]] and history[:1] == (history[0],)
    longer = history.extended([TieEvent("o1", "o2", 3, 4, "2025-04-01T10:00:00Z", seq=3)])
    assert len(history) == 2 and [e.seq for e in longer] == [1, 2, 3] and longer[-1].new_rung == 4
    assert [e.seq for e in longer.involving({"i1"})] == [2] and [e.seq for e in longer.involving({"o2"})] == [1, 3]
    with pytest.raises(IndexError):
        history[2]
    assert TieHistory(list(longer)) == longer


@pytest.mark.usefixtures("undeclared_allowed")
def test_applied_changes_equal_a_full_read_after_the_columns_are_compacted(
        store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no room for an overlay, every apply folds the changed nodes and ties into fresh
    columns: the answers are still a full read's, and the older snapshots stay as they were."""
    monkeypatch.setattr(snapshot_nodes, "_COMPACT_FLOOR", 0)
    monkeypatch.setattr(snapshot_ties, "_COMPACT_FLOOR", 0)
    rng = random.Random(5)
    seed(store, rng)
    script = ChangeScript(store, rng)
    snap = Snapshot.from_store(store)
    for _ in range(8):
        before = snapshot_state(snap)
        first = len(script.changes)
        revision = script.step(rng.randint(2, 5))
        last = snap.tie_events[-1].seq if snap.tie_events else 0
        applied = snap.apply(script.changes[first:], store.tie_events_after(last), revision=revision)
        assert snapshot_state(snap) == before
        assert snapshot_state(applied) == snapshot_state(Snapshot.from_store(store))
        snap = applied


@pytest.mark.usefixtures("undeclared_allowed")
def test_thousands_of_distinct_tie_properties_read_back_from_the_store(store: GraphStore) -> None:
    # more property sets than ColumnTable.MIN_ROWS: ties and grants are built in columns, and
    # the tie properties read the TIE relationships' own columns plus version and time
    orgs = [Node(f"o{i:03d}", "Organisation", {"name": f"Org {i}"}) for i in range(70)]
    ties = []
    for n, (a, b) in enumerate((i, j) for i in range(70) for j in range(i + 1, 70)):
        props: dict[str, object] = {"rung": n % 5 + 1, "note": f"tie {n}",
                                    "weight": (1, 1.0, True)[n % 3]}
        if n % 4:
            props["source"] = "self-report"
        if n % 7 == 0:
            props["tags"] = ["buurt", f"t{n % 3}"]
        ties.append(Relationship("TIE", orgs[a].id, orgs[b].id, props))
    with store.transaction() as tx:
        tx.upsert_nodes(orgs)
        tx.upsert_relationships(ties)
        tx.add_tie_events([TieEvent("o000", "o001", 0, 1, "2025-03-01T10:00:00Z", "meeting", "s1", "ayse")])
    snap = Snapshot.from_store(store)
    from_records = Snapshot(read_consistent(store))
    assert len(snap.tie_props) == len(ties) == 2415
    assert snap.tie_props == from_records.tie_props and snap.ties == from_records.ties
    assert list(snap.tie_props) == sorted(snap.tie_props) and list(snap.tie_events) == list(from_records.tie_events)
    for rel in ties[::97]:
        read = snap.tie_props[(rel.start, rel.end)]
        assert {k: v for k, v in read.items() if k not in ("version", "created_at")} == rel.props
        assert type(read["weight"]) is type(rel.props["weight"]) and read["version"] == 1
        assert snap.rung(rel.end, rel.start) == rel.props["rung"] == snap.ties[rel.start][rel.end]
        assert dict(next(e[1] for e in snap.out("TIE", rel.start) if e[0] == rel.end)) == rel.props
    assert list(snap.ties["o010"]) == sorted(snap.ties["o010"]) and len(snap.ties["o010"]) == 69
