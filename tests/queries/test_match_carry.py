"""Partner matches (and islands) across a meeting's writes: what a snapshot update carries over must answer
exactly as if everything were built again.

A real SQLite store with a generated city quarter, a real session recording ties (the meeting's
path, with its session bookkeeping), and the snapshot brought up to date with
:meth:`Snapshot.apply` as the web app does. Every actor's matches on the updated snapshot must
equal those of a snapshot read from the store; an actor whose :func:`match_inputs` hold neither
end of the changed tie must answer as before the write (which lets the API keep its answer).
"""

from __future__ import annotations

import random

import pytest

from graphsvc.actions.sessions import open_session, record_tie
from graphsvc.generate import write_generated
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.islands import islands
from queries.match_index import match_inputs, matching_index
from queries.matching import partner_matches


def _answers(snap: Snapshot, actors: list[str]) -> dict[str, object]:
    return {a: partner_matches(snap, a, limit=8) for a in actors}


def _updated(snap: Snapshot, store: GraphStore) -> Snapshot:
    changes = store.changes_since(snap.revision)
    assert changes
    last = snap.tie_events[-1].seq if snap.tie_events else 0
    return snap.apply(changes, store.tie_events_after(last), revision=store.revision())


@pytest.mark.parametrize("seed", [1, 2])
def test_tie_changes_carry_the_index_and_the_unaffected_answers(sqlite_store: GraphStore,
                                                                seed: int) -> None:
    _carry_through_a_meeting(sqlite_store, seed, orgs=120, rounds=12)


def test_the_carry_holds_on_each_backend(store: GraphStore) -> None:
    _carry_through_a_meeting(store, 5, orgs=50, rounds=5)


def _carry_through_a_meeting(graph: GraphStore, seed: int, orgs: int, rounds: int) -> None:
    write_generated(graph, orgs, seed=seed)
    rng = random.Random(seed)
    snap = Snapshot.from_store(graph)
    actors = snap.actors()
    area = next(a for a in snap.labelled("Neighbourhood")
                if snap.nodes[a].props.get("level") == "wijk")
    session = open_session(graph, area).id
    snap = _updated(snap, graph)
    kept = 0
    areas = snap.labelled("Neighbourhood")
    for _ in range(rounds):
        before = _answers(snap, actors)
        for where in areas:
            islands(snap, where)  # cached, to be carried where the tie is outside the area
        index = matching_index(snap)
        # a strong partner of somebody, so a rung crossing 2 moves introductions too
        a = rng.choice([x for x in actors if any(r >= 2 for r in snap.ties.get(x, {}).values())]
                       or actors)
        b = rng.choice([x for x in actors if x != a])
        record_tie(graph, session, a, b, rng.choice([1, 2, 3, 4]), recorded_by="coach")
        new = _updated(snap, graph)
        assert "matching-index" in new._derived  # carried, not built again
        assert new._derived["matching-index"].themes is index.themes
        fresh = Snapshot.from_store(graph)
        assert any(k.startswith("islands:") for k in new._derived)
        assert all(islands(new, where) == islands(fresh, where) for where in areas)
        after = _answers(new, actors)
        assert after == _answers(fresh, actors)
        unaffected = [x for x in actors if match_inputs(snap, x).isdisjoint((a, b))]
        assert a not in unaffected and b not in unaffected
        for actor in unaffected:
            assert after[actor] == before[actor], actor
        kept += len(unaffected)
        snap = new
    assert kept > rounds * len(actors) // 2  # most answers survive a tie change


def test_any_other_change_builds_the_index_again(sqlite_store: GraphStore) -> None:
    write_generated(sqlite_store, 30, seed=3)
    snap = Snapshot.from_store(sqlite_store)
    matching_index(snap)
    org = snap.labelled("Organisation")[0]
    with sqlite_store.transaction(source="test") as tx:
        tx.upsert_node(Node(org, "Organisation", {**snap.nodes[org].props, "name": "Nieuwe naam"}))
    new = _updated(snap, sqlite_store)
    assert "matching-index" not in new._derived
    other = next(a for a in snap.actors() if partner_matches(snap, a).matches and a != org)
    assert partner_matches(new, other) == partner_matches(Snapshot.from_store(sqlite_store), other)
