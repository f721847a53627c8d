"""An import into an empty graph: Neo4j creates the records without reading, and ends in the store
an import through upserts makes (the same records, versions, tie history and change log)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphsvc.access.visibility import Viewer
from graphsvc.errors import Conflict
from graphsvc.model import Node
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import read_consistent
from importers.exporters import export_store
from importers.files import import_file
from tests.query_count import counted_queries

ADMIN = Viewer("admin")
READS = ("UNWIND $ids AS id MATCH (n:GNode {id: id})", "UNWIND $keys AS k OPTIONAL MATCH")


def content(store: GraphStore) -> dict[str, Any]:
    """Everything an import writes, but the clock: records with versions and the timestamps the
    file gave, the tie history, the change log without its numbering and times."""
    data = read_consistent(store)
    return {
        "nodes": [(n.id, n.label, dict(n.props), n.version) for n in data.nodes],
        "relationships": [(r.ident, dict(r.props), r.version) for r in data.relationships],
        "tie_events": [e.as_dict() for e in data.tie_events],
        "changes": [(c.op, c.kind, c.label, c.start, c.end, c.key, dict(c.old), dict(c.new), c.version,
                     c.source) for c in reversed(store.changes(limit=1_000_000))],
        "revision": store.revision(),
    }


@pytest.fixture
def dump_file(demo_store: GraphStore, tmp_path: Path) -> Path:
    path = tmp_path / "demo.json"
    export_store(demo_store, "json", path, ADMIN)
    return path


@pytest.mark.parametrize("per_transaction", [None, 150])
def test_an_import_into_an_empty_store_is_the_same_on_both_stores(
    store: GraphStore, dump_file: Path, tmp_path: Path, per_transaction: int | None
) -> None:
    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    try:
        import_file(reference, dump_file, per_transaction=per_transaction)
        with counted_queries(store) as queries:
            report = import_file(store, dump_file, per_transaction=per_transaction)
        assert report.changed and content(store) == content(reference)
        assert not import_file(store, dump_file).changed  # a second import finds it all there
    finally:
        reference.close()
    if store.url.startswith("sqlite"):
        return
    sent = " ".join(queries.statements)
    assert "CREATE (n:GNode:Organisation)" in sent and "CREATE (a)-[x:TIE]->(b)" in sent
    assert "MERGE (n:GNode" not in sent and "MERGE (a)-[x:" not in sent  # created, never upserted
    assert not any(read in sent for read in READS)  # and nothing read first


def test_a_broken_off_import_is_completed_by_the_next(store: GraphStore, dump_file: Path,
                                                      tmp_path: Path) -> None:
    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    try:
        import_file(reference, dump_file)
        import_file(store, dump_file, per_transaction=150)
        ties = list(store.iter_relationships("TIE"))
        with store.transaction() as tx:  # as if the last transactions had not been written
            for tie in ties[len(ties) // 2:]:
                tx.delete_relationship("TIE", tie.start, tie.end)
        again = import_file(store, dump_file, per_transaction=150)
        assert again.created == {"TIE": len(ties) - len(ties) // 2}
        assert content(store)["relationships"] == content(reference)["relationships"]
        assert content(store)["nodes"] == content(reference)["nodes"]
    finally:
        reference.close()


@pytest.mark.neo4j
def test_a_wrong_guess_that_the_graph_is_empty_writes_nothing(neo4j_store: GraphStore) -> None:
    with neo4j_store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "De Brug"}))
    revision = neo4j_store.revision()
    with pytest.raises(Conflict), neo4j_store.transaction() as tx:
        tx.expect_new({"o1": "Organisation", "o2": "Organisation"})  # type: ignore[attr-defined]
        tx.upsert_nodes([Node("o2", "Organisation", {"name": "Al Amal"}),
                         Node("o1", "Organisation", {"name": "De Brug 2"})])
    assert neo4j_store.revision() == revision and neo4j_store.get_node("o1").name == "De Brug"
    assert [n.id for n in neo4j_store.iter_nodes()] == ["o1"]
