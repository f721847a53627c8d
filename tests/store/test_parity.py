"""Parity: the same data in SQLite and in Neo4j reads back the same and answers every query the same."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graphsvc.access.visibility import Viewer
from graphsvc.demo.dataset import demo_records, load_demo
from graphsvc.errors import Conflict, InvalidInput
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import GraphData, read_consistent
from queries.agenda import neighbourhood_agenda
from queries.brokers import brokers
from queries.islands import islands, near_islands, number_of_islands
from queries.ladder import ladder_progress, quarters, years
from queries.matching import fitting_funds, partner_matches, referral_partners
from queries.profiles import actor_profile, area_list, organisation_list
from queries.sessions import session_diff
from tests.change_script import snapshot_state
from tests.neo4j_server import Neo4jServer

pytestmark = pytest.mark.neo4j

PINNED = "2024-03-01T09:30:00Z"


def content(data: GraphData, *, timestamps: bool = True) -> dict[str, list[Any]]:
    """Everything a store holds, as plain values (timestamps optional)."""
    def stamp(rec: Node | Relationship) -> tuple[Any, ...]:
        return (rec.created_at, rec.updated_at) if timestamps else ()

    return {
        "nodes": [(n.id, n.label, dict(n.props), n.version, *stamp(n)) for n in data.nodes],
        "relationships": [(r.ident, dict(r.props), r.version, *stamp(r)) for r in data.relationships],
        "tie_events": [{**e.as_dict(), "seq": e.seq, **({} if timestamps else {"at": None})}
                       for e in data.tie_events],
    }


def write_pinned_demo(store: GraphStore) -> None:
    """The demo records with fixed times, written one call at a time (load_demo's way)."""
    nodes, rels = demo_records()
    with store.transaction(source="demo") as tx:
        tx.upsert_nodes(replace(n, created_at=PINNED, updated_at=PINNED) for n in nodes)
        for rel in rels:
            tx.upsert_relationship(replace(rel, created_at=PINNED, updated_at=PINNED))


@pytest.fixture(scope="module")
def stores(neo4j_server: Neo4jServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GraphStore, GraphStore]]:
    neo4j_server.clear()
    pair = (open_store(f"sqlite:///{tmp_path_factory.mktemp('parity') / 'graph.db'}"), neo4j_server.store())
    for store in pair:
        write_pinned_demo(store)
    yield pair
    for store in pair:
        store.close()


@pytest.fixture(scope="module")
def datas(stores: tuple[GraphStore, GraphStore]) -> tuple[GraphData, GraphData]:
    sqlite, neo = stores
    return read_consistent(sqlite), read_consistent(neo)


@pytest.fixture(scope="module")
def snapshots(stores: tuple[GraphStore, GraphStore]) -> tuple[Snapshot, Snapshot]:
    """Read as the app reads them: each store's own whole-graph read."""
    return Snapshot.from_store(stores[0]), Snapshot.from_store(stores[1])


def test_snapshots_of_both_stores_are_identical(snapshots: tuple[Snapshot, Snapshot],
                                                datas: tuple[GraphData, GraphData]) -> None:
    """Every answer, in every order, and the same as a snapshot built from records."""
    def orders(snap: Snapshot) -> list[Any]:
        return [list(snap.ties), list(snap.tie_props), list(snap.nodes)]

    sqlite, neo = snapshots
    assert snapshot_state(neo) == snapshot_state(sqlite) and orders(neo) == orders(sqlite)
    from_records = Snapshot(datas[0])
    assert snapshot_state(from_records) == snapshot_state(sqlite) and orders(from_records) == orders(sqlite)


def test_demo_reads_back_identically_timestamps_included(datas: tuple[GraphData, GraphData]) -> None:
    sqlite, neo = (content(d) for d in datas)
    assert len(sqlite["nodes"]) > 250 and len(sqlite["tie_events"]) > 500
    for part in ("nodes", "relationships", "tie_events"):
        assert neo[part] == sqlite[part], part
    assert datas[0].revision == datas[1].revision == 1


def test_counts_and_per_record_reads_agree(stores: tuple[GraphStore, GraphStore]) -> None:
    sqlite, neo = stores
    assert neo.counts() == sqlite.counts()
    tie = next(sqlite.iter_relationships("TIE"))
    assert neo.get_relationship("TIE", tie.end, tie.start) == tie
    assert neo.tie_history(tie.end, tie.start) == sqlite.tie_history(tie.start, tie.end)
    assert neo.tie_history(tie.start) == sqlite.tie_history(tie.start)
    org = next(sqlite.iter_nodes("Organisation"))
    assert neo.get_node(org.id) == org
    assert list(neo.iter_nodes("Fund")) == list(sqlite.iter_nodes("Fund"))
    assert list(neo.iter_relationships("FUNDS")) == list(sqlite.iter_relationships("FUNDS"))


def test_load_demo_gives_the_same_graph_in_both(tmp_path: Path, neo4j_store: GraphStore) -> None:
    sqlite = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        assert load_demo(sqlite) and load_demo(neo4j_store)
        a, b = read_consistent(sqlite), read_consistent(neo4j_store)
    finally:
        sqlite.close()
    assert content(b, timestamps=False) == content(a, timestamps=False)
    load_demo(neo4j_store, only_if_empty=False)  # loading it again changes nothing
    assert neo4j_store.revision() == b.revision


