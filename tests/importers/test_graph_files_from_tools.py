"""Graph files as Gephi, yEd and Kumu write them, and exports those tools open as they are."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from graphsvc.access.visibility import Viewer
from graphsvc.actions.signals import is_signal_record
from graphsvc.cli import cli
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore, open_store
from importers.exporters import export_store
from importers.files import import_file
from importers.graph_mapping import GraphMapping
from importers.report import ImportRejected
from tests.importers.conftest import graph_content, store_state

DATA = Path(__file__).resolve().parents[1] / "data"
GEPHI = DATA / "gephi_lesmis_small.gexf"
YED = DATA / "yed_partners.graphml"
ADMIN = Viewer("admin")
TIES = GraphMapping(node_type="Organisation", edge_type="TIE", rung_from="weight")


@pytest.mark.parametrize("path", [GEPHI, YED])
def test_a_file_from_another_tool_without_mapping_gets_one_message_with_the_command(
        store: GraphStore, path: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(store, path)
    errors = caught.value.row_errors
    assert len(errors) == 1 and caught.value.total == 1
    assert f"graphsvc import {path.name} --node-type Organisation --edge-type TIE" in errors[0].message_en
    assert "does not follow Goudkaart's convention" in errors[0].message_en
    assert store.revision() == 0 and not list(store.iter_nodes())


def test_gephi_gexf_with_native_labels_imports_with_a_mapping_and_weights_as_rungs(store: GraphStore) -> None:
    report = import_file(store, GEPHI, mapping=TIES)
    names = {n.id: n.name for n in store.iter_nodes("Organisation")}
    gephi = "gephi-lesmis-small-"  # Gephi's ids ("0") are the file's own: kept apart by its name
    assert names == {gephi + "0": "Myriel", gephi + "1": "Napoleon", gephi + "2": "MlleBaptistine",
                     gephi + "3": "MmeMagloire", gephi + "11": "Valjean"}
    rungs = {frozenset((r.start, r.end)): r.props["rung"] for r in store.iter_relationships("TIE")}
    assert len(rungs) == report.created["TIE"] == 7
    assert rungs[frozenset((gephi + "0", gephi + "1"))] == 1  # weight 1
    assert rungs[frozenset((gephi + "0", gephi + "3"))] == 5  # weight 10
    assert rungs[frozenset((gephi + "0", gephi + "11"))] == 3  # weight 5, the median
    before = graph_content(store)
    assert not import_file(store, GEPHI, mapping=TIES).changed
    assert graph_content(store) == before


def test_yed_graphml_takes_its_node_labels_as_names_and_a_fixed_rung(store: GraphStore) -> None:
    import_file(store, YED, mapping=GraphMapping(node_type="Organisation", edge_type="TIE", rung=2))
    assert sorted(n.name for n in store.iter_nodes("Organisation")) == [
        "Buurthuis De Brug", "Taalcafé Oost", "Voedselbank Zuid"]
    assert [r.props["rung"] for r in store.iter_relationships("TIE")] == [2, 2]


def test_two_yed_files_numbering_their_nodes_alike_keep_each_others_organisations(
        store: GraphStore, tmp_path: Path) -> None:
    """yEd numbers every drawing's nodes n0, n1, ...: a second group's drawing must not rename
    the first group's organisations, and an organisation both drew is found by its name."""
    yed = GraphMapping(node_type="Organisation", edge_type="TIE", rung=2)
    import_file(store, YED, mapping=yed)
    first = {n.id: n.name for n in store.iter_nodes("Organisation")}
    text = YED.read_text(encoding="utf-8")
    other = tmp_path / "netwerk west.graphml"
    other.write_text(text.replace("Buurthuis De Brug", "Moskee Al Amal").replace(
        "Voedselbank Zuid", "Surinaamse Ouderen West"), encoding="utf-8")
    report = import_file(store, other, mapping=yed)
    after = {n.id: n.name for n in store.iter_nodes("Organisation")}
    assert {k: after[k] for k in first} == first  # nothing of the first drawing renamed
    assert report.created["Organisation"] == 2 and not report.updated["Organisation"]
    assert sorted(after.values()) == ["Buurthuis De Brug", "Moskee Al Amal", "Surinaamse Ouderen West",
                                      "Taalcafé Oost", "Voedselbank Zuid"]
    ties = {frozenset((after[r.start], after[r.end])) for r in store.iter_relationships("TIE")}
    assert ties == {frozenset(pair) for pair in [  # the new ones tied to the one both drew
        ("Buurthuis De Brug", "Taalcafé Oost"), ("Taalcafé Oost", "Voedselbank Zuid"),
        ("Moskee Al Amal", "Taalcafé Oost"), ("Taalcafé Oost", "Surinaamse Ouderen West")]}


