"""The change log: every change with who, when and what, in the transaction that made it (per backend)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent
from graphsvc.store import GraphStore
from graphsvc.store.base import GraphData, acting_as, read_consistent


def org(node_id: str, name: str | None = None, **props: object) -> Node:
    return Node(node_id, "Organisation", {"name": name or node_id.upper(), **props})


def what(e: ChangeEvent) -> tuple[Any, ...]:
    return (e.op, e.kind, e.label, e.start, e.end, e.key, dict(e.old), dict(e.new), e.version)


def test_every_write_is_logged_with_old_and_new_values(store: GraphStore) -> None:
    with store.transaction(source="import:orgs.csv") as tx:
        tx.upsert_node(org("a", "Al Amal", kvk="12345678", languages=["ar", "nl"]))
        tx.upsert_node(org("b", "Buurtvrouwen"))
        tx.upsert_relationship(Relationship("TIE", "b", "a", {"rung": 2, "note": "koffie"}))
    with store.transaction(source="web") as tx:
        tx.upsert_node(org("a", "Al Amal West", languages=["ar", "nl"], volunteers=12))
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 3, "note": "koffie"}))
    with store.transaction(source="web") as tx:
        tx.delete_relationship("TIE", "a", "b")
    log = list(reversed(store.changes()))
    assert [what(e) for e in log] == [
        ("create", "node", "Organisation", "a", "", "", {},
         {"name": "Al Amal", "kvk": "12345678", "languages": ["ar", "nl"]}, 1),
        ("create", "node", "Organisation", "b", "", "", {}, {"name": "Buurtvrouwen"}, 1),
        ("create", "relationship", "TIE", "a", "b", "", {}, {"rung": 2, "note": "koffie"}, 1),
        # an update holds only what changed: kvk removed, name changed, volunteers added
        ("update", "node", "Organisation", "a", "", "", {"name": "Al Amal", "kvk": "12345678"},
         {"name": "Al Amal West", "volunteers": 12}, 2),
        ("update", "relationship", "TIE", "a", "b", "", {"rung": 2}, {"rung": 3}, 2),
        ("delete", "relationship", "TIE", "a", "b", "", {"rung": 3, "note": "koffie"}, {}, 0),
    ]
    assert [e.revision for e in log] == [1, 1, 1, 2, 2, 3]
    assert [e.seq for e in log] == sorted({e.seq for e in log})
    assert [e.source for e in log] == ["import:orgs.csv"] * 3 + ["web"] * 3
    assert all(e.at and e.created_at == e.at for e in log if e.op == "create")
    # the tie history is kept as before, next to the log
    assert [(t.old_rung, t.new_rung) for t in store.tie_history("a", "b")] == [(0, 2), (2, 3), (3, 0)]


def test_who_is_the_transactions_actor_else_acting_as_else_the_source(store: GraphStore) -> None:
    with store.transaction(source="cli") as tx:
        tx.upsert_node(org("a"))
    with acting_as("ayse"):
        with store.transaction(source="web") as tx:
            tx.upsert_node(org("b"))
        with store.transaction(source="web", actor="undo-bot") as tx:
            tx.upsert_node(org("c"))
    assert [(e.start, e.actor, e.source) for e in reversed(store.changes())] == [
        ("a", "cli", "cli"), ("b", "ayse", "web"), ("c", "undo-bot", "web")]


def test_unchanged_writes_and_restored_tie_history_log_nothing(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes([org("a"), org("b")])
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 1}))
    logged = store.changes()
    with store.transaction() as tx:
        assert not tx.upsert_node(org("a"))
        assert not tx.upsert_relationship(Relationship("TIE", "b", "a", {"rung": 1}))
        assert not tx.delete_relationship("WORKS_ON", "a", "b")
        assert not tx.delete_node("nobody")
    with store.transaction(source="restore") as tx:
        tx.add_tie_events([TieEvent("a", "b", 0, 1, "2024-01-01T00:00:00Z")])
    assert store.changes() == logged


def test_a_rolled_back_transaction_leaves_no_entry(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(org("keep"))
    before = (store.revision(), store.changes())
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.upsert_node(org("gone"))
            tx.upsert_node(org("keep", "Changed"))
            tx.get_node("keep")  # sends what waits (Neo4j writes in batches)
            tx.delete_node("keep")
            raise RuntimeError("boom")
    assert (store.revision(), store.changes()) == before
    with store.transaction() as tx:  # the next transaction numbers on without a gap
        tx.upsert_node(org("next"))
    latest = store.changes(limit=1)[0]
    assert (latest.seq, latest.revision) == (before[1][0].seq + 1, before[0] + 1)


def test_deleting_a_node_logs_each_relationship_first(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes([org("a"), org("b"), org("c"), Node("fund", "Fund", {"name": "Fonds"})])
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 4}))
        tx.upsert_relationship(Relationship("TIE", "c", "b", {"rung": 1}))
        tx.upsert_relationship(Relationship("FUNDS", "fund", "b", {"amount": 500}, "G-1"))
    with store.transaction(source="admin") as tx:
        assert tx.delete_node("b")
    deleted = store.changes_since(1)
    assert deleted is not None and [what(e) for e in deleted] == [
        ("delete", "relationship", "FUNDS", "fund", "b", "G-1", {"amount": 500}, {}, 0),
        ("delete", "relationship", "TIE", "a", "b", "", {"rung": 4}, {}, 0),
        ("delete", "relationship", "TIE", "b", "c", "", {"rung": 1}, {}, 0),
        ("delete", "node", "Organisation", "b", "", "", {"name": "B"}, {}, 0),
    ]
    assert {e.actor for e in deleted} == {"admin"}
    assert [(t.a, t.b, t.new_rung) for t in store.tie_history("b")][-2:] == [("a", "b", 0), ("b", "c", 0)]


def test_an_organisations_changes_come_newest_first_in_pages(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes([org("a"), org("b"), org("c")])
    for rung in (1, 2, 3):
        with store.transaction() as tx:
            tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": rung}))
            tx.upsert_relationship(Relationship("TIE", "c", "b", {"rung": rung}))
            tx.upsert_node(org("c", f"C{rung}"))
    mine = store.changes(node_id="a")
    assert [e.seq for e in mine] == sorted((e.seq for e in mine), reverse=True)
    assert all(e.touches("a") for e in mine) and len(mine) == 4  # created, and its tie three times
    of_b = store.changes(node_id="b", limit=3)
    rest = store.changes(node_id="b", before_seq=of_b[-1].seq, limit=100)
    assert len(of_b) + len(rest) == 7 and rest[0].seq < of_b[-1].seq
    assert {e.start for e in store.changes(node_id="c") if e.kind == "node"} == {"c"}


def test_changes_since_gives_exactly_what_a_reader_lacks(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_nodes([org("a"), org("b")])
    with store.transaction() as tx:
        tx.upsert_node(org("a", "Renamed"))
    with store.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 2}))
    all_changes = store.changes_since(0)
    assert all_changes is not None
    assert [(e.revision, e.op, e.start) for e in all_changes] == [
        (1, "create", "a"), (1, "create", "b"), (2, "update", "a"), (3, "create", "a")]
    assert store.changes_since(1) == all_changes[2:]
    assert store.changes_since(3) == []
    assert store.changes_since(0, limit=3) is None  # too many: re-read the graph
    assert store.changes_since(1, limit=2) == all_changes[2:]
    assert store.changes_since(9) is None  # a revision the store has not reached
    with store.transaction(source="restore") as tx:  # a revision without log entries
        tx.add_tie_events([TieEvent("a", "b", 0, 2, "2024-01-01T00:00:00Z")])
    assert store.changes_since(3) is None and store.changes_since(2) is None
    with store.transaction() as tx:
        tx.upsert_node(org("b", "Later"))
    assert [e.revision for e in store.changes_since(4) or []] == [5]


def test_record_timestamps_travel_in_the_log(store: GraphStore) -> None:
    with store.transaction(source="import:dump.json") as tx:
        tx.upsert_node(Node("a", "Organisation", {"name": "A"}, created_at="2021-03-04T05:06:07Z",
                            updated_at="2022-01-01T00:00:00Z"))
        tx.upsert_node(org("b"))
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 1}, created_at="2020-01-01T00:00:00Z"))
    with store.transaction() as tx:
        tx.upsert_node(Node("a", "Organisation", {"name": "A2"}, updated_at="2023-05-05T00:00:00Z"))
    a, b, tie, update = reversed(store.changes())
    assert (a.created_at, a.updated_at) == ("2021-03-04T05:06:07Z", "2022-01-01T00:00:00Z")
    assert b.created_at == b.updated_at == b.at
    assert (tie.created_at, tie.updated_at) == ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z")
    assert (update.created_at, update.updated_at) == ("", "2023-05-05T00:00:00Z")
    assert store.get_node("a").updated_at == "2023-05-05T00:00:00Z"


# -- replay: the log says enough to rebuild the new state from the old one ---------------------
def _replay(data: GraphData, changes: list[ChangeEvent]) -> dict[str, Any]:
    nodes = {n.id: (n.label, dict(n.props), n.version, n.created_at, n.updated_at) for n in data.nodes}
    rels = {r.ident: (dict(r.props), r.version, r.created_at, r.updated_at) for r in data.relationships}
    for e in changes:
        if e.kind == "node":
            if e.op == "delete":
                del nodes[e.start]
                continue
            label, props, _, created, updated = nodes.get(e.start, (e.label, {}, 0, e.created_at, ""))
            props = {k: v for k, v in props.items() if k not in e.old or k in e.new}
            nodes[e.start] = (label, {**props, **e.new}, e.version, created, e.updated_at)
        else:
            ident = (e.label, e.start, e.end, e.key)
            if e.op == "delete":
                del rels[ident]
                continue
            rprops, _, created, updated = rels.get(ident, ({}, 0, e.created_at, ""))
            rprops = {k: v for k, v in rprops.items() if k not in e.old or k in e.new}
            rels[ident] = ({**rprops, **e.new}, e.version, created, e.updated_at)
    return {"nodes": nodes, "rels": rels}


def _state(data: GraphData) -> dict[str, Any]:
    return _replay(data, [])


def _random_writes(rng: random.Random, store: GraphStore, rounds: int) -> None:
    ids = [f"o{i}" for i in range(8)]
    for _ in range(rounds):
        with store.transaction(source="random") as tx:
            for _ in range(rng.randint(1, 4)):
                a, b = rng.sample(ids, 2)
                op = rng.random()
                if op < 0.3:
                    props: dict[str, Any] = {"name": a.upper()}
                    if rng.random() < 0.6:
                        props["volunteers"] = rng.randint(1, 3)
                    if rng.random() < 0.3:
                        props["languages"] = rng.sample(["nl", "ar", "tr"], 2)
                    stamp = rng.choice([None, "2021-01-01T00:00:00Z"])
                    tx.upsert_node(Node(a, "Organisation", props, updated_at=stamp))
                elif op < 0.7 and tx.get_node(a) and tx.get_node(b):
                    tx.upsert_relationship(Relationship("TIE", a, b, {"rung": rng.randint(1, 3),
                                                                      "note": rng.choice(["", "x"])}))
                elif op < 0.85:
                    tx.delete_relationship("TIE", a, b)
                elif op < 0.95:
                    tx.delete_node(a)


def test_replaying_the_log_rebuilds_every_later_state_exactly(store: GraphStore) -> None:
    rng = random.Random(11)
    _random_writes(rng, store, rounds=10)
    before = read_consistent(store)
    _random_writes(rng, store, rounds=30)
    after = read_consistent(store)
    changes = store.changes_since(before.revision)
    assert changes is not None and len(changes) > 30
    assert _replay(before, changes) == _state(after)
    replayed_from_empty = store.changes_since(0)
    assert replayed_from_empty is not None
    assert _replay(GraphData(0, [], [], []), replayed_from_empty) == _state(after)
