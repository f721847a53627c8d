"""360Giving: the real Indigo Trust grants, the data-quality-tool fixtures, org-ids and quirks."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from graphsvc.store import GraphStore
from importers.files import detect_format, import_file
from tests.importers.conftest import DQT, INDIGO, store_state


@pytest.mark.testdata
def test_the_indigo_trust_file_gives_269_grants_from_one_fund_summing_as_in_the_file(
        empty_store: GraphStore) -> None:
    grants = json.loads(INDIGO.read_text(encoding="utf-8"))["grants"]
    expected = sum(Decimal(str(g["amountAwarded"])) for g in grants)  # computed from the file
    assert detect_format(INDIGO) == "360giving"
    report = import_file(empty_store, INDIGO)
    funds = list(empty_store.iter_relationships("FUNDS"))
    assert len(funds) == len(grants) == 269 and report.created["FUNDS"] == 269
    assert [n.name for n in empty_store.iter_nodes("Fund")] == ["Indigo Trust"]
    assert {r.start for r in funds} == {"fund-360g-indigotrust"}
    total = sum(Decimal(str(r.props["amount"])) for r in funds)
    assert total == expected
    assert {r.props["currency"] for r in funds} == {"GBP"}
    assert {r.key for r in funds} == {g["id"] for g in grants}


@pytest.mark.testdata
def test_indigo_recipients_placeholder_ids_count_as_no_id(empty_store: GraphStore) -> None:
    import_file(empty_store, INDIGO)
    grants = json.loads(INDIGO.read_text(encoding="utf-8"))["grants"]
    dummy = next(g for g in grants if g["recipientOrganization"][0]["id"].startswith("DUMMY"))
    name = dummy["recipientOrganization"][0]["name"]
    node = next(n for n in empty_store.iter_nodes("Organisation") if n.name == name)
    assert "DUMMY" not in node.id.upper() and not any("DUMMY" in i for i in node.props.get("identifiers", []))
    charity = empty_store.get_node("org-gb-chc-1070468")
    assert charity.props["identifiers"] == ["GB-CHC-1070468"]


@pytest.mark.testdata
def test_indigo_quirks_are_accepted_with_warnings(empty_store: GraphStore) -> None:
    report = import_file(empty_store, INDIGO)
    texts = [w.message_en for w in report.warnings]
    assert any("read as day/month/year: 2001-03-26" in t for t in texts)
    assert any("'12 months' read as 12 months" in t for t in texts)
    grant = empty_store.get_relationship("FUNDS", "fund-360g-indigotrust", "org-gb-chc-1070468",
                                         "360G-indigotrust:IND1")
    assert grant.props["award_date"] == "2001-03-26" and grant.props["duration_months"] == 12
    assert grant.props["year"] == 2001 and grant.props["title"] == "Space to Imagine"


@pytest.mark.testdata
def test_reimporting_the_same_grants_changes_nothing(empty_store: GraphStore) -> None:
    import_file(empty_store, INDIGO)
    before = store_state(empty_store)
    assert not import_file(empty_store, INDIGO).changed
    assert store_state(empty_store) == before


@pytest.mark.testdata
def test_titled_csv_in_utf8_and_cp1252_are_both_read(empty_store: GraphStore) -> None:
    from importers.files import read_file

    utf8 = read_file(DQT / "fundingproviders_grants_2_grants.csv")
    cp1252 = read_file(DQT / "fundingproviders-grants_2_grants_cp1252.csv")
    assert utf8.format == cp1252.format == "360giving"
    assert [r.rel.props["amount"] for r in utf8.rels] == [r.rel.props["amount"] for r in cp1252.rels]
    assert cp1252.rels[0].rel.key == "360G-<~>€funding€providers-000001/X/00/X"  # € from byte 0x80
    assert any("cp1252" in w.message_en for w in cp1252.problems.warnings)
    report = import_file(empty_store, DQT / "fundingproviders_grants_2_grants.csv")
    assert report.created["FUNDS"] == 2 and report.created["Fund"] == 1
    grant = next(empty_store.iter_relationships("FUNDS"))
    assert grant.props["amount"] == 152505 and grant.props["duration_months"] == 30


@pytest.mark.testdata
def test_classifications_become_themes_through_the_mapping_table(empty_store: GraphStore) -> None:
    report = import_file(empty_store, DQT / "fundingtrust-grants_dc.csv")
    assert report.created["FUNDS"] == 9
    themes = {r.end for r in empty_store.iter_relationships("WORKS_ON")}
    assert themes == {"onderwijs", "cultuur-en-religie"}


def test_nl_kvk_org_ids_give_the_kvk_number_and_match_existing_organisations(
        demo_store: GraphStore, tmp_path: Path) -> None:
    existing = demo_store.get_node("org-al-amal-west")
    grant = {"id": "NL-G-1", "title": "Taalcafé", "currency": "EUR", "amountAwarded": 5000,
             "awardDate": "2025-01-15",
             "fundingOrganization": [{"id": "NL-KVK-41111111", "name": "Buurtfonds"}],
             "recipientOrganization": [{"id": f"NL-KVK-{existing.props['kvk']}", "name": "Al Amal"}],
             "plannedDates": [{"startDate": "2025-02-01", "endDate": "2025-12-31"}]}
    path = tmp_path / "nl.json"
    path.write_text(json.dumps({"grants": [grant]}), encoding="utf-8")
    import_file(demo_store, path)
    funds = demo_store.get_relationship("FUNDS", "fund-nl-kvk-41111111", "org-al-amal-west", "NL-G-1")
    assert funds.props["start"] == "2025-02-01" and funds.props["end"] == "2025-12-31"


@pytest.mark.testdata
@pytest.mark.parametrize("name", ["fundingproviders-grants_broken_grants.json",
                                  "fundingproviders-grants_fixed_2_grants.json"])
def test_dqt_json_fixtures_with_duplicate_grant_ids_are_refused(demo_store: GraphStore,
                                                                 name: str) -> None:
    from importers.report import ImportRejected

    before = store_state(demo_store)
    with pytest.raises(ImportRejected) as caught:
        import_file(demo_store, DQT / name)
    assert any("is also on row" in e.message_en for e in caught.value.row_errors)
    assert store_state(demo_store) == before


@pytest.mark.testdata
def test_a_titled_xlsx_workbook_is_read_like_the_csv(empty_store: GraphStore, tmp_path: Path) -> None:
    import csv

    from openpyxl import Workbook

    rows = list(csv.reader((DQT / "fundingproviders_grants_2_grants.csv").read_text(encoding="utf-8").splitlines()))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "grants"
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "grants.xlsx")
    assert detect_format(tmp_path / "grants.xlsx") == "360giving"
    report = import_file(empty_store, tmp_path / "grants.xlsx")
    assert report.created["FUNDS"] == 2
    assert sorted(r.props["amount"] for r in empty_store.iter_relationships("FUNDS")) == [152505, 178990]