def test_ties_without_any_rung_are_one_message() -> None:
    store = open_store("sqlite:///:memory:")
    with pytest.raises(ImportRejected) as caught:
        import_file(store, YED, mapping=GraphMapping(node_type="Organisation", edge_type="TIE"))
    assert [e.message_en for e in caught.value.row_errors] == [
        "2 edges become ties (TIE) but have no rung: give --rung 1-5 or --rung-from weight."]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exports_show_names_and_types_with_unique_edge_ids_in_networkx(
        demo_store: GraphStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"map.{fmt}"
    counts = export_store(demo_store, fmt, path, ADMIN)
    graph = nx.read_graphml(path, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(path)
    org = demo_store.get_node("org-al-amal-west")
    assert graph.nodes[org.id]["label"] == org.name == "Stichting Al Amal West"
    assert graph.nodes[org.id]["type"] == "Organisation"
    exchanged = _exchanged(demo_store.counts())  # early signals never go into exchange formats
    assert {d["type"] for _, d in graph.nodes(data=True)} == set(exchanged["nodes"])
    assert graph.number_of_edges() == counts["relationships"] == sum(exchanged["relationships"].values())
    ids = re.findall(r'<edge [^>]*\bid="([^"]+)"', path.read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids)) == counts["relationships"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_files_in_the_older_convention_still_import(store: GraphStore, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"old.{fmt}"
    if fmt == "graphml":
        graph = nx.MultiDiGraph()
        graph.add_node("o1", label="Organisation", name="De Brug")
        graph.add_node("o2", label="Organisation", name="Het Anker")
        graph.add_edge("o1", "o2", key="TIE", type="TIE", rung=3)
        nx.write_graphml(graph, str(path))
    else:
        path.write_text(
            '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2"><graph defaultedgetype="directed">'
            '<attributes class="node"><attribute id="label" title="label" type="string"/>'
            '<attribute id="name" title="name" type="string"/></attributes>'
            '<attributes class="edge"><attribute id="type" title="type" type="string"/>'
            '<attribute id="rung" title="rung" type="long"/></attributes><nodes>'
            '<node id="o1" label="De Brug"><attvalues><attvalue for="label" value="Organisation"/>'
            '<attvalue for="name" value="De Brug"/></attvalues></node>'
            '<node id="o2" label="Het Anker"><attvalues><attvalue for="label" value="Organisation"/>'
            '<attvalue for="name" value="Het Anker"/></attvalues></node></nodes><edges>'
            '<edge id="e0" source="o1" target="o2"><attvalues><attvalue for="type" value="TIE"/>'
            '<attvalue for="rung" value="3"/></attvalues></edge></edges></graph></gexf>', encoding="utf-8")
    import_file(store, path)
    node = store.get_node("o1")
    assert (node.label, dict(node.props)) == ("Organisation", {"name": "De Brug"})
    assert [(r.type, r.props["rung"]) for r in store.iter_relationships()] == [("TIE", 3)]


def _exchanged(counts: Any) -> dict[str, dict[str, int]]:
    """Counts without early signals, which no exchange format carries (they name their organisation)."""
    return {kind: {name: n for name, n in by_name.items() if not is_signal_record(name)}
            for kind, by_name in counts.items() if kind in ("nodes", "relationships")}


def _stats(runner: CliRunner, url: str) -> Any:
    result = runner.invoke(cli, ["stats", "--json"], env={"GRAPHSVC_STORE": url})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    data.pop("revision")
    return data


def test_a_kumu_export_imports_back_with_the_same_stats(tmp_path: Path) -> None:
    runner = CliRunner()
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    assert runner.invoke(cli, ["demo", "--no-serve"], env={"GRAPHSVC_STORE": first}).exit_code == 0
    out = tmp_path / "map.kumu.json"
    assert runner.invoke(cli, ["export", "--format", "kumu", "--out", str(out)],
                         env={"GRAPHSVC_STORE": first}).exit_code == 0
    imported = runner.invoke(cli, ["import", str(out), "--json"], env={"GRAPHSVC_STORE": second})
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.output)["format"] == "kumu"
    assert _stats(runner, second) == _exchanged(_stats(runner, first))


def test_kumu_roundtrip_keeps_lists_on_both_stores(store: GraphStore, tmp_path: Path) -> None:
    with store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "De Brug", "languages": ["ar", "nl"]}))
        tx.upsert_node(Node("o2", "Organisation", {"name": "Het Anker"}))
        tx.upsert_relationship(Relationship("TIE", "o1", "o2", {"rung": 4}))
    path = tmp_path / "map.kumu.json"
    export_store(store, "kumu", path, ADMIN)
    before = store_state(store)
    assert not import_file(store, path).changed and store_state(store) == before
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    import_file(fresh, path)
    assert graph_content(fresh)["nodes"] == graph_content(store)["nodes"]


def test_cli_maps_a_gephi_file_and_json_reports_a_refusal_on_stdout(runner: CliRunner) -> None:
    refused = runner.invoke(cli, ["import", str(GEPHI), "--json"])
    assert refused.exit_code == 1
    shown = json.loads(refused.stdout)
    assert shown["ok"] is False and shown["error_count"] == 1
    assert "--rung-from weight" in shown["errors"][0]["message_en"]
    done = runner.invoke(cli, ["import", str(GEPHI), "--node-type", "Organisation", "--edge-type", "TIE",
                               "--rung-from", "weight", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["created"] == {"Organisation": 5, "TIE": 7}
