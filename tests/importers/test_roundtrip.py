"""What goes in comes out: demo → GraphML/GEXF → new store → again, and the full dump → restore."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.access.visibility import PUBLIC, Viewer
from graphsvc.actions.signals import is_signal_record
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore, open_store
from importers.exporters import export_store
from importers.files import import_file
from tests.importers.conftest import graph_content, store_state

ADMIN = Viewer("admin")


def _exchanged(counts: dict[str, int]) -> int:
    """How many of these go into GraphML/GEXF: everything but early signals."""
    return sum(n for name, n in counts.items() if not is_signal_record(name))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_demo_through_a_graph_file_into_a_new_store_and_out_again_is_identical(
        demo_store: GraphStore, tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    export_store(demo_store, fmt, first, ADMIN)
    fresh = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    report = import_file(fresh, first)
    assert report.total("created") == _exchanged(demo_store.counts()["nodes"]) + \
        _exchanged(demo_store.counts()["relationships"])
    export_store(fresh, fmt, second, ADMIN)
    assert first.read_bytes() == second.read_bytes()
    before, after = graph_content(demo_store), graph_content(fresh)
    # single early signals never go into exchange formats (they name their organisation)
    before["nodes"] = {k: v for k, v in before["nodes"].items() if not is_signal_record(v[0])}
    before["rels"] = {k: v for k, v in before["rels"].items() if not is_signal_record(k[0])}
    assert after["nodes"] == before["nodes"] and after["rels"] == before["rels"]


def test_graphml_carries_labels_names_types_rungs_and_joined_lists(demo_store: GraphStore,
                                                                   tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    export_store(demo_store, "graphml", path, ADMIN)
    graph = nx.read_graphml(path, force_multigraph=True)
    org = graph.nodes["org-al-amal-west"]
    assert org["type"] == "Organisation" and org["label"] == org["name"] == "Stichting Al Amal West"
    assert org["languages"] == "ar|nl|ber"
    types = {d["type"] for _, _, d in graph.edges(data=True)}
    assert {"TIE", "FUNDS", "WORKS_ON", "ACTIVE_IN"} <= types
    assert all(1 <= d["rung"] <= 5 for _, _, d in graph.edges(data=True) if d["type"] == "TIE")


def test_gexf_opens_in_networkx_and_shows_names_as_gexf_labels(demo_store: GraphStore,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "g.gexf"
    export_store(demo_store, "gexf", path, ADMIN)
    graph = nx.read_gexf(path)
    assert graph.number_of_nodes() == _exchanged(demo_store.counts()["nodes"])
    assert "<attvalue for=\"type\" value=\"Organisation\"" in path.read_text(encoding="utf-8")


def test_full_dump_and_restore_round_trips_everything_including_tie_history(
        demo_store: GraphStore, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    counts = export_store(demo_store, "json", first, ADMIN)
    assert counts["tie_events"] == len(demo_store.tie_history()) > 0
    fresh = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    report = import_file(fresh, first)
    assert report.tie_events_added == counts["tie_events"]
    assert graph_content(fresh) == graph_content(demo_store)
    assert {n.id: n.created_at for n in fresh.iter_nodes()} == \
        {n.id: n.created_at for n in demo_store.iter_nodes()}
    export_store(fresh, "json", second, ADMIN)
    assert first.read_bytes() == second.read_bytes()


def test_restoring_the_same_dump_again_changes_nothing(demo_store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    export_store(demo_store, "json", path, ADMIN)
    before = store_state(demo_store)
    report = import_file(demo_store, path)
    assert not report.changed and store_state(demo_store) == before


def test_the_generator_output_is_a_dump_this_importer_restores(tmp_path: Path) -> None:
    from graphsvc.generate import write_json

    path = tmp_path / "gen.json"
    written = write_json(path, 60, seed=4)
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    report = import_file(store, path)
    assert report.total("created") == written["nodes"] + written["relationships"]
    assert len(store.tie_history()) == written["tie_events"]


def test_exports_leave_out_confidential_fields_for_roles_that_may_not_see_them(
        demo_store: GraphStore, tmp_path: Path) -> None:
    for fmt in ("json", "graphml", "gexf", "kumu", "csv", "xlsx"):
        path = tmp_path / f"public-{fmt}"
        export_store(demo_store, fmt, path, PUBLIC)
        text = b"".join(p.read_bytes() for p in ([path] if path.is_file() else path.iterdir()))
        assert b"contact_persons" not in text and b"@example.org" not in text, fmt
    export_store(demo_store, "json", tmp_path / "admin.json", ADMIN)
    dump = json.loads((tmp_path / "admin.json").read_text(encoding="utf-8"))
    assert any("contact_persons" in n["props"] for n in dump["nodes"])


def test_a_member_export_shows_only_their_own_organisations_confidential_fields(
        demo_store: GraphStore, tmp_path: Path) -> None:
    own = "org-al-amal-west"
    export_store(demo_store, "json", tmp_path / "m.json", Viewer("member", frozenset({own})))
    nodes = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["nodes"]
    with_contacts = {n["id"] for n in nodes if "contact_persons" in n["props"]}
    assert with_contacts == {own}


def test_restoring_a_filtered_dump_keeps_confidential_fields_already_in_the_store(
        tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "A", "capacity": {"governance": 2}}))
        tx.upsert_node(Node("o2", "Organisation", {"name": "B"}))
        tx.upsert_relationship(Relationship("TIE", "o1", "o2", {"rung": 2}))
    export_store(store, "json", tmp_path / "public.json", PUBLIC)
    import_file(store, tmp_path / "public.json")
    assert store.get_node("o1").props["capacity"] == {"governance": 2}


def test_a_batched_import_writes_the_same_as_one_transaction(demo_store: GraphStore,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    export_store(demo_store, "json", path, ADMIN)
    fresh = open_store(f"sqlite:///{tmp_path / 'batched.db'}")
    report = import_file(fresh, path, per_transaction=1000)
    assert report.transactions > 3 and fresh.revision() == report.transactions
    assert graph_content(fresh) == graph_content(demo_store)
    assert not import_file(fresh, path, per_transaction=1000).changed
