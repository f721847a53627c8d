"""Spreadsheet templates: encodings, multi-value cells, duplicates, dry runs and idempotent re-imports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graphsvc.access.visibility import PUBLIC
from graphsvc.store import GraphStore
from importers.exporters import export_store
from importers.files import import_file
from importers.report import ImportRejected
from importers.templates import write_templates
from tests.importers.conftest import graph_content, store_state

ORGS = ("id,name,kvk,kind,legal_form,founded,volunteers,languages,areas,description\n"
        "org-nieuw-1,Stichting Zonnebloem Slotermeer,12345670,volunteer-organisation,stichting,2012,"
        "14,nl|ar|tr,WK0363FC|F,Café voor buren\n"
        ",Vereniging Dar Al Salam,87654321,,vereniging,,,,E,\n")
TIES = "actor_a,actor_b,rung,since,note\norg-nieuw-1,Vereniging Dar Al Salam,kennen,2025-02-01,\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def folder(tmp_path: Path, **sheets: str) -> Path:
    out = tmp_path / "sheets"
    out.mkdir(exist_ok=True)
    for name, text in sheets.items():
        write(out / f"{name}.csv", text)
    return out


def test_untouched_templates_import_nothing(demo_store: GraphStore, tmp_path: Path) -> None:
    before = store_state(demo_store)
    for path in write_templates(tmp_path):
        report = import_file(demo_store, path)
        assert not report.changed and report.skipped_rows >= 2
    assert store_state(demo_store) == before


def test_the_template_examples_import_once_the_hash_is_removed(demo_store: GraphStore,
                                                               tmp_path: Path) -> None:
    paths = write_templates(tmp_path / "t")
    out = tmp_path / "filled"
    out.mkdir()
    for path in paths[1:]:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        rows[2][0] = rows[2][0].lstrip("#")
        with open(out / path.name, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([rows[0], rows[2]])
    report = import_file(demo_store, out)
    assert report.created["Organisation"] == report.created["TIE"] == report.created["FUNDS"] == 1
    assert demo_store.get_relationship("WORKS_ON", "org-de-brug", "taal").props["weight"] == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_in_every_usual_encoding_reads_the_same(tmp_path: Path, encoding: str) -> None:
    from importers.files import read_file

    path = write(tmp_path / "organisations.csv", ORGS, encoding)
    batch = read_file(path)
    assert batch.nodes["org-nieuw-1"].node.props["description"] == "Café voor buren"
    warned = any("cp1252" in w.message_en for w in batch.problems.warnings)
    assert warned == (encoding == "cp1252")


def test_semicolon_csv_as_dutch_excel_writes_it(tmp_path: Path) -> None:
    from importers.files import read_file

    path = write(tmp_path / "organisaties.csv", "naam;KvK-nummer\nDe Brug;12345678\n", "cp1252")
    node = next(iter(read_file(path).nodes.values())).node
    assert node.props == {"name": "De Brug", "kvk": "12345678"} and node.id == "org-de-brug-12345678"


def test_import_writes_multi_value_cells_and_links(demo_store: GraphStore, tmp_path: Path) -> None:
    sheets = folder(tmp_path, organisations=ORGS, ties=TIES)
    report = import_file(demo_store, sheets)
    assert report.created["Organisation"] == 2 and report.created["TIE"] == 1
    node = demo_store.get_node("org-nieuw-1")
    assert node.props["languages"] == ["nl", "ar", "tr"] and node.props["founded"] == 2012
    assert demo_store.get_relationship("ACTIVE_IN", "org-nieuw-1", "area-wk0363fc")
    assert demo_store.get_relationship("ACTIVE_IN", "org-nieuw-1", "area-f")
    before = store_state(demo_store)
    again = import_file(demo_store, sheets)
    assert not again.changed and store_state(demo_store) == before


def test_dry_run_reports_but_writes_nothing(demo_store: GraphStore, tmp_path: Path) -> None:
    before = store_state(demo_store)
    orgs = ORGS.replace("org-nieuw-1", "org-nieuw-2").replace("12345670", "11112222") \
        .replace("87654321", "22221111").replace("Dar Al Salam", "Dar Al Amaan") \
        .replace("Zonnebloem", "Regenboog")
    report = import_file(demo_store, write(tmp_path / "organisations.csv", orgs), dry_run=True)
    assert report.dry_run and report.created["Organisation"] == 2
    assert store_state(demo_store) == before


def test_duplicates_match_by_id_then_kvk_then_name_within_an_area(demo_store: GraphStore,
                                                                  tmp_path: Path) -> None:
    existing = demo_store.get_node("org-al-amal-west")
    kvk = existing.props["kvk"]
    text = ("id,name,kvk,areas,volunteers\n"
            "org-al-amal-west,Stichting Al Amal West,,,\n"                  # by id
            f"some-new-id,Another Name,{kvk},,\n"                          # by KvK
            ",stichting  al amal west,,WK0363FC,\n"                         # by name within its area
            ",Stichting Al Amal West,,E,\n")                                # same name, other area
    report = import_file(demo_store, write(tmp_path / "organisations.csv", text), dry_run=True)
    assert report.unchanged["Organisation"] + report.updated["Organisation"] == 1
    assert report.created["Organisation"] == 1
    assert any(d.b == "org-al-amal-west" for d in report.near_duplicates)


def test_near_duplicates_are_listed_for_the_admin(demo_store: GraphStore, tmp_path: Path) -> None:
    text = "name,areas\nStichting Al Amal Wesst,E\n"
    report = import_file(demo_store, write(tmp_path / "organisations.csv", text), dry_run=True)
    assert [d.b for d in report.near_duplicates] == ["org-al-amal-west"]
    assert "alike" in report.near_duplicates[0].reason_en


def test_every_row_error_is_collected_before_anything_is_written(demo_store: GraphStore,
                                                                 tmp_path: Path) -> None:
    text = ("id,name,kvk,founded,kind\n"
            "a1,Een,123,1700,volunteer-organisation\n"
            "a2,,12345678,2000,spaceship\n"
            "a3,Drie,12345679,2001,volunteer-organisation\n")
    before = store_state(demo_store)
    with pytest.raises(ImportRejected) as caught:
        import_file(demo_store, write(tmp_path / "organisations.csv", text))
    where = {(e.row, e.column) for e in caught.value.row_errors}
    assert where == {(2, "kvk"), (2, "founded"), (3, "name"), (3, "kind")}
    assert all(e.message_nl and e.message_en for e in caught.value.row_errors)
    assert store_state(demo_store) == before


def test_xlsx_workbook_with_several_sheets_imports(empty_store: GraphStore, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "organisaties"
    for row in (["id", "naam", "kvk"], ["o1", "Al Amal", 12345678], ["o2", "De Brug", None]):
        ws.append(row)
    ties = book.create_sheet("banden")
    for row in (["actor_a", "actor_b", "trede"], ["o1", "o2", 4]):
        ties.append(row)
    book.save(tmp_path / "w.xlsx")
    report = import_file(empty_store, tmp_path / "w.xlsx")
    assert report.created["Organisation"] == 2 and report.created["TIE"] == 1
    assert empty_store.get_node("o1").props["kvk"] == "12345678"
    assert empty_store.get_relationship("TIE", "o1", "o2").props["rung"] == 4


@pytest.mark.parametrize("fmt, name", [("csv", "export.zip"), ("xlsx", "export.xlsx")])
def test_a_spreadsheet_export_imports_back_unchanged(demo_store: GraphStore, tmp_path: Path,
                                                     fmt: str, name: str) -> None:
    export_store(demo_store, fmt, tmp_path / name, PUBLIC)
    before = graph_content(demo_store)
    report = import_file(demo_store, tmp_path / name)
    assert not report.changed and graph_content(demo_store) == before
