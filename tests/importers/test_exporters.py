"""Kumu blueprints and formula-safe spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from graphsvc.access.visibility import PUBLIC, Viewer
from graphsvc.errors import InvalidInput
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from importers.exporters import export_store

PAYLOAD = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture
def hostile(empty_store: GraphStore) -> GraphStore:
    with empty_store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": PAYLOAD, "description": "+cmd|' /C calc'!A0",
                                                   "capacity": {"governance": 1}}))
        tx.upsert_node(Node("o2", "Organisation", {"name": "'t Buurthuis"}))
        tx.upsert_relationship(Relationship("TIE", "o1", "o2", {"rung": 3, "note": "@SUM(1)"}))
    return empty_store


def test_csv_export_neutralises_formula_cells(hostile: GraphStore, tmp_path: Path) -> None:
    export_store(hostile, "csv", tmp_path / "e.zip", Viewer("admin"))
    with zipfile.ZipFile(tmp_path / "e.zip") as archive:
        orgs = list(csv.reader(io.StringIO(archive.read("organisations.csv").decode("utf-8-sig"))))
        ties = list(csv.reader(io.StringIO(archive.read("ties.csv").decode("utf-8-sig"))))
    names = {row[0]: row[1] for row in orgs[1:]}
    assert names == {"o1": "'" + PAYLOAD, "o2": "'t Buurthuis"}
    assert ties[1][4] == "'@SUM(1)"


def test_xlsx_export_stores_formula_text_as_text(hostile: GraphStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    export_store(hostile, "xlsx", tmp_path / "e.xlsx", Viewer("admin"))
    sheet = load_workbook(tmp_path / "e.xlsx")["organisations"]
    cell = sheet["B2"]
    assert cell.value == PAYLOAD and cell.data_type == "s"


def test_kumu_blueprint_has_elements_and_connections_without_confidential_fields(
        hostile: GraphStore, tmp_path: Path) -> None:
    export_store(hostile, "kumu", tmp_path / "k.json", Viewer("admin"))
    blueprint = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert {e["id"]: e["type"] for e in blueprint["elements"]} == {"o1": "Organisation", "o2": "Organisation"}
    assert all("capacity" not in e for e in blueprint["elements"])
    tie = blueprint["connections"][0]
    assert (tie["from"], tie["to"], tie["type"], tie["rung"], tie["direction"]) == \
        ("o1", "o2", "TIE", 3, "undirected")


def test_unknown_export_format_is_refused(hostile: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Unknown export format"):
        export_store(hostile, "pdf", tmp_path / "x", PUBLIC)
