"""Redirects only to own paths, client addresses behind trusted proxies, headers, /healthz, ladder.svg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.errors import ConfigError
from graphsvc.model import Node
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.conftest import PASSWORD, csrf_token_from
from tests.small_graph import seed_small


@pytest.mark.parametrize(("target", "expected"), [
    ("/%09/evil.example/phish", "/"),
    ("/%0A/x", "/"),
    ("/%0D%0A/x", "/"),
    ("//evil.example", "/"),
    ("/\\evil.example", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("map", "/"),
    ("/map?area=E#top", "/map?area=E"),
    ("/organisations/org-1/history", "/organisations/org-1/history"),
])
def test_login_redirects_only_to_own_paths(app: Flask, client: FlaskClient, target: str,
                                           expected: str) -> None:
    app.extensions["goudkaart"].accounts.add_user("ayse", PASSWORD, "coach")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(f"/login?next={target}", data={"username": "ayse", "password": PASSWORD,
                                                          "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == expected


def _proxied_app(tmp_path: Path, sqlite_store: GraphStore, proxies: str) -> Flask:
    # these tests count failures per client; the global cap on password checks per second (its own
    # test is in test_ratelimit.py) would otherwise answer 429 whenever the machine is fast
    # enough to make 11 checks within one second
    settings = load_settings(environ={}, store=f"sqlite:///{tmp_path / 'graph.db'}", testing=True,
                             secret_key="proxy-test", trusted_proxies=proxies,
                             password_checks_per_second=1000)
    return create_app(settings, store=sqlite_store)


def _fail(client: FlaskClient, name: str, forwarded: str | None, peer: str = "10.0.0.5") -> int:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"username": name, "password": "wrong-password",
                                       "csrf_token": token}, headers=headers,
                       environ_base={"REMOTE_ADDR": peer}).status_code


def test_behind_a_trusted_proxy_each_client_counts_alone(tmp_path: Path, sqlite_store: GraphStore) -> None:
    client = _proxied_app(tmp_path, sqlite_store, "10.0.0.0/8").test_client()
    # one client spraying 20 names is stopped, for any name ...
    assert [_fail(client, f"name-{i}", "203.0.113.7") for i in range(20)] == [401] * 20
    assert _fail(client, "name-x", "203.0.113.7") == 429
    # ... while another client behind the same proxy is not (a spoofed hop before it is ignored)
    assert _fail(client, "name-y", "203.0.113.7, 198.51.100.9") == 401


def test_an_untrusted_peer_cannot_choose_its_address(tmp_path: Path, sqlite_store: GraphStore) -> None:
    client = _proxied_app(tmp_path, sqlite_store, "10.0.0.0/8").test_client()
    statuses = [_fail(client, f"name-{i}", f"192.0.2.{i}", peer="198.51.100.1") for i in range(21)]
    assert statuses == [401] * 20 + [429]  # its own X-Forwarded-For changed nothing


def test_a_bad_trusted_proxy_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="GRAPHSVC_TRUSTED_PROXIES"):
        load_settings(environ={"GRAPHSVC_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"})


def test_headers_hsts_only_over_https_and_private_answers_not_stored(
        tmp_path: Path, sqlite_store: GraphStore, login: Any, client: FlaskClient) -> None:
    public = client.get("/")
    assert "camera=()" in public.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in public.headers
    assert public.headers.get("Cache-Control") != "no-store"
    assert "max-age" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    proxied = _proxied_app(tmp_path, sqlite_store, "127.0.0.1").test_client()
    assert "Strict-Transport-Security" in proxied.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    untrusted = _proxied_app(tmp_path, sqlite_store, "10.0.0.1").test_client()
    assert "Strict-Transport-Security" not in untrusted.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    login("coach", orgs=["org-xss"])
    assert client.get("/api/v1/organisations/org-xss").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_healthz_tells_the_public_only_up_and_admins_more(store: GraphStore, tmp_path: Path) -> None:
    seed_small(store)
    settings = load_settings(environ={}, store=f"sqlite:///{tmp_path / 'unused.db'}", testing=True,
                             secret_key="health-test")
    app = create_app(settings, store=store)
    anonymous = app.test_client().get("/healthz")
    assert anonymous.status_code == 200 and anonymous.get_json() == {"ok": True, "status": 200}
    accounts = app.extensions["goudkaart"].accounts
    token = accounts.create_token(accounts.add_user("beheer", PASSWORD, "admin").id)
    admin = app.test_client().get("/healthz", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert admin["ok"] is True and admin["backend"] == type(store).__name__ and admin["revision"] >= 1


def test_the_ladder_chart_is_as_private_as_the_meeting_map(seeded: GraphStore, client: FlaskClient,
                                                           login: Any) -> None:
    assert client.get("/meeting/E/ladder.svg").status_code == 401
    with seeded.transaction() as tx:
        area = seeded.get_node("area-e")
        tx.upsert_node(Node(area.id, area.label, {**area.props, "public_meeting_map": True}))
    shown = client.get("/meeting/E/ladder.svg")
    assert shown.status_code == 200 and shown.mimetype == "image/svg+xml"
    assert client.get("/meeting/F/ladder.svg").status_code == 401
    login("member", orgs=["org-amal"])
    assert client.get("/meeting/F/ladder.svg").status_code == 200


def test_a_node_id_with_a_slash_is_reachable(seeded: GraphStore, client: FlaskClient, login: Any) -> None:
    with seeded.transaction() as tx:
        tx.upsert_node(Node("NL-KVK/1234", "Organisation", {"name": "Stichting Schuine Streep"}))
    assert "Stichting Schuine Streep" in client.get("/actors/NL-KVK/1234").get_data(as_text=True)
    api = client.get("/api/v1/organisations/NL-KVK/1234")
    assert api.status_code == 200 and "Stichting Schuine Streep" in api.get_data(as_text=True)
    login("member", orgs=["NL-KVK/1234"])
    history = client.get("/api/v1/organisations/NL-KVK/1234/history")
    assert history.status_code == 200 and history.get_json()["organisation"]["id"] == "NL-KVK/1234"
