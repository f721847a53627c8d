"""Brokers: the actors that link otherwise separate groups."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

import queries.brokers as brokers_module
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from queries.brokers import brokers

if TYPE_CHECKING:
    from tests.queries.conftest import GraphBuilder


def build(graph: GraphBuilder) -> GraphBuilder:
    """Three groups around broker m.

    West: triangle a1–a2–a3 (rung 3), m (an institution) tied to a1 (rung 2) and to c1 (rung 3).
    Noord: b1–b2 (rung 2), with b1 tied to m (rung 4). a2–b2 only know of each other (rung 1).
    """
    graph.area("west", "E")
    graph.area("noord", "N")
    graph.orgs("a1", "a2", "a3", "c1", area="west")
    graph.orgs("b1", "b2", area="noord")
    graph.actor("m", "west", "noord", label="Institution")
    for a, b in [("a1", "a2"), ("a2", "a3"), ("a1", "a3")]:
        graph.tie(a, b, 3)
    graph.tie("b1", "b2", 2)
    graph.tie("m", "a1", 2)
    graph.tie("m", "c1", 3)
    graph.tie("m", "b1", 4)
    graph.tie("a2", "b2", 1)
    return graph


@pytest.fixture
def snap(graph: GraphBuilder) -> Snapshot:
    return build(graph).snapshot()


def test_the_broker_between_three_groups_comes_first(snap: Snapshot) -> None:
    found = brokers(snap)
    assert [b.id for b in found] == ["m", "a1", "b1"]  # a2, a3, b2 and c1 lie on no shortest path
    top = found[0]
    assert top.label == "Institution" and top.ties == 3
    assert [(g.size, [p.id for p in g.via]) for g in top.groups] == [
        (3, ["a1"]), (2, ["b1"]), (1, ["c1"])]
    # pairs across the groups: 3*2 + 3*1 + 2*1 = 11 of the 15 pairs of the six other actors
    assert top.betweenness == pytest.approx(11 / 15)
    assert not top.approximate


def test_the_reason_names_the_groups(snap: Snapshot) -> None:
    top = brokers(snap)[0]
    assert top.reason_nl == ("Verbindt 3 groepen die anders los van elkaar staan: "
                             "A1 (3 actoren); B1 (2 actoren); C1 (1 actor).")
    assert top.reason_en.startswith("Connects 3 groups that would otherwise be apart: A1 (3 actors)")


def test_rung_one_ties_do_not_join_the_network_unless_asked(snap: Snapshot) -> None:
    # with min_rung=1 the a2–b2 acquaintance is a second route between West and Noord
    top = {b.id: b for b in brokers(snap, min_rung=1)}["m"]
    assert sorted(g.size for g in top.groups) == [1, 5]
    assert top.betweenness < 11 / 15


def test_a_broker_that_is_not_the_only_link_gets_a_share_as_its_reason(graph: GraphBuilder) -> None:
    # a square: every corner is on one of the two shortest routes between its two neighbours
    graph.orgs("p", "q", "r", "s")
    for a, b in [("p", "q"), ("q", "r"), ("r", "s"), ("s", "p")]:
        graph.tie(a, b, 2)
    found = brokers(graph.snapshot())
    assert len(found) == 4 and all(len(b.groups) == 1 for b in found)
    assert found[0].reason_en == ("Lies on the shortest connection between many actors: "
                                  "17% of pairs run through it.")


def test_area_keeps_only_actors_and_ties_inside_it(snap: Snapshot) -> None:
    # in West alone a1 is on more routes ({a2, a3} to {m, c1}) than m ({a1, a2, a3} to c1)
    found = {b.id: b for b in brokers(snap, area="E")}
    assert list(found) == ["a1", "m"]
    assert found["m"].betweenness == pytest.approx(3 / 6)
    assert [g.size for g in found["m"].groups] == [3, 1]
    assert [b.id for b in brokers(snap, area="N")] == ["b1"]


def test_limit_cuts_the_list(snap: Snapshot) -> None:
    assert [b.id for b in brokers(snap, limit=1)] == ["m"]


def test_large_graphs_are_estimated_the_same_way_every_time(
    graph: GraphBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(brokers_module, "EXACT_LIMIT", 4)
    monkeypatch.setattr(brokers_module, "SAMPLES", 4)
    build(graph)
    first = [b.as_dict() for b in brokers(graph.snapshot())]
    again = [b.as_dict() for b in brokers(graph.snapshot())]
    assert first == again and first[0]["approximate"] is True
    assert first[0]["id"] == "m"


def test_results_serialise_to_json(snap: Snapshot) -> None:
    data = json.loads(json.dumps([b.as_dict() for b in brokers(snap)]))
    assert data[0]["groups"][0]["via"][0] == {"id": "a1", "name": "A1", "label": "Organisation",
                                              "rung": 2}


def test_no_ties_no_brokers(graph: GraphBuilder) -> None:
    graph.orgs("a", "b")
    assert brokers(graph.snapshot()) == []


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"limit": 0}, "limit"), ({"limit": "3"}, "limit"), ({"min_rung": 6}, "min_rung"),
])
def test_bad_parameters_are_refused(snap: Snapshot, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        brokers(snap, **kwargs)  # type: ignore[arg-type]


def test_unknown_area_is_not_found(snap: Snapshot) -> None:
    with pytest.raises(NotFound, match="no area with code 'ZZ'"):
        brokers(snap, area="ZZ")
