"""The freshness bound of read requests, on both stores: within it a repeated read sends nothing
to the store; a write by this process is in the next answer, one by another within a second;
``GRAPHSVC_FRESHNESS=0`` asks the store on every request."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.errors import ConfigError
from graphsvc.store import GraphStore, open_store
from graphsvc.web import create_app
from tests.conftest import BACKENDS, PASSWORD, csrf_token_from
from tests.query_count import Queries, counted_queries


@dataclass
class Graph:
    """A demo graph in one store, and how to open a second connection to it (another server)."""

    store: GraphStore
    url: str
    extra: dict[str, Any]
    other: Callable[[], GraphStore]
    bound: float | None  # the freshness a cached read is tested with: Neo4j's default

    def client(self, tmp_path: Path, **settings: Any) -> FlaskClient:
        """A logged-in admin of a new app over this store (``freshness`` etc. as settings)."""
        app = create_app(load_settings(environ={}, store=self.url, testing=True, secret_key="k",
                                       accounts_db=str(tmp_path / "accounts.db"), **self.extra,
                                       **settings), store=self.store)
        app.extensions["goudkaart"].accounts.add_user("beheer", PASSWORD, "admin", [])
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"username": "beheer", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        return client


@pytest.fixture(params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Graph]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'graph.db'}"
        store = open_store(url)
        graph = Graph(store, url, {}, lambda: open_store(url), 1.0)
    else:
        server = request.getfixturevalue("neo4j_server")
        store = request.getfixturevalue("neo4j_store")
        graph = Graph(store, server.url, {"neo4j_user": server.user, "neo4j_password": server.password},
                      server.store, None)
    load_demo(store)
    yield graph
    if request.param == "sqlite":
        store.close()


def _urls(store: GraphStore) -> tuple[str, str, str]:
    org = next(store.iter_nodes("Organisation")).id
    area = next(store.iter_nodes("Neighbourhood")).props["code"]
    return f"/api/v1/organisations/{org}/matches", f"/api/v1/graph?area={area}", org


def _counted(client: FlaskClient, store: GraphStore, url: str) -> Queries:
    """The statements one read sends: graph and accounts (on SQLite the accounts' own
    connection, which the store's count does not see, is traced as well)."""
    accounts = getattr(client.application.extensions["goudkaart"].accounts.records, "_conn", None)
    with counted_queries(store) as queries:
        if accounts is not None:
            accounts.set_trace_callback(queries.statements.append)
        try:
            assert client.get(url).status_code == 200
        finally:
            if accounts is not None:
                accounts.set_trace_callback(None)
    return queries


def _sends_nothing(client: FlaskClient, store: GraphStore, url: str) -> bool:
    """Whether a read right after another one is answered without a statement to the store (a
    few tries: a pause of a busy machine longer than the bound between the two asks again)."""
    for _ in range(5):
        assert client.get(url).status_code == 200
        if not _counted(client, store, url):
            return True
    return False


def _rename(store: GraphStore, node_id: str, name: str) -> None:
    node = store.get_node(node_id)
    with store.transaction(source="test") as tx:
        tx.upsert_node(replace(node, props={**node.props, "name": name}))


def _name(client: FlaskClient, actor: str) -> str:
    answer = client.get(f"/api/v1/actors/{actor}")
    assert answer.status_code == 200
    return str(answer.get_data(as_text=True))


def _revision_asked(queries: Queries) -> bool:
    return any("GMeta" in q or "key = 'revision'" in q for q in queries.statements)


def test_cached_reads_send_nothing_and_a_write_here_is_in_the_next_answer(
        demo: Graph, tmp_path: Path) -> None:
    client = demo.client(tmp_path, freshness=demo.bound)
    matches, graph, org = _urls(demo.store)
    for url in (matches, graph):
        assert _sends_nothing(client, demo.store, url), url  # neither revision nor login asked
    _rename(demo.store, org, "Buurthuis Nieuwe Naam")  # this process's write, the bound not over
    with counted_queries(demo.store) as queries:
        assert "Buurthuis Nieuwe Naam" in _name(client, org)
    assert _revision_asked(queries)


def test_a_write_by_another_server_is_seen_within_a_second(demo: Graph, tmp_path: Path) -> None:
    client = demo.client(tmp_path, freshness=0.25)
    _, _, org = _urls(demo.store)
    assert "Elders Hernoemd" not in _name(client, org)
    other = demo.other()
    try:
        _rename(other, org, "Elders Hernoemd")
    finally:
        other.close()
    deadline = time.monotonic() + 1.0  # a hang guard: the bound promises well within it
    while "Elders Hernoemd" not in _name(client, org):
        assert time.monotonic() < deadline, "another server's write was not seen within a second"
        time.sleep(0.02)


def test_freshness_zero_asks_the_store_on_every_request(demo: Graph, tmp_path: Path) -> None:
    client = demo.client(tmp_path, freshness=0)
    matches, graph, org = _urls(demo.store)
    for url in (matches, graph):
        client.get(url)
        for _ in range(3):
            queries = _counted(client, demo.store, url)
            assert _revision_asked(queries), url
            assert any("GWebSession" in q or "account_sessions" in q for q in queries.statements)
    other = demo.other()
    try:
        _rename(other, org, "Meteen Gezien")
    finally:
        other.close()
    assert "Meteen Gezien" in _name(client, org)  # the very next request


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_default_bound_is_exact_on_sqlite_and_a_quarter_second_on_neo4j(
        backend: str, tmp_path: Path) -> None:
    from graphsvc.web.services import Services

    url = f"sqlite:///{tmp_path / 'g.db'}" if backend == "sqlite" else "neo4j://127.0.0.1:1"
    settings = load_settings(environ={}, store=url)
    store = open_store(url, settings)
    try:
        services = Services(settings, store)
        assert services.freshness(store) == (0.0 if backend == "sqlite" else 0.25)
        assert Services(settings.with_overrides(freshness=0.0), store).freshness(store) == 0.0
    finally:
        store.close()


def test_the_setting_is_read_from_the_environment_and_checked() -> None:
    assert load_settings(environ={}).freshness is None  # the store's default
    assert load_settings(environ={"GRAPHSVC_FRESHNESS": "0"}).freshness == 0.0
    assert load_settings(environ={"GRAPHSVC_FRESHNESS": "0.5"}).freshness == 0.5
    for wrong, says in (("soon", "a number"), ("2", "between 0 and 1"), ("-1", "between 0 and 1")):
        with pytest.raises(ConfigError, match=f"GRAPHSVC_FRESHNESS must be {says}"):
            load_settings(environ={"GRAPHSVC_FRESHNESS": wrong})