def _sample(items: list[str], k: int = 24) -> list[str]:
    return items[:: max(1, len(items) // k)]


def _areas(snap: Snapshot) -> list[str | None]:
    return [None, *snap.labelled("Neighbourhood")]


QUERIES: dict[str, Callable[[Snapshot], list[Any]]] = {
    "partner_matches": lambda s: [partner_matches(s, a, limit=10).as_dict() for a in _sample(s.actors())],
    "partner_matches_en_area": lambda s: [partner_matches(s, a, lang="en", area="E").as_dict()
                                          for a in _sample(s.labelled("Organisation"), 8)],
    "fitting_funds": lambda s: [fitting_funds(s, a).as_dict() for a in _sample(s.labelled("Organisation"))],
    "referral_partners": lambda s: [referral_partners(s, a).as_dict()
                                    for a in _sample(s.labelled("Organisation"))],
    "islands": lambda s: [[i.as_dict() for i in islands(s, area)] for area in _areas(s)],
    "near_islands": lambda s: [[i.as_dict() for i in near_islands(s, area)] for area in _areas(s)],
    "number_of_islands": lambda s: [number_of_islands(s, area, r) for area in _areas(s) for r in (1, 2, 3)],
    "brokers": lambda s: [[b.as_dict() for b in brokers(s, area)] for area in _areas(s)],
    "neighbourhood_agenda": lambda s: [[t.as_dict() for t in neighbourhood_agenda(s, area)]
                                       for area in s.labelled("Neighbourhood")],
    "ladder_progress": lambda s: [ladder_progress(s, area, periods).as_dict() for area in _areas(s)
                                  for periods in (years("2018-01-01", "2027-12-31"),
                                                  quarters("2025-01-01", "2026-12-31"))],
    "actor_profile": lambda s: [actor_profile(s, a, viewer, lang) for a in _sample(s.actors())
                                for viewer in (Viewer("public"), Viewer("admin")) for lang in ("nl", "en")],
    "organisation_list": lambda s: [organisation_list(s, area=area, label=label, limit=1000)
                                    for area in _areas(s) for label in ("Organisation", "Institution")],
    "area_list": lambda s: [area_list(s)],
    "session_diff": lambda s: [session_diff(s, sid).as_dict() for sid in s.labelled("Session")],
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_answers_the_same(snapshots: tuple[Snapshot, Snapshot], name: str) -> None:
    on_sqlite, on_neo4j = (QUERIES[name](snap) for snap in snapshots)
    assert on_sqlite, f"{name} was not exercised"
    assert on_neo4j == on_sqlite


def _random_ops(rng: random.Random, store: GraphStore, rounds: int) -> None:
    """A reproducible mix of writes, no-ops, conflicts, invalid records and deletes."""
    ids = [f"o{i}" for i in range(12)]
    for r in range(rounds):
        with store.transaction(source=f"round:{r}") as tx:
            for _ in range(rng.randint(1, 12)):
                _random_op(rng, tx, ids, r)


def _random_op(rng: random.Random, tx: Any, ids: list[str], r: int) -> None:
    op = rng.random()
    a, b = rng.sample(ids, 2)
    when = f"2025-01-{r % 28 + 1:02d}T10:00:00Z"
    try:
        if op < 0.3:
            tx.upsert_node(Node(a, "Organisation", {"name": a.upper(), "v": rng.randint(0, 2),
                                                   "langs": ["nl", rng.choice(["ar", "tr"])]}))
        elif op < 0.65:
            tx.upsert_relationship(Relationship("TIE", a, b, {"rung": rng.randint(1, 5), "changed_at": when,
                                                              "session": rng.choice(["", "s1"])}))
        elif op < 0.75:
            tx.upsert_relationship(Relationship("TIE", a, b, {"rung": 2}), expected_version=rng.randint(0, 2))
        elif op < 0.85:
            tx.delete_relationship("TIE", a, b, changed_at=when, source="coach")
        elif op < 0.9:
            tx.delete_node(a)
        else:
            tx.upsert_nodes([Node(x, "Organisation", {"name": x.upper()}) for x in rng.sample(ids, 4)])
            tx.upsert_relationships([Relationship("TIE", x, y, {"rung": rng.randint(1, 3), "changed_at": when})
                                     for x, y in zip(ids[:6], ids[6:], strict=True)])
    except (Conflict, InvalidInput):
        pass  # kept inside the transaction on purpose: what was written before it stays


def test_random_write_sequences_leave_the_same_graph(neo4j_store: GraphStore, tmp_path: Path) -> None:
    sqlite = open_store(f"sqlite:///{tmp_path / 'random.db'}")
    try:
        for store in (sqlite, neo4j_store):
            _random_ops(random.Random(7), store, rounds=40)
        a, b = read_consistent(sqlite), read_consistent(neo4j_store)
        logs = [[{**e.as_dict(), "at": None, "created_at": None, "updated_at": None}
                 for e in s.changes(limit=100_000)] for s in (sqlite, neo4j_store)]
        since = [s.changes_since(5) for s in (sqlite, neo4j_store)]
    finally:
        sqlite.close()
    assert a.revision == b.revision and len(a.tie_events) > 20
    assert content(b, timestamps=False) == content(a, timestamps=False)
    # the change logs agree entry by entry (times aside), and so does what a snapshot would replay
    assert logs[1] == logs[0] and len(logs[0]) > 100
    assert since[0] is not None and since[1] is not None
    assert [e.seq for e in since[1]] == [e.seq for e in since[0]]
