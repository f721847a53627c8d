"""Early signals on both stores: record, edit, delete, the personal-data check, the aggregates with
the fewer-than-3 rule for every role, institutions and the gap, the agenda and unfunded signals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graphsvc.access.visibility import Viewer
from graphsvc.actions.signals import delete_signal, record_signal, update_signal
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.agenda import neighbourhood_agenda
from queries.signal_gaps import signalled_unfunded
from queries.signals import area_signals, organisation_signals, recent_months
from tests.queries.conftest import GraphBuilder

THIS_MONTH = recent_months(1)[1]
LAST_MONTH = recent_months(2)[0]


@pytest.fixture
def graph(store: GraphStore) -> GraphBuilder:
    """West (E) with wijk EA, Noord (N); organisations o1–o5 in West, o9 in Noord; institutions
    i1 (works on eenzaamheid, rung 3 with o1) and i2 (prioritises taal, rung 1 with o2) in West."""
    g = GraphBuilder(store)
    g.area("west", "E")
    g.area("west-a", "EA", parent="west")
    g.area("noord", "N")
    for interest, nl, en in [("eenzaamheid", "Eenzaamheid", "Loneliness"),
                             ("taal", "Nederlandse taal", "Dutch language learning"),
                             ("armoede", "Armoede en schulden", "Poverty and debt"),
                             ("sport", "Sport", "Sport")]:
        g.interest(interest, nl, en)
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("vrouwen", "Community", {"name": "Vrouwen", "name_en": "Women"}))
    g.actor("o1", "west", works_on={"sport": 2})
    g.actor("o2", "west-a", works_on={"sport": 1})
    g.actor("o3", "west", works_on={"sport": 3})
    g.actor("o4", "west", works_on={"taal": 2, "eenzaamheid": 1})
    g.actor("o5", "west", works_on={"taal": 1})
    g.actor("o9", "noord")
    g.actor("i1", "west", label="Institution", works_on={"eenzaamheid": 2})
    g.actor("i2", "west", label="Institution")
    g._write(rels=[Relationship("PRIORITISES", "i2", "taal")])
    g.tie("i1", "o1", 3)
    g.tie("i2", "o2", 1)
    return g


def _signal(store: GraphStore, org: str, theme: str, area: str = "E", **extra: Any) -> str:
    values = {"theme": theme, "areas": [area], "people": "5-19", "period": THIS_MONTH, "trend": "growing",
              **extra}
    return record_signal(store, Snapshot.from_store(store), org, values)


def test_record_list_edit_delete(graph: GraphBuilder, store: GraphStore) -> None:
    sid = _signal(store, "o1", "eenzaamheid", community="vrouwen", note="Meer oudere vrouwen alleen thuis")
    snap = graph.snapshot()
    [mine] = organisation_signals(snap, "o1")
    assert (mine.id, mine.theme, mine.areas, mine.community) == (sid, "eenzaamheid", ("west",), "vrouwen")
    assert (mine.people, mine.trend, mine.note) == ("5-19", "growing", "Meer oudere vrouwen alleen thuis")
    assert organisation_signals(snap, "o2") == []

    update_signal(store, snap, "o1", sid, {"people": "20-49", "areas": "EA,N", "community": ""})
    [edited] = organisation_signals(graph.snapshot(), "o1")
    assert (edited.id, edited.people, edited.areas, edited.community) == (sid, "20-49", ("noord", "west-a"), "")
    assert edited.note == "Meer oudere vrouwen alleen thuis"  # a partial edit keeps the rest

    with pytest.raises(NotFound):  # not o2's signal
        delete_signal(store, "o2", sid)
    delete_signal(store, "o1", sid)
    assert organisation_signals(graph.snapshot(), "o1") == []
    assert store.counts()["nodes"].get("Signal", 0) == 0
    assert not [r for r in store.iter_relationships() if r.start == sid]


@pytest.mark.parametrize(("note", "kind"), [
    ("mail naar fatima.y@example.org", "e-mail"),
    ("haar nummer is 06-12345678", "phone"),
    ("bel +31 20 123 4567", "phone"),
    ("BSN 111222333 gezien", "BSN"),
    ("bsn 1112.22.333", "BSN"),
])
def test_personal_data_in_the_note_is_refused(graph: GraphBuilder, store: GraphStore, note: str,
                                              kind: str) -> None:
    with pytest.raises(InvalidInput) as err:
        _signal(store, "o1", "eenzaamheid", note=note)
    assert err.value.message.startswith("note: ")
    assert kind in err.value.message
    assert any(line.startswith("note:") for line in err.value.errors)
    assert store.counts()["nodes"].get("Signal", 0) == 0  # nothing half-written


def test_plain_numbers_in_a_note_are_fine(graph: GraphBuilder, store: GraphStore) -> None:
    _signal(store, "o1", "eenzaamheid", note="Sinds 2024 zo'n 45 vrouwen; 123456789 is geen BSN")
    assert len(organisation_signals(graph.snapshot(), "o1")) == 1


def test_every_wrong_field_is_named(graph: GraphBuilder, store: GraphStore) -> None:
    values = {"theme": "geen-thema", "areas": ["ZZ"], "people": "veel", "period": "2999-01", "trend": "up"}
    with pytest.raises(InvalidInput) as err:
        record_signal(store, graph.snapshot(), "o1", values)
    fields = {line.split(":")[0] for line in err.value.errors}
    assert fields == {"theme", "areas", "people", "period", "trend"}
    with pytest.raises(NotFound):
        record_signal(store, graph.snapshot(), "i1", {**values, "theme": "taal"})  # not an organisation


@pytest.fixture
def signalled(graph: GraphBuilder, store: GraphStore) -> GraphBuilder:
    """eenzaamheid by o1, o2 (in wijk EA), o3 (all among Vrouwen); taal by o4 alone, twice."""
    for org in ("o1", "o2", "o3"):
        _signal(store, org, "eenzaamheid", area="EA" if org == "o2" else "E", community="vrouwen",
                note="vertrouwelijk " + org)
    _signal(store, "o4", "taal", community="vrouwen", people="50+", period=LAST_MONTH)
    _signal(store, "o4", "taal", people="1-4")
    return graph


ROLES = {
    "public": Viewer("public"), "funder": Viewer("funder"),
    "member": Viewer("member", frozenset({"o4"})), "coach": Viewer("coach", frozenset({"o1", "o2"})),
    "admin": Viewer("admin"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_aggregates_follow_the_fewer_than_3_rule(signalled: GraphBuilder, role: str) -> None:
    viewer = ROLES[role]
    result = area_signals(signalled.snapshot(), "E", viewer).as_dict()
    groups = {g["theme"]: g for g in result["groups"]}
    assert list(groups) == ["eenzaamheid", "taal"]
    big, small = groups["eenzaamheid"], groups["taal"]
    # three organisations: everyone sees the count, band (5+5+5 → at least 15), trend and community
    assert (big["organisations"], big["people"], big["trend"], big["fewer_than_3"]) == (3, "5-19", "growing", False)
    assert big["communities"] == [{"id": "vrouwen", "name": "Vrouwen", "organisations": 3}]
    assert big["per_month"] == {THIS_MONTH: 3}
    assert "note" not in str(result) and "vertrouwelijk" not in str(result)
    assert small["fewer_than_3"] is True
    assert small["months"] == sorted({LAST_MONTH, THIS_MONTH})
    expected_ids = {"public": ([], []), "funder": ([], []), "member": ([], ["o4"]),
                    "coach": (["o1", "o2"], []), "admin": (["o1", "o2", "o3"], ["o4"])}[role]
    assert (big["organisation_ids"], small["organisation_ids"]) == expected_ids
    if role == "admin":
        assert (small["organisations"], small["people"], small["trend"]) == (1, "1-4", "growing")
        assert small["communities"] == []  # o4's latest signal names no community
    else:
        assert (small["organisations"], small["people"], small["trend"], small["per_month"]) == (None,) * 4
        assert small["communities"] == []


def test_period_filter_and_sub_areas(signalled: GraphBuilder) -> None:
    snap = signalled.snapshot()
    assert [g.theme for g in area_signals(snap, "EA", Viewer("admin")).groups] == ["eenzaamheid"]
    assert area_signals(snap, "N").groups == ()
    earlier = area_signals(snap, "E", Viewer("admin"), period=LAST_MONTH).groups
    assert [(g.theme, g.people) for g in earlier] == ([("taal", "50+")] if LAST_MONTH != THIS_MONTH else [])
    with pytest.raises(InvalidInput):
        area_signals(snap, "E", period="vorige maand")


def test_institutions_and_the_gap(signalled: GraphBuilder, store: GraphStore) -> None:
    groups = {g.theme: g for g in area_signals(signalled.snapshot(), "E", Viewer("admin")).groups}
    lonely = groups["eenzaamheid"]
    assert [(i.id, i.best_rung) for i in lonely.institutions] == [("i1", 3)]
    assert lonely.gap is False  # o1 works with i1 at rung 3: the bridge is there
    language = groups["taal"]
    assert [(i.id, i.best_rung) for i in language.institutions] == [("i2", 0)]
    assert language.gap is True  # i2 prioritises taal but no signaller has a tie with it
    for org in ("o1", "o2", "o3"):
        _signal(store, org, "armoede")
    poverty = {g.theme: g for g in area_signals(signalled.snapshot(), "E").groups}["armoede"]
    assert poverty.institutions == () and poverty.gap is True  # nobody in the area to act on it
    signalled.tie("i2", "o4", 2)
    language = {g.theme: g for g in area_signals(signalled.snapshot(), "E").groups}["taal"]
    assert language.gap is False


def test_agenda_ranking_with_and_without_signals(graph: GraphBuilder, store: GraphStore) -> None:
    without = neighbourhood_agenda(graph.snapshot(), "E")
    assert [t.interest_id for t in without] == ["sport", "taal"]  # 3 and 2 organisations
    for org in ("o1", "o2", "o3"):
        _signal(store, org, "taal")
        _signal(store, org, "armoede")
    ranked = neighbourhood_agenda(graph.snapshot(), "E")
    # taal: 2 working on it + 3 signalling; armoede: nobody works on it, 3 signal it
    assert [(t.interest_id, t.organisations, t.signalled) for t in ranked] == [
        ("taal", 2, 3), ("sport", 3, 0), ("armoede", 0, 3)]
    assert "3 organisaties signaleren het" in ranked[0].summary_nl
    assert [t.interest_id for t in neighbourhood_agenda(graph.snapshot(), "E", signal_months=0)] == ["sport", "taal"]


def test_two_signallers_do_not_move_the_agenda(graph: GraphBuilder, store: GraphStore) -> None:
    for org in ("o1", "o2"):
        _signal(store, org, "taal")
    assert [(t.interest_id, t.signalled) for t in neighbourhood_agenda(graph.snapshot(), "E")] == [
        ("sport", 0), ("taal", 0)]


def test_signalled_but_unfunded(signalled: GraphBuilder, store: GraphStore) -> None:
    year = str(date.today().year)
    rows = signalled_unfunded(signalled.snapshot(), period=year)
    # the signals sit in West (o1, o3) and in wijk EA (o2): West rolls EA up, EA alone has one
    west = [r for r in rows if r.area == "west"]
    assert [(r.theme, r.organisations, r.workers) for r in west] == [("eenzaamheid", 3, 1)]
    assert not [r for r in rows if r.theme == "taal"]  # one organisation: never shown to funders
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("f1", "Fund", {"name": "Fonds"}))
        tx.upsert_relationship(Relationship("FUNDS", "f1", "o4", {"amount": 100, "year": int(year),
                                                                  "status": "pending"}, "g1"))
    assert [r.theme for r in signalled_unfunded(signalled.snapshot(), period=year)] == ["eenzaamheid"]
    with store.transaction(source="test") as tx:
        tx.upsert_relationship(Relationship("FUNDS", "f1", "o4", {"amount": 100, "year": int(year),
                                                                  "status": "awarded"}, "g1"))
    assert signalled_unfunded(signalled.snapshot(), period=year) == []


def test_months_with_fewer_than_3_signallers_show_no_number(graph: GraphBuilder, store: GraphStore) -> None:
    _signal(store, "o1", "sport")
    _signal(store, "o2", "sport")
    _signal(store, "o3", "sport", period=LAST_MONTH)
    snap = graph.snapshot()
    [public] = area_signals(snap, "E").as_dict()["groups"]
    assert public["organisations"] == 3 and public["per_month"] == {LAST_MONTH: None, THIS_MONTH: None}
    [admin] = area_signals(snap, "E", Viewer("admin")).as_dict()["groups"]
    assert admin["per_month"] == {LAST_MONTH: 1, THIS_MONTH: 2}
