"""Ladder progress: ties per rung per period, read from the tie history."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import pytest

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Relationship, TieEvent
from graphsvc.snapshot import Snapshot
from queries.ladder import Period, ladder_progress, quarters, years

if TYPE_CHECKING:
    from tests.queries.conftest import GraphBuilder

YEAR_2024 = quarters("2024-01-01", "2024-12-31")


@pytest.fixture
def history(graph: GraphBuilder) -> GraphBuilder:
    """West: a–b new at rung 1 in Q1, up to 3 in Q2 · c–d new at rung 2 in Q1, removed in Q3 ·
    e–f new at rung 4 in the last minutes of Q1, down to 2 in Q4.  Noord: g–h new at rung 5 in Q1.
    """
    graph.area("west", "E")
    graph.area("noord", "N")
    graph.orgs("a", "b", "c", "d", "e", "f", area="west")
    graph.orgs("g", "h", area="noord")
    graph.tie("a", "b", 1, at="2024-01-15T10:00:00Z")
    graph.tie("c", "d", 2, at="2024-02-01")
    graph.tie("e", "f", 4, at="2024-03-31T23:30:00Z")
    graph.tie("g", "h", 5, at="2024-03-01")
    graph.tie("a", "b", 3, at="2024-05-01T19:00:00+02:00")
    graph.untie("c", "d", at="2024-08-10T12:00:00Z")
    graph.tie("e", "f", 2, at="2024-11-20")
    return graph


def rows(snap: Snapshot, area: str | None = "E") -> list[tuple[str, tuple[int, ...]]]:
    return [(p.label, p.rungs) for p in ladder_progress(snap, area, YEAR_2024).periods]


def test_ties_per_rung_at_the_end_of_each_quarter(history: GraphBuilder) -> None:
    assert rows(history.snapshot()) == [
        ("2024-Q1", (1, 1, 0, 1, 0)),
        ("2024-Q2", (0, 1, 1, 1, 0)),  # a–b climbed to 3
        ("2024-Q3", (0, 0, 1, 1, 0)),  # c–d removed
        ("2024-Q4", (0, 1, 1, 0, 0)),  # e–f dropped to 2
    ]


def test_net_moves_per_period(history: GraphBuilder) -> None:
    periods = ladder_progress(history.snapshot(), "E", YEAR_2024).periods
    moves = [(p.new, p.up, p.down, p.removed) for p in periods]
    assert moves == [(3, 0, 0, 0), (0, 1, 0, 0), (0, 0, 0, 1), (0, 0, 1, 0)]
    assert [p.total for p in periods] == [3, 3, 2, 2]
    assert periods[1].count(3) == 1


def test_area_none_counts_every_tie(history: GraphBuilder) -> None:
    assert rows(history.snapshot(), None)[0] == ("2024-Q1", (1, 1, 0, 1, 1))
    assert rows(history.snapshot(), "N")[-1] == ("2024-Q4", (0, 0, 0, 0, 1))


def test_a_tie_counts_when_one_end_is_in_the_area(history: GraphBuilder) -> None:
    history.tie("a", "g", 2, at="2024-06-01")
    assert rows(history.snapshot(), "N")[1] == ("2024-Q2", (0, 1, 0, 0, 1))


def test_a_tie_with_two_changes_in_one_period_counts_its_last_rung_and_net_move(
    graph: GraphBuilder,
) -> None:
    graph.orgs("a", "b")
    graph.tie("a", "b", 1, at="2024-01-02")
    graph.tie("a", "b", 2, at="2024-01-03")
    graph.tie("a", "b", 4, at="2024-02-03")
    first = ladder_progress(graph.snapshot(), None, [("jan", "2024-01-31"), ("feb", date(2024, 2, 29))])
    assert [(p.rungs, p.new, p.up) for p in first.periods] == [
        ((0, 1, 0, 0, 0), 1, 0), ((0, 0, 0, 1, 0), 0, 1)]


def test_history_written_later_lands_in_the_period_of_its_date(graph: GraphBuilder) -> None:
    graph.orgs("a", "b")
    graph.tie("a", "b", 3, at="2024-07-01")
    with graph.store.transaction() as tx:  # a back-filled event: recorded last, dated first
        tx.add_tie_events([TieEvent("a", "b", 0, 1, "2024-02-01")])
    assert rows(graph.snapshot(), None)[:3] == [
        ("2024-Q1", (1, 0, 0, 0, 0)), ("2024-Q2", (1, 0, 0, 0, 0)), ("2024-Q3", (0, 0, 1, 0, 0))]


def test_ties_without_history_are_dated_by_since_or_reported_as_undated(graph: GraphBuilder) -> None:
    graph.orgs("a", "b", "c")
    with graph.store.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 2, "since": "2024-05-05"}),
                               record_history=False)
        tx.upsert_relationship(Relationship("TIE", "a", "c", {"rung": 3}), record_history=False)
    result = ladder_progress(graph.snapshot(), None, YEAR_2024)
    assert [p.count(2) for p in result.periods] == [0, 1, 1, 1]
    assert result.undated == 1 and all(p.count(3) == 0 for p in result.periods)


def test_quarters_and_years_helpers() -> None:
    assert [(p.label, p.end) for p in quarters(date(2023, 11, 5), "2024-02-01")] == [
        ("2023-Q4", date(2023, 12, 31)), ("2024-Q1", date(2024, 3, 31))]
    assert years("2023-06-01", "2024-01-01") == [Period("2023", date(2023, 12, 31)),
                                                 Period("2024", date(2024, 12, 31))]


def test_results_serialise_to_json(history: GraphBuilder) -> None:
    result = ladder_progress(history.snapshot(), "E", YEAR_2024)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["area"] == "west" and data["undated"] == 0
    assert data["periods"][0] == {"label": "2024-Q1", "end": "2024-03-31",
                                  "rungs": {"1": 1, "2": 1, "3": 0, "4": 1, "5": 0}, "total": 3,
                                  "new": 3, "up": 0, "down": 0, "removed": 0}


@pytest.mark.parametrize("periods", [
    [],
    [("q2", "2024-06-30"), ("q1", "2024-03-31")],
    [("q1", "2024-03-31"), ("q1 again", "2024-03-31")],
    [("q1", "eind maart")],
    ["2024-03-31"],
    [("", "2024-03-31")],
])
def test_bad_periods_are_refused(history: GraphBuilder, periods: list[object]) -> None:
    with pytest.raises(InvalidInput, match="periods"):
        ladder_progress(history.snapshot(), "E", periods)  # type: ignore[arg-type]


def test_unknown_area_is_not_found(history: GraphBuilder) -> None:
    with pytest.raises(NotFound, match="no area with code 'ZZ'"):
        ladder_progress(history.snapshot(), "ZZ", YEAR_2024)
