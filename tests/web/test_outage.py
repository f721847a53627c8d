"""Neo4j going away and coming back: 503s with a plain message, an honest /healthz, no restart needed.

These tests stop and start the session's Neo4j when the tests started it themselves (and leave it
running), or else a Neo4j of their own: a server named by GRAPHSVC_TEST_NEO4J is never stopped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.web import create_app
from tests.conftest import PASSWORD, csrf_token_from
from tests.neo4j_server import Neo4jServer, start_server
from tests.small_graph import seed_small

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@dataclass
class Outage:
    """A dedicated Neo4j that tests switch off and on, and an app started while it ran."""

    server: Neo4jServer
    tmp: Path
    running_app: Flask | None = None

    def app(self, scheme: str) -> Flask:
        url = self.server.url.replace("bolt://", f"{scheme}://")
        settings = load_settings(environ={}, **{**self.server.settings(), "store": url}, testing=True,
                                 secret_key="outage-test", accounts_db=str(self.tmp / f"{scheme}-accounts.db"))
        return create_app(settings)

    def client(self) -> FlaskClient:
        assert self.running_app is not None
        return self.running_app.test_client()

    def down(self) -> None:
        self.server.stop()

    def up(self) -> None:
        self.server.start()


@pytest.fixture(scope="module")
def outage(neo4j_server: Neo4jServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    """The session's Neo4j when these tests started it (it is back up afterwards), else a new one."""
    tmp = tmp_path_factory.mktemp("outage")
    shared = neo4j_server.dir is not None
    state = Outage(neo4j_server if shared else start_server(tmp / "neo4j"), tmp)
    try:
        state.server.clear()
        store = state.server.store()
        seed_small(store)
        store.close()
        state.running_app = state.app("neo4j")  # the routing scheme, as in docker-compose
        assert state.client().get("/api/v1/organisations").status_code == 200
        yield state
    finally:
        if state.running_app is not None:
            state.running_app.extensions["goudkaart"].close()
        if shared:
            state.up()
            state.server.clear()
        else:
            state.server.stop()


def assert_json_503(response: Any) -> None:
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False and body["status"] == 503 and body["errors"] == []
    assert "not reachable" in body["error"] and set(body) == {"ok", "error", "errors", "status"}


def test_a_logged_in_browser_gets_the_503_page_while_neo4j_is_down(outage: Outage) -> None:
    app = outage.running_app
    assert app is not None
    app.extensions["goudkaart"].accounts.add_user("beheer-outage", PASSWORD, "admin")
    browser = outage.client()
    token = csrf_token_from(browser.get("/login").get_data(as_text=True))
    assert browser.post("/login", data={"username": "beheer-outage", "password": PASSWORD,
                                        "csrf_token": token}).status_code == 302
    outage.down()
    try:
        for path in ("/organisations", "/admin/users", "/"):
            response = browser.get(path)
            assert response.status_code == 503 and response.mimetype == "text/html", path
        assert_json_503(browser.get("/api/v1/organisations"))
    finally:
        outage.up()
    time.sleep(1.1)  # the next try after a known outage
    assert "beheer-outage (beheerder)" in browser.get("/").get_data(as_text=True)  # still logged in


def test_api_requests_get_the_json_error_shape_while_neo4j_is_down(outage: Outage) -> None:
    outage.down()
    client = outage.client()
    for path in ("/api/v1/organisations", "/api/v1/graph", "/api/v1/organisations/org-amal"):
        assert_json_503(client.get(path))


def test_pages_get_an_html_503_while_neo4j_is_down(outage: Outage) -> None:
    outage.down()
    client = outage.client()
    for lang, sentence in (("en", "is not reachable"), ("nl", "is niet bereikbaar")):
        response = client.get(f"/organisations?lang={lang}", headers={"Accept": "text/html"})
        assert response.status_code == 503 and response.mimetype == "text/html"
        assert sentence in response.get_data(as_text=True)


def test_healthz_says_only_down_and_later_requests_fail_fast(outage: Outage) -> None:
    outage.down()
    client = outage.client()
    response = client.get("/healthz")
    assert_json_503(response)  # the one error shape; no store address, no user name
    text = response.get_data(as_text=True)
    assert "neo4j://" not in text and "bolt://" not in text and outage.server.password not in text
    started = time.perf_counter()
    assert_json_503(client.get("/api/v1/organisations"))  # the store is known down: no waiting
    assert time.perf_counter() - started < 1.0  # a loose guard; the benchmark measures it


def test_apps_answer_again_once_neo4j_is_back_without_a_restart(outage: Outage) -> None:
    outage.down()
    assert outage.client().get("/api/v1/organisations").status_code == 503
    late_app = outage.app("bolt")  # started while Neo4j is down: create_app does not connect
    try:
        late = late_app.test_client()
        assert_json_503(late.get("/api/v1/organisations"))
        assert late.get("/healthz").status_code == 503
        outage.up()
        for client in (outage.client(), late):  # the same app objects, not restarted
            response = client.get("/api/v1/organisations")
            assert response.status_code == 200 and response.get_json()["total"] >= 3
            assert client.get("/healthz").get_json() == {"ok": True, "status": 200}
    finally:
        late_app.extensions["goudkaart"].close()
