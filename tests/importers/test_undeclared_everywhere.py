"""An unknown property in a file of any format is never stored, so no role ever sees it.

Each file carries an organisation with ``contact_email`` and ``zz_note`` (properties no label
declares) holding a marker. The dump refuses it, naming the file, row and attribute; GraphML
and GEXF drop the extras with one warning; the tabular, HSDS and 360Giving readers take only the
columns and fields they know. Then the marker is looked for in the API, the pages, the map
payloads and every export, for every role.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.store import GraphStore
from importers.dump import write_dump_records
from importers.exporters import EXPORT_FORMATS
from importers.files import import_file
from importers.report import ImportRejected
from tests.conftest import PASSWORD, csrf_token_from
from tests.importers.conftest import store_state
from tests.small_graph import seed_small

MARK = "LEAKMARK-7f3a"
EXTRA = {"contact_email": f"{MARK}@example.org", "zz_note": f"{MARK} note"}
ORG = "org-leak"


def _graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node(ORG, label="Organisation", name="Lekvrij", **EXTRA)
    graph.add_node("area-e", label="Neighbourhood", name="West", code="E")
    graph.add_edge(ORG, "area-e", type="ACTIVE_IN")
    return graph


def _tabular(folder: Path) -> Path:
    path = folder / "organisations.csv"
    path.write_text(f"id,name,areas,contact_email,zz_note\n{ORG},Lekvrij,E,{EXTRA['contact_email']},"
                    f"{EXTRA['zz_note']}\n", encoding="utf-8")
    return path


def _hsds(folder: Path) -> Path:
    path = folder / "org.json"
    path.write_text(json.dumps({"id": ORG, "name": "Lekvrij", "email": EXTRA["contact_email"],
                                "zz_note": EXTRA["zz_note"], "description": "Taal"}), encoding="utf-8")
    return path


def _360(folder: Path) -> Path:
    grant = {"id": "G-1", "title": "Taal", "currency": "EUR", "amountAwarded": 500, "awardDate": "2025-01-15",
             "zz_note": EXTRA["zz_note"],
             "fundingOrganization": [{"id": "GB-COH-1", "name": "Fonds", "email": EXTRA["contact_email"]}],
             "recipientOrganization": [{"id": "GB-COH-2", "name": "Lekvrij", **EXTRA}]}
    path = folder / "grants.json"
    path.write_text(json.dumps({"grants": [grant]}), encoding="utf-8")
    return path


def _graphml(folder: Path) -> Path:
    path = folder / "other-tool.graphml"
    nx.write_graphml(_graph(), path)
    return path


def _gexf_text(props: dict[str, str]) -> str:
    titles = ["label", "name", *props]
    declared = "".join(f'<attribute id="{i}" title="{t}" type="string"/>' for i, t in enumerate(titles))
    values = "".join(f'<attvalue for="{i}" value="{v}"/>'
                     for i, v in enumerate(["Organisation", "Lekvrij", *props.values()]))
    return ('<?xml version="1.0" encoding="UTF-8"?><gexf xmlns="http://gexf.net/1.2" version="1.2">'
            '<graph defaultedgetype="directed"><attributes class="node">' + declared + "</attributes>"
            f'<nodes><node id="{ORG}" label="Lekvrij"><attvalues>{values}</attvalues></node></nodes>'
            "<edges/></graph></gexf>")


def _gexf(folder: Path) -> Path:
    path = folder / "other-tool.gexf"
    path.write_text(_gexf_text(EXTRA), encoding="utf-8")
    return path


def _dump(folder: Path) -> Path:
    path = folder / "dump.json"
    write_dump_records(path, {"nodes": [{"id": ORG, "label": "Organisation",
                                         "props": {"name": "Lekvrij", **EXTRA}}]})
    return path


FILES: dict[str, Callable[[Path], Path]] = {
    "tabular": _tabular, "hsds": _hsds, "360giving": _360, "graphml": _graphml, "gexf": _gexf,
    "dump": _dump,
}
PAGES = ("/api/v1/graph", "/api/v1/organisations", f"/api/v1/organisations/{ORG}", f"/api/v1/actors/{ORG}",
         "/organisations", f"/actors/{ORG}", "/map", "/", "/api/v1/clusters/map", "/areas/E/meeting",
         "/meeting/E/offline.html", f"/organisations/{ORG}/history")
ROLES = (("public", ()), ("member", (ORG,)), ("coach", (ORG,)), ("funder", ()), ("admin", ()))


def _client(app: Flask, role: str, orgs: tuple[str, ...]) -> FlaskClient:
    client = app.test_client()
    if role == "public":
        return client
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user(f"{role}-leak", PASSWORD, role, list(orgs))
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"username": f"{role}-leak", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    return client


def _everything_seen(client: FlaskClient, role: str) -> str:
    seen = []
    urls = [*PAGES, *((f"/api/v1/data/export/{fmt}" for fmt in EXPORT_FORMATS) if role != "public" else ())]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code < 500, url
        seen.append(answer.get_data().decode("utf-8", "replace"))
    return "\n".join(seen)


@pytest.mark.parametrize("fmt", list(FILES))
def test_an_unknown_property_is_never_stored_nor_shown(fmt: str, app: Flask, sqlite_store: GraphStore,
                                                       tmp_path: Path) -> None:
    seed_small(sqlite_store)
    path = FILES[fmt](tmp_path)
    if fmt == "dump":
        before = store_state(sqlite_store)
        with pytest.raises(ImportRejected) as refused:
            import_file(sqlite_store, path)
        texts = [e.text("en") for e in refused.value.row_errors]
        assert any("dump.json, node " in t and "attribute contact_email" in t
                   and "not a declared property of Organisation" in t for t in texts), texts
        assert store_state(sqlite_store) == before
    else:
        report = import_file(sqlite_store, path, format=fmt)
        if fmt in ("graphml", "gexf"):
            dropped = [w.message_en for w in report.warnings if "left out" in w.message_en]
            assert len(dropped) == 1 and "contact_email" in dropped[0] and "zz_note" in dropped[0]
    stored = json.dumps([dict(n.props) for n in sqlite_store.iter_nodes()])
    assert MARK not in stored
    for role, orgs in ROLES:
        assert MARK not in _everything_seen(_client(app, role, orgs), role), (fmt, role)


@pytest.mark.parametrize("content", [
    "id,name,languages\norg-x,X,nl|fraud\n",
    "id,name,kind\norg-x,X,risico-organisatie\n",
])
def test_a_risk_word_in_a_value_is_refused(content: str, sqlite_store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_file(sqlite_store, path)
    assert sqlite_store.revision() == 0
    assert refused.value.row_errors[0].row == 2


def test_a_risk_word_as_a_column_is_refused(sqlite_store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text("id,name,Frauderisico\norg-x,X,hoog\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_file(sqlite_store, path)
    assert [(e.row, e.column) for e in refused.value.row_errors] == [(1, "Frauderisico")]
    assert sqlite_store.revision() == 0


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "dump"])
def test_a_risk_word_in_a_property_name_is_refused_even_where_extras_are_dropped(
        fmt: str, sqlite_store: GraphStore, tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node(ORG, label="Organisation", name="X", fraud_flag="yes", risicoscore=3)
    path = tmp_path / f"g.{fmt}"
    if fmt == "graphml":
        nx.write_graphml(graph, path)
    elif fmt == "gexf":
        path.write_text(_gexf_text({"fraud_flag": "yes", "risicoscore": "3"}), encoding="utf-8")
    else:
        write_dump_records(path, {"nodes": [{"id": ORG, "label": "Organisation",
                                             "props": {"name": "X", "fraud_flag": "yes", "risicoscore": 3}}]})
    with pytest.raises(ImportRejected) as refused:
        import_file(sqlite_store, path)
    columns = {e.column for e in refused.value.row_errors}
    assert {"fraud_flag", "risicoscore"} <= columns
    assert all("risk or a fraud" in e.text("en") for e in refused.value.row_errors)
    assert sqlite_store.revision() == 0
