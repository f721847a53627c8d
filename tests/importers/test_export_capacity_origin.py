"""A need confirmed from a capacity profile is exported, but not where it came from (it would reveal a low score)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphsvc.access.visibility import Viewer
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from importers.dump import write_store_dump
from importers.graphml import export_records


@pytest.fixture
def confirmed_need(sqlite_store: GraphStore) -> GraphStore:
    with sqlite_store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "A"}))
        tx.upsert_node(Node("financiele-administratie", "Capability", {"name": "Financiële administratie"}))
        tx.upsert_relationship(Relationship("NEEDS", "o1", "financiele-administratie", {
            "source": "capacity", "confirmed_by": "coach-ayse", "confirmed_at": "2026-11-01"}))
    return sqlite_store


@pytest.mark.parametrize("role", ["public", "funder", "member"])
def test_others_see_the_need_but_not_its_origin(confirmed_need: GraphStore, role: str) -> None:
    viewer = Viewer(role, frozenset({"someone-else"}))
    _, rels = export_records(confirmed_need, viewer)
    (need,) = [r for r in rels if r.type == "NEEDS"]
    assert dict(need.props) == {}


def test_the_organisations_coach_sees_the_origin(confirmed_need: GraphStore) -> None:
    _, rels = export_records(confirmed_need, Viewer("coach", frozenset({"o1"})))
    (need,) = [r for r in rels if r.type == "NEEDS"]
    assert need.props["confirmed_by"] == "coach-ayse"


def test_dump_for_a_funder_hides_the_origin(confirmed_need: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    write_store_dump(confirmed_need, out, Viewer("funder"))
    text = out.read_text()
    assert "coach-ayse" not in text and '"capacity"' not in text
    assert "financiele-administratie" in text
    assert json.loads(text)["format"] == "goudkaart-dump"
