"""The Python API for notebooks: DataFrames of the questions, safe exports, and the example notebook runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import graphsvc
from graphsvc.demo.dataset import load_demo
from graphsvc.model import Node, Relationship
from graphsvc.notebook import Graph
from queries.islands import islands
from queries.matching import partner_matches

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def g(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    graph = graphsvc.open(f"sqlite:///{tmp_path_factory.mktemp('nb') / 'graph.db'}")
    load_demo(graph.store)
    return graph


def test_the_questions_come_as_dataframes_with_the_apps_answers(g: Graph) -> None:
    matches = g.matches("org-al-amal-west", limit=5)
    expected = partner_matches(g.snapshot, "org-al-amal-west", limit=5)
    assert matches["id"].tolist() == [m.id for m in expected.matches]
    assert {"score", "reason", "part_shared_interests", "part_reciprocity"} <= set(matches.columns)
    west = g.islands("E")
    assert west["id"].tolist() == [i.id for i in islands(g.snapshot, "E")] and len(west) > 0
    assert len(g.clusters()) > 1
    flows = g.funding_flows()
    assert set(flows["kind"]) == {"area", "theme"} and flows["amount"].sum() > 0


def test_confidential_fields_stay_out_for_the_public_and_follow_the_role(g: Graph) -> None:
    assert not {"capacity", "contact_persons"} & set(g.organisations().columns)
    nx_graph = g.to_networkx()
    assert all("contact_persons" not in data for _, data in nx_graph.nodes(data=True))
    admin = Graph(g.store, role="admin")
    assert "contact_persons" in admin.organisations().columns


def test_a_write_is_seen_by_the_next_question(g: Graph) -> None:
    before = len(g.islands("E"))
    with g.store.transaction() as tx:
        tx.upsert_node(Node("org-nieuw-nb", "Organisation", {"name": "Nieuw in West"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-nieuw-nb", "area-e"))
    assert len(g.islands("E")) == before + 1


def test_the_pyvis_map_is_offline_positioned_and_escapes_names(g: Graph) -> None:
    with g.store.transaction() as tx:
        tx.upsert_node(Node("org-xss-nb", "Organisation", {"name": "<img src=x onerror=alert(1)>"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-xss-nb", "area-wk0363fc"))
    net = g.to_pyvis(area="WK0363FC")
    page = net.generate_html(notebook=True)
    assert not re.search(r'(?:src|href)="https?://', page), "the page loads something from the internet"
    node = next(n for n in net.nodes if n["id"] == "org-xss-nb")
    assert node["title"].startswith("&lt;img") and node["physics"] is False
    assert all("color" in n for n in net.nodes)


@pytest.mark.slow
def test_the_example_notebook_runs(tmp_path: Path) -> None:
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent))
    assert jupyter, "jupyter (nbclient) is not installed"
    out = tmp_path / "executed.ipynb"
    result = subprocess.run(
        [jupyter, "execute", "--timeout=300", f"--output={out}",
         str(ROOT / "docs" / "notebooks" / "goudkaart.ipynb")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    cells = json.loads(out.read_text())["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    printed = "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")
    assert re.search(r"\d+ islands in West", printed) and "nodes on the map of Slotermeer-West" in printed
