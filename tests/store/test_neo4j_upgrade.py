"""Upgrade in place: a Neo4j graph in the old layout (properties as JSON text) becomes native
properties on the next start, batch by batch and resumably, and answers exactly as before."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.model import Relationship
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import read_consistent
from graphsvc.store.neo4j_upgrade import upgrade_batches
from tests.conftest import PASSWORD, csrf_token_from
from tests.neo4j_server import Neo4jServer
from tests.store.old_layout import write_old_layout
from tests.store.test_parity import content, write_pinned_demo

pytestmark = pytest.mark.neo4j


def _history(store: GraphStore) -> None:
    """Edits after the demo: versions above 1, tie events, change-log entries, a deletion."""
    snap_orgs = [n for n in store.iter_nodes("Organisation")][:3]
    ties = list(store.iter_relationships("TIE"))[:2]
    with store.transaction(source="edit", actor="tester") as tx:
        first = snap_orgs[0]
        tx.upsert_node(replace(first, props={**first.props, "volunteers": 41, "languages": ["nl", "ar"]}))
        tie = ties[0]
        tx.upsert_relationship(Relationship("TIE", tie.start, tie.end,
                                            {**tie.props, "rung": tie.props["rung"] % 5 + 1,
                                             "confirmed_at": "2025-02-03T10:00:00Z"}))
        tx.delete_relationship("TIE", ties[1].start, ties[1].end)
    with store.transaction(source="edit", actor="tester") as tx:
        second = snap_orgs[1]
        tx.upsert_node(replace(second, props={**second.props, "name": second.props["name"] + " (new)"}))


def _strip(value: Any) -> Any:
    """An API answer without its revision numbers (the two stores count revisions apart)."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "revision"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _client(store: GraphStore, url: str, tmp: Path) -> FlaskClient:
    from graphsvc.web import create_app

    tmp.mkdir(parents=True, exist_ok=True)
    app: Flask = create_app(load_settings(environ={}, store=url, testing=True, secret_key="k",
                                          accounts_db=str(tmp / "accounts.db")), store=store)
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("upgrade-admin", PASSWORD, "admin", [])
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "upgrade-admin", "password": PASSWORD, "csrf_token": token})
    return client


def _answers(client: FlaskClient, store: GraphStore) -> dict[str, Any]:
    """Every GET of the API the data can fill in: lists, areas, maps, profiles, matches, funds."""
    actors = [n.id for label in ("Organisation", "Institution", "Fund") for n in store.iter_nodes(label)]
    areas = [n.props["code"] for n in store.iter_nodes("Neighbourhood")]
    urls = ["/api/v1/organisations", "/api/v1/institutions", "/api/v1/areas", "/api/v1/stats",
            "/api/v1/graph", *[f"/api/v1/graph?area={code}" for code in areas[::4]]]
    for actor in actors[::9]:
        urls += [f"/api/v1/actors/{actor}", f"/api/v1/organisations/{actor}/matches",
                 f"/api/v1/organisations/{actor}/funds", f"/api/v1/organisations/{actor}/referrals"]
    out = {}
    for url in urls:
        response = client.get(url)
        out[url] = (response.status_code, _strip(json.loads(response.get_data(as_text=True))))
    assert sum(code == 200 for code, _ in out.values()) > len(urls) // 2, "the API was not exercised"
    return out


@pytest.fixture
def reference(tmp_path: Path) -> Iterator[tuple[GraphStore, str]]:
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    store = open_store(url)
    write_pinned_demo(store)
    _history(store)
    yield store, url
    store.close()


def _write_old(neo4j_server: Neo4jServer, reference: GraphStore) -> None:
    neo4j_server.clear()
    data = read_consistent(reference)
    changes = sorted(reference.changes(limit=100_000), key=lambda c: c.seq)
    write_old_layout(neo4j_server.driver(), neo4j_server.database, data, changes,
                     revision=reference.revision())


def test_an_old_layout_graph_is_upgraded_on_start_and_answers_as_before(
        neo4j_server: Neo4jServer, reference: tuple[GraphStore, str], tmp_path: Path) -> None:
    sqlite, sqlite_url = reference
    _write_old(neo4j_server, sqlite)
    old = neo4j_server.driver().execute_query(
        "MATCH (n:Organisation) RETURN count(n.props_json) AS json, count(n.kind) AS kind").records[0]
    assert old["json"] > 100 and old["kind"] == 0  # what the issue saw: everything inside JSON

    store = neo4j_server.store()
    try:
        assert content(read_consistent(store)) == content(read_consistent(sqlite))  # versions, times
        assert store.revision() == sqlite.revision()
        assert store.tie_history() == sqlite.tie_history()
        assert store.changes(limit=10_000) == sqlite.changes(limit=10_000)
        counts, _, _ = neo4j_server.driver().execute_query(
            "MATCH (n:GNode) RETURN count(n.props_json) AS json, count(n.label) AS label, "
            "count(n.kind) AS kind, count{ MATCH ()-[r]->() WHERE r.props_json IS NOT NULL } AS rels, "
            "count{ MATCH (m:GMeta) WHERE m.layout = 2 } AS done")
        assert dict(counts[0]) | {"kind": 0} == {"json": 0, "label": 0, "kind": 0, "rels": 0, "done": 1}
        assert counts[0]["kind"] >= 100
        answers = _answers(_client(store, neo4j_server.url, tmp_path / "a"), store)
        assert answers == _answers(_client(sqlite, sqlite_url, tmp_path / "b"), sqlite)
    finally:
        store.close()


def test_an_upgrade_stopped_half_way_completes_on_the_next_start(
        neo4j_server: Neo4jServer, reference: tuple[GraphStore, str]) -> None:
    sqlite, _ = reference
    _write_old(neo4j_server, sqlite)
    steps = upgrade_batches(neo4j_server.driver(), neo4j_server.database, batch=40)
    done = [next(steps) for _ in range(3)]  # three committed batches, then the process "dies"
    steps.close()
    assert [stage for stage, _ in done] == ["nodes"] * 3
    left, _, _ = neo4j_server.driver().execute_query(
        "MATCH (n:GNode) RETURN count(n.props_json) AS old, count(*) AS all")
    assert 0 < left[0]["old"] < left[0]["all"]  # a half-upgraded graph

    store = neo4j_server.store()
    try:
        assert content(read_consistent(store)) == content(read_consistent(sqlite))
        assert store.changes(limit=10_000) == sqlite.changes(limit=10_000)
    finally:
        store.close()
