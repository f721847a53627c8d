"""Property test of the snapshot update: after any sequence of tie and node writes, a snapshot brought
up to date with :meth:`Snapshot.apply` (carried indexes included) answers exactly as a fresh build.

Hypothesis draws the writes: ties made, climbed, dropped; organisations added, renamed, given a
theme or an area, deleted. Each example continues on the same store (the property must hold
whatever the history), so the store is filled once per backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.generate import write_generated
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.islands import islands
from queries.match_index import matching_index
from queries.matching import partner_matches

WRITE = st.one_of(
    st.tuples(st.just("tie"), st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 5)),
    st.tuples(st.just("org"), st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 3)),
)


def _apply(store: GraphStore, writes: list[tuple[str, int, int, int]], counter: list[int]) -> None:
    orgs = sorted(n.id for n in store.iter_nodes("Organisation"))
    areas = sorted(n.id for n in store.iter_nodes("Neighbourhood"))
    themes = sorted(n.id for n in store.iter_nodes("Interest"))
    gone: set[str] = set()  # deleted earlier in this transaction: nothing links to them again
    with store.transaction(source="property") as tx:
        for kind, x, y, z in writes:
            a, b = orgs[x % len(orgs)], orgs[y % len(orgs)]
            if (a in gone or b in gone) and not (kind == "org" and z == 0):
                continue
            if kind == "tie" and a != b:
                if z == 0:
                    tx.delete_relationship("TIE", *sorted((a, b)))
                else:
                    tx.upsert_relationship(Relationship("TIE", *sorted((a, b)), {"rung": z}))
            elif kind == "org" and z == 0:  # a new organisation in an area, with a theme
                counter[0] += 1
                new = f"org-property-{counter[0]}"
                tx.upsert_node(Node(new, "Organisation", {"name": f"Nieuw {counter[0]}"}))
                tx.upsert_relationship(Relationship("ACTIVE_IN", new, areas[x % len(areas)]))
                tx.upsert_relationship(Relationship("WORKS_ON", new, themes[y % len(themes)],
                                                    {"weight": 2}))
            elif kind == "org" and z == 1:  # renamed
                node = tx.get_node(a)
                if node is not None:
                    tx.upsert_node(Node(a, "Organisation", {**node.props, "name": f"{node.name} (nieuw)"}))
            elif kind == "org" and z == 2:  # a theme more
                tx.upsert_relationship(Relationship("WORKS_ON", a, themes[y % len(themes)], {"weight": 3}))
            elif kind == "org" and z == 3 and len(orgs) - len(gone) > 20:  # gone
                tx.delete_node(a)
                gone.add(a)


def _answers(snap: Snapshot) -> dict[str, Any]:
    actors = snap.actors()
    return {
        "islands": {area: islands(snap, area) for area in [None, *snap.labelled("Neighbourhood")]},
        "matches": {a: partner_matches(snap, a, limit=5) for a in actors[::3]},
    }


def _property(store: GraphStore, writes: list[tuple[str, int, int, int]], counter: list[int]) -> None:
    snap = Snapshot.from_store(store)
    _answers(snap)  # the derived indexes exist, so the update has something to carry
    matching_index(snap)
    _apply(store, writes, counter)
    changes = store.changes_since(snap.revision)
    if changes is None or store.revision() == snap.revision:
        return
    last = snap.tie_events[-1].seq if snap.tie_events else 0
    updated = snap.apply(changes, store.tie_events_after(last), revision=store.revision())
    fresh = Snapshot.from_store(store)
    assert updated.revision == fresh.revision
    assert updated.ties == fresh.ties
    assert _answers(updated) == _answers(fresh)


_COUNTERS: dict[str, list[int]] = {}  # names of the organisations the examples add, per store


@pytest.fixture(scope="module")
def sqlite_city(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    from graphsvc.store import open_store

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('carry') / 'city.db'}")
    write_generated(store, 60, seed=3)
    return store


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITE, min_size=1, max_size=6))
def test_an_updated_snapshot_answers_as_a_fresh_build(sqlite_city: GraphStore,
                                                      writes: list[tuple[str, int, int, int]]) -> None:
    _property(sqlite_city, writes, _COUNTERS.setdefault("sqlite", [0]))


@pytest.mark.neo4j
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITE, min_size=1, max_size=6))
def test_on_neo4j_too(neo4j_city: GraphStore, writes: list[tuple[str, int, int, int]]) -> None:
    _property(neo4j_city, writes, _COUNTERS.setdefault("neo4j", [0]))


@pytest.fixture(scope="module")
def neo4j_city(neo4j_server: Any) -> Iterator[GraphStore]:
    """The Neo4j database filled once for the examples of this module."""
    neo4j_server.clear()
    store = neo4j_server.store()
    write_generated(store, 40, seed=4)
    yield store
    store.close()
