"""The neighbourhood agenda: shared interests, their coalitions and existing agenda items."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from queries.agenda import neighbourhood_agenda

if TYPE_CHECKING:
    from tests.queries.conftest import GraphBuilder


@pytest.fixture
def snap(graph: GraphBuilder) -> Snapshot:
    """West (E, with wijk EA) and Noord (N).

    eenzaamheid: o1 (3), o2 (1), o3 (2) and institution i1 (3) in West, o9 in Noord ·
    taal: o1 (3), o2 (3) · jeugd: o3 (1), o4 (1) · sport: o4 only.
    o1–o3 know of each other (rung 1); an agenda item on eenzaamheid for wijk EA has o2 committed;
    one on taal is for Noord.
    """
    graph.area("west", "E")
    graph.area("west-a", "EA", parent="west")
    graph.area("noord", "N")
    for interest, nl, en in [("eenzaamheid", "Eenzaamheid", "Loneliness"),
                             ("taal", "Nederlandse taal", "Dutch language learning"),
                             ("jeugd", "Jeugd en jongeren", "Children and youth"),
                             ("sport", "Sport", "Sport")]:
        graph.interest(interest, nl, en)
    graph.actor("o1", "west", works_on={"eenzaamheid": 3, "taal": 3})
    graph.actor("o2", "west-a", works_on={"eenzaamheid": 1, "taal": 3})
    graph.actor("o3", "west", works_on={"eenzaamheid": 2, "jeugd": 1})
    graph.actor("o4", "west", works_on={"jeugd": 1, "sport": 2})
    graph.actor("i1", "west", label="Institution", works_on={"eenzaamheid": 3})
    graph.actor("o9", "noord", works_on={"eenzaamheid": 3, "jeugd": 3, "sport": 3})
    graph.tie("o1", "o3", 1)
    graph.tie("o2", "o9", 4)  # o9 is not in West: does not make o2 tied in West's coalition
    graph.agenda_item("samen-tegen-eenzaamheid", "eenzaamheid", "west-a", committed=["o2"])
    graph.agenda_item("taalcafe-noord", "taal", "noord", committed=["o9"])
    return graph.snapshot()


def test_interests_shared_by_most_organisations_come_first(snap: Snapshot) -> None:
    agenda = neighbourhood_agenda(snap, "E")
    # taal and jeugd both have two organisations; taal's total weight (6) beats jeugd's (2)
    assert [(t.interest_id, t.organisations) for t in agenda] == [
        ("eenzaamheid", 3), ("taal", 2), ("jeugd", 2)]
    assert "sport" not in [t.interest_id for t in agenda]  # one organisation is not an agenda


def test_the_coalition_is_ordered_by_weight_with_tied_members_marked(snap: Snapshot) -> None:
    topic = neighbourhood_agenda(snap, "E")[0]
    members = [(m.id, m.weight, m.tied, m.committed) for m in topic.coalition]
    assert members == [
        ("o1", 3, True, False),
        ("i1", 3, False, False),  # institutions join the coalition but do not count as organisations
        ("o3", 2, True, False),
        ("o2", 1, False, True),
    ]
    assert topic.coalition[0].best_rung == 1


def test_existing_agenda_items_for_the_area_or_a_sub_area_are_marked(snap: Snapshot) -> None:
    by_id = {t.interest_id: t for t in neighbourhood_agenda(snap, "E")}
    item = by_id["eenzaamheid"].agenda_items[0]
    assert (item.id, item.status, item.committed) == ("samen-tegen-eenzaamheid", "open", ("o2",))
    assert by_id["taal"].agenda_items == ()  # Noord's taal item is not West's
    assert by_id["eenzaamheid"].summary_nl.endswith("Er is al een agendapunt.")


def test_titles_and_summaries_in_dutch_and_english(snap: Snapshot) -> None:
    topic = neighbourhood_agenda(snap, "E")[1]
    assert (topic.title_nl, topic.title_en) == ("Nederlandse taal", "Dutch language learning")
    assert topic.summary_nl == ("2 organisaties in West werken aan Nederlandse taal. In de coalitie: "
                                "2 organisaties; 0 daarvan hebben al een band met elkaar.")
    assert topic.summary_en.startswith("2 organisations in West work on Dutch language learning")


def test_only_organisations_active_in_the_area_count(snap: Snapshot) -> None:
    agenda = neighbourhood_agenda(snap, "N")
    assert agenda == []  # o9 alone in Noord shares nothing
    wijk = neighbourhood_agenda(snap, "EA")
    assert wijk == []  # only o2 is active in the wijk itself


def test_limit_cuts_the_list(snap: Snapshot) -> None:
    assert [t.interest_id for t in neighbourhood_agenda(snap, "west", limit=1)] == ["eenzaamheid"]


def test_results_serialise_to_json(snap: Snapshot) -> None:
    data = json.loads(json.dumps([t.as_dict() for t in neighbourhood_agenda(snap, "E")]))
    assert data[0]["coalition"][3] == {"id": "o2", "name": "O2", "label": "Organisation",
                                       "weight": 1, "best_rung": 0, "tied": False, "committed": True}
    assert data[0]["agenda_items"][0]["committed"] == ["o2"]


def test_unknown_area_and_bad_limit(snap: Snapshot) -> None:
    with pytest.raises(NotFound, match="no area with code 'ZZ'"):
        neighbourhood_agenda(snap, "ZZ")
    with pytest.raises(InvalidInput, match="limit"):
        neighbourhood_agenda(snap, "E", limit=0)
