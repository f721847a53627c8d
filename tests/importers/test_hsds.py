"""Open Referral HSDS 3.0: the official examples, KvK identifiers, the mapping tables, funding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.model import Node
from graphsvc.store import GraphStore
from graphsvc.vocab import load_vocabulary
from importers.files import detect_format, import_file
from importers.hsds import read_hsds
from importers.mapping import load_term_mapping
from tests.importers.conftest import HSDS

EXAMPLE_ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
IMPORTABLE = ["organization_full.json", "organization_list.json", "service_full.json",
              "service_list.json", "service_at_location_full.json", "service_at_location_list.json",
              "tabular.json"]


@pytest.mark.testdata
@pytest.mark.parametrize("name", IMPORTABLE)
def test_every_official_json_example_with_an_organization_imports(empty_store: GraphStore,
                                                                  name: str) -> None:
    path = HSDS / "json" / name
    assert detect_format(path) == "hsds"
    report = import_file(empty_store, path)
    assert report.created["Organisation"] == 1
    assert empty_store.get_node(EXAMPLE_ORG).name == "Example Organization Inc."
    again = import_file(empty_store, path)
    assert not again.changed


@pytest.mark.testdata
def test_organization_fields_and_other_identifiers_are_kept(empty_store: GraphStore) -> None:
    import_file(empty_store, HSDS / "json" / "organization_full.json")
    props = empty_store.get_node(EXAMPLE_ORG).props
    assert props["identifiers"] == ["GB-COH-1234567"] and props["founded"] == 2011
    assert "kvk" not in props and props["funding_notes"][0].startswith("This service is funded")


@pytest.mark.testdata
def test_the_csv_package_reports_its_four_dangling_references_by_name(empty_store: GraphStore) -> None:
    report = import_file(empty_store, HSDS / "csv" / "datapackage.json")
    dangling = [w for w in report.warnings if "dangling reference" in w.message_en]
    assert {(w.sheet, w.column) for w in dangling} == {
        ("contacts.csv", "organization_id"), ("contacts.csv", "service_at_location_id"),
        ("locations.csv", "organization_id"), ("taxonomy_terms.csv", "taxonomy_id")}
    assert all(w.row == 2 and w.message_nl for w in dangling)
    assert any("organization '985e4a42-bd9f-4edc-911d-0243a4640aca'" in w.message_en for w in dangling)
    assert report.created["Organisation"] == 1


@pytest.mark.testdata
def test_a_taxonomy_term_that_is_not_mapped_is_a_warning_not_an_error(empty_store: GraphStore) -> None:
    report = import_file(empty_store, HSDS / "json" / "service_full.json")
    assert any("Taxonomy term 'name' is not in the mapping table" in w.message_en
               for w in report.warnings)


def _dutch_hsds(tmp_path: Path) -> Path:
    org = {
        "id": "hsds-org-1", "name": "Stichting Buurtkracht", "description": "Taal en ontmoeting",
        "organization_identifiers": [{"identifier_scheme": "NL-KVK", "identifier": "NL-KVK-12345678"}],
        "funding": [{"id": "f1", "source": "Buurtbudget Stadsdeel West"}],
        "locations": [{"id": "l1", "location_type": "physical", "addresses": [
            {"id": "a1", "postal_code": "1055 AB", "city": "Amsterdam"}]}],
        "services": [{"id": "s1", "name": "Taalcafé", "status": "active", "attributes": [
            {"id": "at1", "taxonomy_term": {"id": "t1", "code": "LL-100", "name": "English as a Second Language",
                                             "taxonomy": "openeligibility"}},
            {"id": "at2", "taxonomy_term": {"id": "t2", "code": "X", "name": "Onderwater mandenvlechten",
                                             "taxonomy": "local"}}]}],
    }
    path = tmp_path / "buurtkracht.json"
    path.write_text(json.dumps(org), encoding="utf-8")
    return path


def test_kvk_identifier_themes_postcode_area_and_known_fund_are_mapped(demo_store: GraphStore,
                                                                        tmp_path: Path) -> None:
    report = import_file(demo_store, _dutch_hsds(tmp_path))
    node = demo_store.get_node("hsds-org-1")
    assert node.props["kvk"] == "12345678"
    assert demo_store.get_relationship("WORKS_ON", "hsds-org-1", "taal")
    assert demo_store.get_relationship("ACTIVE_IN", "hsds-org-1", "area-e")  # 1055 -> West (E)
    assert demo_store.get_relationship("FUNDS", "fund-buurtbudget-west", "hsds-org-1", "hsds-f1")
    assert any("Onderwater mandenvlechten" in w.message_en for w in report.warnings)


def test_the_mapping_table_is_editable_data(tmp_path: Path) -> None:
    table = tmp_path / "map.csv"
    table.write_text("scheme,code,term,interest\nlocal,X,,sport\n", encoding="utf-8")
    mapping = load_term_mapping(load_vocabulary(), table)
    batch = read_hsds(_dutch_hsds(tmp_path), mapping=mapping)
    targets = {r.rel.end for r in batch.rels if r.rel.type == "WORKS_ON"}
    assert "sport" in targets


def test_the_mapping_table_refuses_interests_the_vocabulary_lacks(tmp_path: Path) -> None:
    from graphsvc.errors import ConfigError

    table = tmp_path / "map.csv"
    table.write_text("scheme,code,term,interest\n*,,x,no-such-interest\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no-such-interest"):
        load_term_mapping(load_vocabulary(), table)


def test_an_hsds_organisation_with_a_known_kvk_updates_the_existing_node(demo_store: GraphStore,
                                                                         tmp_path: Path) -> None:
    existing: Node = demo_store.get_node("org-al-amal-west")
    org = {"id": "other-system-id", "name": "Al Amal", "organization_identifiers": [
        {"identifier_scheme": "NL-KVK", "identifier": existing.props["kvk"]}]}
    path = tmp_path / "o.json"
    path.write_text(json.dumps(org), encoding="utf-8")
    report = import_file(demo_store, path, dry_run=True)
    assert report.created["Organisation"] == 0 and report.updated["Organisation"] == 1


@pytest.mark.testdata
def test_the_csv_package_can_be_uploaded_as_one_zip(empty_store: GraphStore, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in (HSDS / "csv").iterdir():
            z.write(path, path.name)
    report = import_file(empty_store, archive)
    assert report.format == "hsds" and report.created["Organisation"] == 1
    assert sum("dangling reference" in w.message_en for w in report.warnings) == 4
