"""360Giving as funders publish it: month-only dates, placeholder org-ids, several funders' files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from importers.files import import_file
from importers.report import ImportRejected
from tests.conftest import TESTDATA
from tests.importers.conftest import graph_content

DATA = Path(__file__).resolve().parents[1] / "data"


def _grant(store: GraphStore, key: str) -> Relationship:
    return next(r for r in store.iter_relationships("FUNDS") if r.key == key)


def test_month_only_and_spelled_out_dates_keep_their_precision(store: GraphStore) -> None:
    report = import_file(store, DATA / "360giving_month_dates.json")
    d1, d2, d3 = (_grant(store, f"360G-northfund-D{i}") for i in (1, 2, 3))
    assert (d1.props["award_date"], d1.props["year"]) == ("2013-08", 2013)
    assert (d1.props["start"], d1.props["end"]) == ("2013-04-19", "2014-03")
    assert (d2.props["award_date"], d2.props["year"], d2.props["start"]) == ("2014", 2014, "2014-03-01")
    assert d3.props["award_date"] == "2015-06-30"
    assert not any("is not a date" in w.message_en for w in report.warnings)


def test_impossible_dates_are_errors_naming_the_grant_id_first_and_the_field(store: GraphStore) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(store, DATA / "360giving_impossible_dates.json")
    texts = [e.message_en for e in caught.value.row_errors]
    assert texts[0].startswith("Grant 360G-northfund-B1: awardDate: '2014-13-45'")
    assert texts[1].startswith("Grant 360G-northfund-B2: awardDate: '31/31/2014'")
    assert texts[2].startswith("Grant 360G-northfund-B3: startDate: 'soon'")
    assert [e.column for e in caught.value.row_errors] == ["awardDate", "awardDate", "startDate"]
    notes = [en for _, en in caught.value.notes]
    assert "unreadable or impossible awardDate: 2 grants, 2 recipients, 1 funder." in notes
    assert not list(store.iter_nodes()) and store.revision() == 0


def test_placeholder_and_malformed_ids_are_recorded_but_never_merge(store: GraphStore) -> None:
    report = import_file(store, DATA / "360giving_placeholder_ids.json")
    orgs = {n.name: n for n in store.iter_nodes("Organisation")}
    assert {"St Mary's Church", "Oakwood Allotment Society", "Bridge Lunch Club",
            "Stichting Buurtkracht", "1st Oakwood Scouts", "2nd Oakwood Scouts"} <= set(orgs)
    assert orgs["St Mary's Church"].id != orgs["Oakwood Allotment Society"].id
    assert orgs["St Mary's Church"].props["identifiers"] == ["GB-REV"]
    assert orgs["Oakwood Allotment Society"].props["identifiers"] == ["GB-REV"]
    assert "kvk" not in orgs["Stichting Buurtkracht"].props
    assert orgs["Stichting Buurtkracht"].props["identifiers"] == ["NL-KVK-8190"]
    church = orgs["St Mary's Church"].id
    assert sum(r.end == church for r in store.iter_relationships("FUNDS")) == 2
    texts = [w.message_en for w in report.warnings]
    counting = [t for t in texts if "placeholder or malformed org-id" in t]
    assert len(counting) == 1 and counting[0].startswith("4 recipients with")
    assert "GB-REV" in counting[0] and "NL-KVK-8190" in counting[0] and "GB-CHC-" in counting[0]
    several = [t for t in texts if "GB-CHC-1044556" in t]
    assert several == ["Org-id GB-CHC-1044556 comes with 2 names: 1st Oakwood Scouts; 2nd Oakwood Scouts. "
                       "They stay apart; merge them on the duplicates page if they are one organisation."]
    assert orgs["1st Oakwood Scouts"].id != orgs["2nd Oakwood Scouts"].id
    assert not import_file(store, DATA / "360giving_placeholder_ids.json").changed


@pytest.mark.parametrize("order", [("north", "south"), ("south", "north")])
def test_two_funders_sharing_recipients_extend_identifiers_in_either_order(
        store: GraphStore, order: tuple[str, str]) -> None:
    first, second = (DATA / f"360giving_funder_{name}.json" for name in order)
    import_file(store, first)
    import_file(store, second)
    orgs = {n.name: n for n in store.iter_nodes("Organisation")}
    assert len(orgs) == 3
    assert orgs["Riverside Youth Club"].props["identifiers"] == (
        ["GB-CHC-1000001", "GB-COH-07444723"] if order[0] == "north" else ["GB-COH-07444723", "GB-CHC-1000001"])
    assert orgs["Canal Arts"].props["identifiers"] == ["GB-CHC-1000003"]
    assert len(list(store.iter_relationships("FUNDS"))) == 6
    state = graph_content(store)
    for name in (*order, *reversed(order)):
        report = import_file(store, DATA / f"360giving_funder_{name}.json")
        assert not report.changed and report.total("updated") == 0
    assert graph_content(store) == state


@pytest.mark.testdata
def test_the_real_indigo_file_imports_with_its_odd_org_ids_kept_apart() -> None:
    indigo = TESTDATA / "360giving-indigo-trust" / "indigo.json"
    from graphsvc.store import open_store

    store = open_store("sqlite:///:memory:")
    report = import_file(store, indigo)
    assert report.created["FUNDS"] == 269
    odd = [n for n in store.iter_nodes("Organisation") if "GB-COH-IP" in n.props.get("identifiers", [])]
    assert len(odd) == 1 and odd[0].id.startswith("org-gb-coh-ip-")
    assert any("placeholder or malformed org-id" in w.message_en for w in report.warnings)
    assert not import_file(store, indigo).changed


@pytest.mark.parametrize("first", ["north", "east"])
def test_one_charity_number_named_differently_by_two_funders_keeps_the_first_name(
        store: GraphStore, tmp_path: Path, first: str) -> None:
    east = {"grants": [{"id": "360G-eastfund-1", "currency": "GBP", "amountAwarded": 700, "awardDate": "2016",
                        "fundingOrganization": [{"id": "360G-eastfund", "name": "East Fund"}],
                        "recipientOrganization": [{"id": "GB-CHC-1000001", "name": "Riverside Youth Club CIO"}]}]}
    (tmp_path / "east.json").write_text(json.dumps(east), encoding="utf-8")
    paths = {"north": DATA / "360giving_funder_north.json", "east": tmp_path / "east.json"}
    import_file(store, paths[first])
    second = import_file(store, paths["east" if first == "north" else "north"])
    node = store.get_node("org-gb-chc-1000001")
    assert node.name == ("Riverside Youth Club" if first == "north" else "Riverside Youth Club CIO")
    assert any("is already in the map as" in w.message_en for w in second.warnings)
    state = graph_content(store)
    for name in ("north", "east", "north"):
        assert not import_file(store, paths[name]).changed
    assert graph_content(store) == state


def test_month_only_grants_count_in_their_period(store: GraphStore) -> None:
    from graphsvc.snapshot import Snapshot
    from queries.funding import organisation_dependency

    import_file(store, DATA / "360giving_month_dates.json")
    snap = Snapshot.from_store(store)
    riverside, hillside = "org-gb-chc-1000001", "org-gb-chc-1000002"
    assert organisation_dependency(snap, riverside, period="2013").total == 1000
    assert organisation_dependency(snap, hillside, period="2013").total == 0
    assert organisation_dependency(snap, hillside, period="2014").total == 1000
