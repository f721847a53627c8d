"""Round trips per request on Neo4j with ``GRAPHSVC_FRESHNESS=0`` (every request asks): the
revision is asked once per request (a page that reads the snapshot twice does not ask twice),
and a write inside the request is still seen. Within the default bound a read asks nothing
(tests/web/test_freshness.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from graphsvc.web.services import services
from tests.conftest import PASSWORD, csrf_token_from
from tests.neo4j_server import Neo4jServer
from tests.query_count import counted_queries

pytestmark = pytest.mark.neo4j
_ACCOUNTS = re.compile(r"GApiToken|GAccount|GAudit|GWebSession|GCounter|GMark")


def test_a_request_asks_the_revision_once_and_sees_its_own_writes(
        neo4j_store: GraphStore, neo4j_server: Neo4jServer, tmp_path: Path) -> None:
    load_demo(neo4j_store)
    app = create_app(load_settings(environ={}, store=neo4j_server.url, testing=True, secret_key="k",
                                   accounts_db=str(tmp_path / "accounts.db"), freshness=0.0),
                     store=neo4j_store)
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("admin", PASSWORD, "admin", [])
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    org = next(neo4j_store.iter_nodes("Organisation")).id
    url = f"/api/v1/organisations/{org}/matches"
    assert client.get(url).status_code == 200  # warm: snapshot built, answer cached
    with counted_queries(neo4j_store) as queries:
        assert client.get(url).status_code == 200
    # the login session is checked in the store too (accounts live there): counted apart
    graph = [q for q in queries.statements if not _ACCOUNTS.search(q)]
    assert len(graph) == 1 and "GMeta" in graph[0]  # the revision, once
    accounts = [q for q in queries.statements if _ACCOUNTS.search(q)]
    assert len(accounts) == 1 and "GWebSession" in accounts[0] and "GAccount" in accounts[0]  # together

    a, b = [n.id for n in neo4j_store.iter_nodes("Organisation")][:2]
    with app.test_request_context("/"):
        before = services().snapshot()
        assert services().snapshot() is before  # asked once in this request
        with neo4j_store.transaction(source="test") as tx:
            tx.upsert_relationship(Relationship("TIE", a, b, {"rung": 5 if before.rung(a, b) != 5 else 4}))
        after = services().snapshot()
        assert after.revision == before.revision + 1 and after.rung(a, b) != before.rung(a, b)
    other = neo4j_server.store()  # another app server's write: seen by the next request
    try:
        with other.transaction(source="test") as tx:
            tx.upsert_relationship(Relationship("TIE", a, b, {"rung": 1}))
    finally:
        other.close()
    with app.test_request_context("/"):
        assert services().snapshot().rung(a, b) == 1
