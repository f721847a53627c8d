"""Merging duplicates keeps every relationship and the history; an old id still finds the node."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from importers.duplicates import near_duplicates
from importers.files import import_file
from importers.merge import merge_nodes, merged_history
from tests.importers.conftest import store_state


@pytest.fixture
def twins(empty_store: GraphStore) -> GraphStore:
    with empty_store.transaction(source="test") as tx:
        tx.upsert_node(Node("area", "Neighbourhood", {"name": "West", "code": "E"}))
        tx.upsert_node(Node("taal", "Interest", {"name": "Taal"}))
        tx.upsert_node(Node("fund", "Fund", {"name": "Fonds"}))
        tx.upsert_node(Node("keep", "Organisation", {"name": "Stichting De Brug", "languages": ["nl"]}))
        tx.upsert_node(Node("drop", "Organisation", {"name": "De Brug", "kvk": "12345678",
                                                     "languages": ["ar"]}))
        for other in ("x", "y"):
            tx.upsert_node(Node(other, "Organisation", {"name": other.upper()}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "drop", "area"))
        tx.upsert_relationship(Relationship("WORKS_ON", "keep", "taal", {"weight": 1}))
        tx.upsert_relationship(Relationship("WORKS_ON", "drop", "taal", {"weight": 3}))
        tx.upsert_relationship(Relationship("FUNDS", "fund", "drop", {"amount": 500}, "G-1"))
        tx.upsert_relationship(Relationship("TIE", "keep", "x", {"rung": 1, "changed_at": "2023-01-01"}))
        tx.upsert_relationship(Relationship("TIE", "drop", "x", {"rung": 4, "changed_at": "2024-01-01"}))
        tx.upsert_relationship(Relationship("TIE", "drop", "y", {"rung": 2, "changed_at": "2024-02-01"}))
        tx.upsert_relationship(Relationship("TIE", "drop", "keep", {"rung": 5}))
    return empty_store


def test_merge_moves_every_relationship_to_the_kept_node(twins: GraphStore) -> None:
    result = merge_nodes(twins, "keep", "drop")
    assert (result.moved, result.combined, result.dropped_self_ties) == (3, 2, 1)
    assert twins.get_relationship("ACTIVE_IN", "keep", "area")
    assert twins.get_relationship("FUNDS", "fund", "keep", "G-1").props["amount"] == 500
    assert twins.get_relationship("WORKS_ON", "keep", "taal").props["weight"] == 1  # kept wins
    assert twins.get_relationship("TIE", "keep", "x").props["rung"] == 4  # the higher rung
    assert twins.get_relationship("TIE", "keep", "y").props["rung"] == 2
    with pytest.raises(NotFound):
        twins.get_node("drop")
    node = twins.get_node("keep")
    assert node.props["kvk"] == "12345678" and node.props["languages"] == ["nl", "ar"]
    assert node.props["merged_from"] == ["drop"]


def test_merge_keeps_the_history_of_both(twins: GraphStore) -> None:
    merge_nodes(twins, "keep", "drop")
    history = merged_history(twins, "keep")
    pairs = {(e.a, e.b, e.new_rung) for e in history}
    assert ("drop", "x", 4) in pairs and ("keep", "x", 1) in pairs and ("keep", "x", 4) in pairs


def test_an_import_naming_the_merged_away_id_finds_the_kept_node(twins: GraphStore,
                                                                 tmp_path: Path) -> None:
    merge_nodes(twins, "keep", "drop")
    path = tmp_path / "organisations.csv"
    path.write_text("id,name,volunteers\ndrop,De Brug,12\n", encoding="utf-8")
    report = import_file(twins, path)
    assert report.updated["Organisation"] == 1 and report.created["Organisation"] == 0
    assert twins.get_node("keep").props["volunteers"] == 12


def test_merging_different_kinds_or_a_node_with_itself_is_refused(twins: GraphStore) -> None:
    before = store_state(twins)
    with pytest.raises(InvalidInput):
        merge_nodes(twins, "keep", "fund")
    with pytest.raises(InvalidInput):
        merge_nodes(twins, "keep", "keep")
    with pytest.raises(NotFound):
        merge_nodes(twins, "keep", "nobody")
    assert store_state(twins) == before


def test_near_duplicates_in_the_store_find_the_twins(twins: GraphStore) -> None:
    pairs = near_duplicates(twins.iter_nodes())
    assert [(p.a, p.b) for p in pairs] == [("drop", "keep")]
