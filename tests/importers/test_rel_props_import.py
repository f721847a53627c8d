"""A bad weight, amount, year or grant status in a file is named by file, row and column; nothing is written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graphsvc.store import GraphStore
from importers.files import import_file
from importers.report import ImportRejected
from tests.importers.conftest import INDIGO, store_state

FUNDING = "fund,organisation,grant_id,amount,year,status\n"


def _graphml(folder: Path, edges: list[dict[str, Any]]) -> Path:
    graph = nx.MultiDiGraph()
    graph.add_node("o1", label="Organisation", name="Al Amal")
    graph.add_node("f1", label="Fund", name="Buurtfonds")
    graph.add_node("taal", label="Interest", name="Taal")
    for data in edges:
        start, end = ("o1", "taal") if data["type"] == "WORKS_ON" else ("f1", "o1")
        graph.add_edge(start, end, **data)
    path = folder / "graph.graphml"
    nx.write_graphml(graph, path)
    return path


def _rejected(store: GraphStore, path: Path, **kwargs: Any) -> list[Any]:
    before = store_state(store)
    with pytest.raises(ImportRejected) as info:
        import_file(store, path, **kwargs)
    assert store_state(store) == before
    return info.value.errors


@pytest.mark.parametrize(("weight", "shown"), [("abc", "'abc'"), (7, "7"), (0, "0"), (2.5, "2.5")])
def test_a_graphml_weight_is_named_by_file_row_and_column(empty_store: GraphStore, tmp_path: Path,
                                                          weight: Any, shown: str) -> None:
    path = _graphml(tmp_path, [{"type": "WORKS_ON", "weight": weight}])
    errors = _rejected(empty_store, path)
    assert errors == [f"graph.graphml, verbinding 1, kenmerk weight: Het gewicht moet een heel getal van "
                      f"1 tot en met 3 zijn, niet {shown}. / The weight must be a whole number from 1 to 3, "
                      f"not {shown}."]
    assert empty_store.is_empty()


def test_graphml_numbers_written_as_text_or_doubles_are_read_as_numbers(empty_store: GraphStore,
                                                                         tmp_path: Path) -> None:
    path = _graphml(tmp_path, [{"type": "WORKS_ON", "weight": "2"},
                               {"type": "FUNDS", "amount": "12500.5", "year": 2024.0, "status": "awarded"}])
    import_file(empty_store, path)
    assert empty_store.get_relationship("WORKS_ON", "o1", "taal").props == {"weight": 2}
    assert dict(next(empty_store.iter_relationships("FUNDS")).props) == {
        "amount": 12500.5, "year": 2024, "status": "awarded"}


def test_every_bad_grant_value_in_a_graphml_file_is_listed(empty_store: GraphStore, tmp_path: Path) -> None:
    path = _graphml(tmp_path, [{"type": "FUNDS", "amount": "lots", "year": 1066, "status": "granted"}])
    columns = [e.split(":")[0] for e in _rejected(empty_store, path)]
    assert columns == ["graph.graphml, verbinding 1, kenmerk amount", "graph.graphml, verbinding 1, kenmerk year",
                       "graph.graphml, verbinding 1, kenmerk status"]


@pytest.mark.parametrize(("row", "column", "message"), [
    ("fund-a,org-a,G1,12500,2025,misschien", "status", "'misschien' is not a known grant status; choose from: "
     "active, awarded, completed, pending, rejected, withdrawn."),
    ("fund-a,org-a,G1,-5,2025,awarded", "amount", "An amount cannot be negative."),
    ("fund-a,org-a,G1,veel,2025,awarded", "amount", "'veel' is not an amount"),
    ("fund-a,org-a,G1,500,1066,awarded", "year", "Enter a whole number from 1800 to"),
])
def test_a_bad_funding_cell_is_named(demo_store: GraphStore, tmp_path: Path, row: str, column: str,
                                     message: str) -> None:
    path = tmp_path / "funding.csv"
    path.write_text(FUNDING + row + "\n", encoding="utf-8")
    errors = _rejected(demo_store, path, format="tabular")
    assert len(errors) == 1 and f"funding.csv, blad funding, rij 2, kolom {column}: " in errors[0]
    assert message in errors[0]


@pytest.mark.parametrize("status", ["Toegekend", "awarded", "Applied for", "afgewezen"])
def test_the_funding_sheet_takes_a_status_by_id_or_by_name(empty_store: GraphStore, tmp_path: Path,
                                                           status: str) -> None:
    path = tmp_path / "funding.csv"
    path.write_text(FUNDING + f"Buurtfonds,Al Amal,G1,500,2025,{status}\n", encoding="utf-8")
    orgs = tmp_path / "organisations.csv"
    orgs.write_text("id,name\norg-a,Al Amal\n", encoding="utf-8")
    funds = tmp_path / "funds.csv"
    funds.write_text("id,name\nfund-a,Buurtfonds\n", encoding="utf-8")
    for file in (orgs, funds, path):
        import_file(empty_store, file, format="tabular")
    stored = empty_store.get_relationship("FUNDS", "fund-a", "org-a", "G1").props["status"]
    assert stored == {"Toegekend": "awarded", "Applied for": "pending", "afgewezen": "rejected"}.get(status, status)


def test_a_tabular_weight_out_of_range_is_named(demo_store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "interests_offers_needs.csv"
    path.write_text("actor,interests\norg-de-brug,taal:7\n", encoding="utf-8")
    errors = _rejected(demo_store, path, format="tabular")
    assert errors[0].startswith("interests_offers_needs.csv, blad interests_offers_needs, rij 2, kolom interests:")
    assert "Enter a whole number from 1 to 3, not '7'." in errors[0]


@pytest.mark.testdata
def test_a_360giving_award_year_out_of_range_names_the_award_date(empty_store: GraphStore,
                                                                   tmp_path: Path) -> None:
    data = json.loads(INDIGO.read_text(encoding="utf-8"))
    data["grants"][2]["awardDate"] = "1066-10-14"
    path = tmp_path / "indigo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    errors = _rejected(empty_store, path)
    grant = data["grants"][2]["id"]
    assert errors[0].startswith(f"indigo.json, blad grants, rij 3, kolom awardDate: Toekenning {grant}: ")
    assert f"Grant {grant}: awardDate: '1066-10-14': the year 1066 is not between 1800 and" in errors[0]
    assert errors[1:] == ["onleesbare of onmogelijke awardDate: 1 toekenning, 1 ontvanger, 1 financier. / "
                          "unreadable or impossible awardDate: 1 grant, 1 recipient, 1 funder."]


@pytest.mark.testdata
def test_the_real_360giving_sample_still_imports_with_awarded_grants(empty_store: GraphStore,
                                                                     tmp_path: Path) -> None:
    import_file(empty_store, Path(shutil.copy(INDIGO, tmp_path / "indigo.json")))
    statuses = {r.props.get("status") for r in empty_store.iter_relationships("FUNDS")}
    assert statuses == {"awarded"}
