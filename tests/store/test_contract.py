"""The store contract: every backend must pass these (run per backend via the `store` fixture)."""

from __future__ import annotations

import pytest

from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from tests.query_count import counted_queries


def org(node_id: str, name: str | None = None, **props: object) -> Node:
    return Node(node_id, "Organisation", {"name": name or node_id.upper(), **props})


def tie(a: str, b: str, rung: int, **props: object) -> Relationship:
    return Relationship("TIE", a, b, {"rung": rung, **props})


def test_empty_store_has_revision_zero(store: GraphStore) -> None:
    assert store.revision() == 0
    assert store.is_empty()
    assert store.counts() == {"nodes": {}, "relationships": {}}


def test_upsert_and_get_node_roundtrips_properties(store: GraphStore) -> None:
    props = {"name": "ሕብረት ኤርትራውያን", "languages": ["ti", "nl"], "volunteers": 12,
             "founded": 2009, "capacity": {"a": [1, 2], "flag": True}}
    with store.transaction() as tx:
        assert tx.upsert_node(Node("o1", "Organisation", props))
    node = store.get_node("o1")
    assert node.label == "Organisation"
    assert dict(node.props) == props
    assert node.version == 1
    assert node.created_at and node.updated_at


def test_missing_node_raises_not_found(store: GraphStore) -> None:
    with pytest.raises(NotFound, match="no node with id 'nope'"):
        store.get_node("nope")


def test_revision_increases_on_every_changing_write_only(store: GraphStore) -> None:
    revisions = [store.revision()]
    for name in ("A", "B", "C"):
        with store.transaction() as tx:
            tx.upsert_node(org("o1", name))
        revisions.append(store.revision())
    assert revisions == sorted(set(revisions)), revisions
    with store.transaction() as tx:  # same content again: no change, no new revision
        assert not tx.upsert_node(org("o1", "C"))
    assert store.revision() == revisions[-1]


def test_transaction_rolls_back_everything_on_error(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("keep"))
    before = store.revision()
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.upsert_node(org("o2"))
            tx.upsert_node(org("keep", "renamed"))
            raise RuntimeError("boom")
    assert store.revision() == before
    assert store.get_node("keep").name == "KEEP"
    with pytest.raises(NotFound):
        store.get_node("o2")


def test_invalid_relationship_rolls_back_whole_transaction(store: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="No node with id 'ghost'"):
        with store.transaction() as tx:
            tx.upsert_node(org("a"))
            tx.upsert_relationship(tie("a", "ghost", 2))
    assert store.is_empty()


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        (Relationship("TIE", "a", "a", {"rung": 2}), "two different actors"),
        (Relationship("TIE", "a", "b", {"rung": 7}), "rung must be a whole number from 1 to 5"),
        (Relationship("TIE", "a", "b", {}), "rung must be"),
        (Relationship("FUNDS", "a", "b", {"amount": 5}), "FUNDS cannot go from Organisation"),
        (Relationship("LIKES", "a", "b", {}), "Unknown relationship type"),
    ],
)
def test_relationships_are_validated(store: GraphStore, rel: Relationship, message: str) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("a"))
        tx.upsert_node(org("b"))
    with pytest.raises(InvalidInput, match=message):
        with store.transaction() as tx:
            tx.upsert_relationship(rel)


def test_node_label_cannot_change_under_the_same_id(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("x"))
    with pytest.raises(InvalidInput, match="already belongs to a Organisation"):
        with store.transaction() as tx:
            tx.upsert_node(Node("x", "Fund", {"name": "X"}))


def test_tie_is_stored_once_per_pair_whatever_the_order(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("b"))
        tx.upsert_node(org("a"))
        tx.upsert_relationship(tie("b", "a", 2))
        tx.upsert_relationship(tie("a", "b", 3))
    ties = list(store.iter_relationships("TIE"))
    assert [(t.start, t.end, t.props["rung"]) for t in ties] == [("a", "b", 3)]
    assert store.get_relationship("TIE", "b", "a").props["rung"] == 3


def test_tie_history_keeps_every_rung_change(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("a"))
        tx.upsert_node(org("b"))
    for rung, when in ((1, "2024-01-10T00:00:00Z"), (2, "2024-05-01T00:00:00Z"),
                       (4, "2025-02-01T00:00:00Z")):
        with store.transaction(source="session:s1") as tx:
            tx.upsert_relationship(tie("a", "b", rung, changed_at=when, session="s1"))
    with store.transaction() as tx:
        tx.upsert_relationship(tie("a", "b", 4, changed_at="2025-02-01T00:00:00Z", session="s1",
                                   note="same rung, new note"))
    with store.transaction() as tx:
        tx.delete_relationship("TIE", "b", "a", changed_at="2026-01-01T00:00:00Z")
    events = store.tie_history("b", "a")
    assert [(e.old_rung, e.new_rung) for e in events] == [(0, 1), (1, 2), (2, 4), (4, 0)]
    assert events[1].at == "2024-05-01T00:00:00Z"
    assert events[0].session == "s1" and events[0].source == "session:s1"
    assert store.tie_history("a") == events
    with pytest.raises(NotFound):
        store.get_relationship("TIE", "a", "b")


