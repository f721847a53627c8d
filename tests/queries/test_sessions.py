"""What moved at a session: tie moves and the islands that found a partner."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from queries.sessions import SessionDiff, TieMove, session_diff

if TYPE_CHECKING:
    from tests.queries.conftest import GraphBuilder

EVENING = "2024-03-01T19:{:02d}:00Z"


@pytest.fixture
def snap(graph: GraphBuilder) -> Snapshot:
    """Session s1 in West. Before it: a–b 2, c–d 3, a–k 1, x–y 2; i, g and h have no ties.

    At s1: a–b up to 3, c–d down to 1, a–i new at 2, a–k up to 2, e–f recorded and undone,
    g–h recorded at 2 and corrected to 3, x–y removed, c–z new at 2 (z is in Noord).
    After s1, at s2: a–i removed again.
    """
    graph.area("west", "E")
    graph.area("noord", "N")
    graph.orgs("a", "b", "c", "d", "e", "f", "g", "h", "i", "k", "x", "y", area="west")
    graph.orgs("z", area="noord")
    graph.session("s1", "2024-03-01", held_in="west")
    graph.session("s2", "2024-06-01", held_in="west")
    for a, b, rung in [("a", "b", 2), ("c", "d", 3), ("a", "k", 1), ("x", "y", 2)]:
        graph.tie(a, b, rung, at="2024-02-01")
    moves = [("a", "b", 3), ("c", "d", 1), ("a", "i", 2), ("a", "k", 2), ("e", "f", 1),
             ("e", "f", 0), ("g", "h", 2), ("g", "h", 3), ("x", "y", 0), ("c", "z", 2)]
    for minute, (a, b, rung) in enumerate(moves):
        if rung:
            graph.tie(a, b, rung, at=EVENING.format(minute), session="s1")
        else:
            graph.untie(a, b, at=EVENING.format(minute), session="s1")
    graph.untie("a", "i", at="2024-06-01T20:00:00Z", session="s2")
    return graph.snapshot()


def pairs(moves: tuple[TieMove, ...]) -> list[tuple[str, str, int, int]]:
    return [(m.a, m.b, m.old_rung, m.new_rung) for m in moves]


def test_moves_are_sorted_into_new_up_down_and_removed(snap: Snapshot) -> None:
    diff = session_diff(snap, "s1")
    assert pairs(diff.new_ties) == [("a", "i", 0, 2), ("g", "h", 0, 3), ("c", "z", 0, 2)]
    assert pairs(diff.climbs) == [("a", "b", 2, 3), ("a", "k", 1, 2)]
    assert pairs(diff.drops) == [("c", "d", 3, 1)]
    assert pairs(diff.removed) == [("x", "y", 2, 0)]


def test_a_tie_recorded_and_undone_in_one_session_is_no_move(snap: Snapshot) -> None:
    diff = session_diff(snap, "s1")
    assert all({m.a, m.b} != {"e", "f"} for m in diff.moves)
    assert len(diff.moves) == 7


def test_islands_that_found_a_partner(snap: Snapshot) -> None:
    found = session_diff(snap, "s1").found_partner
    # i, g and h had no tie, k only knew a (rung 1); a–i was removed later, but at s1 i found a
    assert [f.id for f in found] == ["g", "h", "i", "k"]
    assert [(p.id, p.rung) for p in found[2].partners] == [("a", 2)]


def test_a_partner_outside_the_session_area_does_not_count(snap: Snapshot) -> None:
    # z (Noord) gained c, but the meeting was in West, where z is not on the map
    assert "z" not in [f.id for f in session_diff(snap, "s1").found_partner]
    assert session_diff(snap, "s1").area == "west"


def test_a_later_session_sees_its_own_moves_only(snap: Snapshot) -> None:
    diff = session_diff(snap, "s2")
    assert pairs(diff.moves) == [("a", "i", 2, 0)] and diff.found_partner == ()
    assert diff.summary_nl == ("0 nieuwe banden, 0 omhoog, 0 omlaag, 1 verbroken; "
                               "0 eilanden vonden een partner.")


def test_area_from_the_session_property(graph: GraphBuilder, snap: Snapshot) -> None:
    graph.orgs("n1", area="noord")
    graph.session("s3", "2024-09-01", area="N")
    graph.tie("z", "n1", 2, at="2024-09-01T19:00:00Z", session="s3")
    diff = session_diff(graph.snapshot(), "s3")
    # z had a rung-2 tie to c in West, so it was still an island in Noord
    assert diff.area == "noord" and [f.id for f in diff.found_partner] == ["n1", "z"]


def test_without_a_known_area_islands_are_judged_citywide(graph: GraphBuilder, snap: Snapshot) -> None:
    graph.orgs("n1", area="noord")
    graph.session("s4", "2024-09-01", area="QQ")
    graph.tie("z", "n1", 2, at="2024-09-01T19:00:00Z", session="s4")
    diff = session_diff(graph.snapshot(), "s4")
    assert diff.area is None and [f.id for f in diff.found_partner] == ["n1"]


def test_a_session_without_events_has_an_empty_diff(graph: GraphBuilder) -> None:
    graph.session("s0", "2024-01-01")
    diff = session_diff(graph.snapshot(), "s0")
    assert diff == SessionDiff("s0", "Sessie 2024-01-01", "2024-01-01", None, (), ())


def test_results_serialise_to_json(snap: Snapshot) -> None:
    data = json.loads(json.dumps(session_diff(snap, "s1").as_dict()))
    assert data["drops"] == [{"a": "c", "a_name": "C", "b": "d", "b_name": "D", "old_rung": 3,
                              "new_rung": 1, "at": EVENING.format(1), "kind": "down"}]
    assert [f["id"] for f in data["found_partner"]] == ["g", "h", "i", "k"]
    assert data["summary_en"] == "3 new ties, 2 up, 1 down, 1 removed; 4 islands found a partner."


@pytest.mark.parametrize("session_id", ["nope", "a", "west"])
def test_unknown_session_is_not_found(snap: Snapshot, session_id: str) -> None:
    with pytest.raises(NotFound, match=f"no session with id '{session_id}'"):
        session_diff(snap, session_id)


def test_bad_min_rung_is_refused(snap: Snapshot) -> None:
    with pytest.raises(InvalidInput, match="min_rung"):
        session_diff(snap, "s1", min_rung=0)


def test_one_new_tie_and_one_island_are_written_in_the_singular(snap: Snapshot) -> None:
    import dataclasses

    diff = session_diff(snap, "s2")
    one = dataclasses.replace(diff, moves=(dataclasses.replace(diff.moves[0], old_rung=0, new_rung=2),),
                              found_partner=diff.found_partner[:0] + (object(),))  # type: ignore[operator]
    assert one.summary_nl == "1 nieuwe band, 0 omhoog, 0 omlaag, 0 verbroken; 1 eiland vond een partner."
    assert one.summary_en == "1 new tie, 0 up, 0 down, 0 removed; 1 island found a partner."
