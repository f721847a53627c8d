"""Islands and near-islands, city-wide and inside an area."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from queries.islands import Island, is_island, islands, near_islands, number_of_islands

if TYPE_CHECKING:
    from tests.queries.conftest import GraphBuilder


@pytest.fixture
def snap(graph: GraphBuilder) -> Snapshot:
    """West (E, with wijk EA) and Noord (N).

    lonely: no ties · knower–x: rung 1 only · a–b rung 3, a–c rung 2 · helped–h (an institution)
    rung 2 · crossing (West)–far (Noord) rung 4.
    """
    graph.area("west", "E")
    graph.area("west-a", "EA", parent="west")
    graph.area("noord", "N")
    graph.orgs("lonely", "x", "a", "b", "c", "helped", "crossing", area="west")
    graph.actor("knower", "west-a")
    graph.actor("h", "west", label="Institution")
    graph.actor("far", "noord")
    graph.tie("knower", "x", 1)
    graph.tie("a", "b", 3)
    graph.tie("a", "c", 2)
    graph.tie("helped", "h", 2)
    graph.tie("crossing", "far", 4)
    return graph.snapshot()


def ids(found: list[Island]) -> list[str]:
    return [i.id for i in found]


def test_islands_citywide_puts_the_fully_isolated_first(snap: Snapshot) -> None:
    assert ids(islands(snap)) == ["lonely", "knower", "x"]


def test_an_island_that_knows_others_is_told_apart_from_an_isolated_one(snap: Snapshot) -> None:
    by_id = {i.id: i for i in islands(snap)}
    assert by_id["lonely"].isolated and by_id["lonely"].best_rung == 0
    assert by_id["lonely"].reason_en == "Has no ties yet."
    knower = by_id["knower"]
    assert not knower.isolated and knower.best_rung == 1
    assert [(p.id, p.rung) for p in knower.partners] == [("x", 1)]
    assert "kent 1 actor" in knower.reason_nl


def test_a_tie_to_an_institution_counts_but_institutions_are_never_islands(snap: Snapshot) -> None:
    assert "helped" not in ids(islands(snap))
    assert "h" not in ids(islands(snap, min_rung=5))
    assert is_island(snap, "h", min_rung=5) is False


def test_within_an_area_only_ties_inside_the_area_count(snap: Snapshot) -> None:
    # crossing's only strong tie is to an organisation in Noord: an island in West
    assert ids(islands(snap, area="E")) == ["crossing", "lonely", "knower", "x"]
    assert ids(islands(snap, area="N")) == ["far"]
    assert is_island(snap, "crossing", area="E") and not is_island(snap, "crossing")


def test_the_area_can_be_given_by_id_and_includes_sub_areas(snap: Snapshot) -> None:
    assert "knower" in ids(islands(snap, area="west"))
    assert ids(islands(snap, area="EA")) == ["knower"]  # x is not active in the wijk


@pytest.mark.parametrize(("min_rung", "expected"), [
    (1, ["lonely"]),
    (2, ["lonely", "knower", "x"]),
    (3, ["lonely", "knower", "x", "c", "helped"]),
])
def test_min_rung_moves_the_bar(snap: Snapshot, min_rung: int, expected: list[str]) -> None:
    assert ids(islands(snap, min_rung=min_rung)) == expected
    assert number_of_islands(snap, min_rung=min_rung) == len(expected)


def test_weaker_ties_are_listed_as_partners_when_the_bar_is_higher(snap: Snapshot) -> None:
    c = next(i for i in islands(snap, min_rung=3) if i.id == "c")
    assert c.best_rung == 2 and [(p.id, p.rung) for p in c.partners] == [("a", 2)]


def test_near_islands_hang_on_exactly_one_strong_tie(snap: Snapshot) -> None:
    found = near_islands(snap)
    assert ids(found) == ["c", "helped", "b", "crossing", "far"]
    anchors = {i.id: (i.anchor.id, i.anchor.rung) for i in found if i.anchor}
    assert anchors["b"] == ("a", 3) and anchors["helped"] == ("h", 2)
    assert "a" not in ids(found)  # two strong ties
    assert ids(near_islands(snap, area="E")) == ["c", "helped", "b"]
    assert "Heeft maar één band" in found[0].reason_nl


def test_is_island_matches_islands(snap: Snapshot) -> None:
    members = set(ids(islands(snap, area="E")))
    for actor in snap.actors():
        assert is_island(snap, actor, area="E") == (actor in members)
    assert is_island(snap, "far", area="E") is False  # not on West's map at all


def test_results_serialise_to_json(snap: Snapshot) -> None:
    data = json.loads(json.dumps([i.as_dict() for i in islands(snap) + near_islands(snap)]))
    assert data[1]["partners"] == [{"id": "x", "name": "X", "label": "Organisation", "rung": 1}]
    assert data[0]["isolated"] is True and data[0]["anchor"] is None


def test_unknown_area_and_actor_are_not_found(snap: Snapshot) -> None:
    with pytest.raises(NotFound, match="no area with code 'ZZ'"):
        islands(snap, area="ZZ")
    with pytest.raises(NotFound, match="no area"):
        near_islands(snap, area="ZZ")
    with pytest.raises(NotFound, match="'nobody'"):
        is_island(snap, "nobody")


@pytest.mark.parametrize("bad", [0, 6, "2", True, 2.0])
def test_min_rung_outside_one_to_five_is_refused(snap: Snapshot, bad: object) -> None:
    for query in (islands, number_of_islands, near_islands):
        with pytest.raises(InvalidInput, match="min_rung"):
            query(snap, min_rung=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="min_rung"):
        is_island(snap, "lonely", min_rung=bad)  # type: ignore[arg-type]


def test_an_empty_graph_has_no_islands(graph: GraphBuilder) -> None:
    assert islands(graph.snapshot()) == []
