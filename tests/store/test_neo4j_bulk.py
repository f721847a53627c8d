"""The bulk create: records sent exactly as an upsert stores them, and every kind of value copied by
``migrate`` into an empty Neo4j reads back with its type."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.actions.migrate import migrate
from graphsvc.generate import iter_generated
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import read_consistent
from graphsvc.store.neo4j_bulk import sent_node, sent_rel
from graphsvc.store.neo4j_props import as_sent, stored_node, stored_rel
from tests.store.test_neo4j_native import TIE, VALUES, _write, typed

pytestmark = pytest.mark.usefixtures("undeclared_allowed")

STAMPS = ("2024-03-01T10:00:00Z", "2024-03-01T10:00:00.250000+01:00", "2024-03-01T10:00:00",
          "not a time", "2024-03-01")


@pytest.mark.parametrize("created, updated", [(a, b) for a in STAMPS for b in STAMPS[:3]])
def test_a_record_is_sent_as_an_upsert_stores_it(created: str, updated: str) -> None:
    node = Node("o1", "Organisation", VALUES, version=3)
    rel = Relationship("TIE", "o1", "o2", {**TIE, **VALUES}, key="k", version=2)
    assert sent_node(node, created, updated) == as_sent(stored_node(node, 3, created, updated))
    assert sent_rel(rel, created, updated) == as_sent(stored_rel(rel, 2, created, updated))


def test_a_generated_graph_is_sent_as_an_upsert_stores_it() -> None:
    for record in iter_generated(300):
        stamp = record.created_at or "2026-01-01T00:00:00Z"
        if isinstance(record, Node):
            assert sent_node(record, stamp, stamp) == as_sent(stored_node(record, record.version, stamp, stamp))
        else:
            assert sent_rel(record, stamp, stamp) == as_sent(stored_rel(record, record.version, stamp, stamp))


@pytest.mark.neo4j
def test_every_kind_of_value_survives_the_bulk_path(neo4j_store: GraphStore, tmp_path: Path) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    try:
        _write(source)
        report = migrate(source, neo4j_store)
        assert report.nodes_changed == 2 and report.relationships_changed == 1  # created in bulk
        want, got = read_consistent(source), read_consistent(neo4j_store)
        for ours, theirs in ((want.nodes, got.nodes), (want.relationships, got.relationships)):
            assert [(typed(dict(r.props)), r.version, r.created_at, r.updated_at) for r in theirs] == \
                   [(typed(dict(r.props)), r.version, r.created_at, r.updated_at) for r in ours]
    finally:
        source.close()
