"""The /data preview of a graph file from another tool: choose node type, edge type and rung, then import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from graphsvc.store import GraphStore
from tests.web.test_data import _csrf, _upload

GEPHI = Path(__file__).resolve().parents[1] / "data" / "gephi_lesmis_small.gexf"


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_a_gephi_file_gets_the_mapping_form_with_weight_bins_then_imports(
        client: FlaskClient, login: Any, sqlite_store: GraphStore) -> None:
    login("admin")
    first = _upload(client, GEPHI.read_bytes(), "lesmis.gexf")
    html = first.get_data(as_text=True)
    assert first.status_code == 400 and 'id="mapping-form"' in html
    assert html.count("volgt de Goudkaart-indeling niet") == 1  # one message, not one per node
    assert 'id="weight-bins"' in html and "boven 6, tot en met" not in html and "boven 6" in html
    assert sqlite_store.revision() == 0
    form = {"csrf_token": _csrf(client), "token": _token(html), "format": "auto",
            "node_type": "Organisation", "edge_type": "TIE", "rung": "weight"}
    checked = client.post("/data/preview", data=form)
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page
    assert sqlite_store.revision() == 0 and 'name="rung" value="weight"' in page
    done = client.post("/data/confirm", data={**form, "csrf_token": _csrf(client), "token": _token(page)})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert sorted(n.name for n in sqlite_store.iter_nodes("Organisation"))[:2] == ["MlleBaptistine", "MmeMagloire"]
    assert len(list(sqlite_store.iter_relationships("TIE"))) == 7


def test_an_unknown_node_type_is_refused(client: FlaskClient, login: Any, sqlite_store: GraphStore) -> None:
    login("admin")
    html = _upload(client, GEPHI.read_bytes(), "lesmis.gexf").get_data(as_text=True)
    bad = client.post("/data/preview", data={"csrf_token": _csrf(client), "token": _token(html),
                                             "node_type": "Session", "edge_type": "TIE", "rung": "2"})
    assert bad.status_code == 400 and sqlite_store.revision() == 0


def test_a_refused_360giving_upload_lists_the_grant_ids_and_how_many_grants_each_error_concerns(
        client: FlaskClient, login: Any, sqlite_store: GraphStore) -> None:
    login("admin")
    path = GEPHI.parent / "360giving_impossible_dates.json"
    html = _upload(client, path.read_bytes(), path.name).get_data(as_text=True)
    assert "Toekenning 360G-northfund-B1: awardDate: &#39;2014-13-45&#39; is geen bestaande datum." in html
    assert 'id="error-summary"' in html
    assert "onleesbare of onmogelijke awardDate: 2 toekenningen, 2 ontvangers, 1 financier." in html
    assert sqlite_store.revision() == 0