def test_delete_node_removes_its_relationships(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("a"))
        tx.upsert_node(org("b"))
        tx.upsert_node(Node("i1", "Interest", {"name": "Eenzaamheid"}))
        tx.upsert_relationship(tie("a", "b", 2))
        tx.upsert_relationship(Relationship("WORKS_ON", "a", "i1", {"weight": 2}))
    with store.transaction() as tx:
        assert tx.delete_node("a")
        assert not tx.delete_node("a")
    assert list(store.iter_relationships()) == []
    assert [e.new_rung for e in store.tie_history("a", "b")] == [2, 0]
    assert store.counts()["nodes"] == {"Interest": 1, "Organisation": 1}


def test_parallel_relationships_are_told_apart_by_key(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(Node("f", "Fund", {"name": "Fonds"}))
        tx.upsert_node(org("a"))
        tx.upsert_relationship(Relationship("FUNDS", "f", "a", {"amount": 1000, "year": 2024}, "g1"))
        tx.upsert_relationship(Relationship("FUNDS", "f", "a", {"amount": 2500, "year": 2025}, "g2"))
    grants = list(store.iter_relationships("FUNDS"))
    assert [(g.key, g.props["amount"]) for g in grants] == [("g1", 1000), ("g2", 2500)]
    assert store.counts()["relationships"] == {"FUNDS": 2}


def test_iteration_is_ordered_and_filtered(store: GraphStore) -> None:
    with store.transaction() as tx:
        for i in (3, 1, 2):
            tx.upsert_node(org(f"o{i}"))
        tx.upsert_node(Node("i1", "Interest", {"name": "Taal"}))
    assert [n.id for n in store.iter_nodes("Organisation")] == ["o1", "o2", "o3"]
    assert [n.id for n in store.iter_nodes()] == ["i1", "o1", "o2", "o3"]


def test_optimistic_concurrency_refuses_a_stale_write(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("a"))
        tx.upsert_node(org("b"))
        tx.upsert_relationship(tie("a", "b", 2))
    current = store.get_relationship("TIE", "a", "b").version
    with store.transaction() as tx:
        tx.upsert_relationship(tie("a", "b", 3), expected_version=current)
    with pytest.raises(Conflict) as info:
        with store.transaction() as tx:
            tx.upsert_relationship(tie("a", "b", 4), expected_version=current)
    assert info.value.current_version == current + 1
    assert store.get_relationship("TIE", "a", "b").props["rung"] == 3


def test_ping_and_describe_never_show_a_password(store: GraphStore) -> None:
    assert store.ping()
    described = str(store.describe())
    assert "password" not in described.lower()


def test_many_nodes_at_once_in_one_query(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes([org(f"o{i}", f"Organisatie {i} ‘ü’") for i in range(30)])
    asked = ["o3", "nope", "o1", "o3", *(f"o{i}" for i in range(30))]
    with counted_queries(store) as queries:
        found = store.get_nodes(asked)
    assert len(queries) == 1
    assert found == GraphStore.get_nodes(store, asked) == {f"o{i}": store.get_node(f"o{i}") for i in range(30)}
    assert store.get_nodes([]) == {} and store.get_nodes(["nope"]) == {}


def test_many_relationships_at_once_in_one_query_ties_either_way_round(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes([org(f"o{i}") for i in range(12)] + [Node("f", "Fund", {"name": "F"})])
        tx.upsert_relationships([tie(f"o{i}", f"o{i + 1}", 1 + i % 5) for i in range(11)])
        tx.upsert_relationships([Relationship("FUNDS", "f", "o1", {"amount": n}, f"G-{n}") for n in (1, 2)])
    asked = [("TIE", "o2", "o1", ""), ("TIE", "o1", "o2", ""), ("TIE", "o1", "o3", ""),
             ("FUNDS", "f", "o1", "G-2"), ("FUNDS", "f", "o1", "G-3"), ("FUNDS", "o1", "f", "G-1"),
             *(("TIE", f"o{i + 1}", f"o{i}", "") for i in range(11))]
    with counted_queries(store) as queries:
        found = store.get_relationships(asked)
    assert len(queries) == 1
    assert found == GraphStore.get_relationships(store, asked)
    assert set(found) == set(asked) - {("TIE", "o1", "o3", ""), ("FUNDS", "f", "o1", "G-3"),
                                       ("FUNDS", "o1", "f", "G-1")}
    assert found[("TIE", "o2", "o1", "")] == store.get_relationship("TIE", "o1", "o2")
    assert dict(found[("FUNDS", "f", "o1", "G-2")].props) == {"amount": 2}
    assert store.get_relationships([]) == {}
