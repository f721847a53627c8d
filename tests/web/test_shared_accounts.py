"""Two app servers on one store behave as one: accounts, tokens, sessions and login limits are shared.

Each server may use a login the store confirmed within its freshness bound (0 on SQLite, 0.25 s
on Neo4j) for a read request: an end of a session or token elsewhere stops a state-changing
request at once and a read within a second; on the server that ended it, both at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.store import GraphStore, open_store
from graphsvc.web import create_app
from tests.conftest import BACKENDS, PASSWORD, csrf_token_from


def _apps(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[Flask], list[GraphStore]]:
    if request.param == "sqlite":
        url, extra = f"sqlite:///{tmp_path / 'graph.db'}", {}
        stores = [open_store(url), open_store(url)]
    else:
        server = request.getfixturevalue("neo4j_server")
        server.clear()
        url, extra = server.url, {"neo4j_user": server.user, "neo4j_password": server.password}
        stores = [server.store(), server.store()]
    apps = []
    for name, store in zip("ab", stores, strict=True):
        home = tmp_path / f"home-{name}"  # each app server has its own home folder
        settings = load_settings(environ={}, store=url, testing=True, secret_key="shared-secret",
                                 accounts_db=str(home / "accounts.db"), **extra)
        apps.append(create_app(settings, store=store))
    return apps, stores


@pytest.fixture(params=BACKENDS)
def two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Flask]]:
    apps, stores = _apps(request, tmp_path)
    yield apps
    for store in stores:
        store.close()


def _login(client: FlaskClient, username: str, password: str = PASSWORD) -> int:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}).status_code


def _accounts(app: Flask) -> Any:
    return app.extensions["goudkaart"].accounts


def _who(client: FlaskClient) -> str:
    return client.get("/").get_data(as_text=True)


def _within_a_second(check: Callable[[], bool]) -> bool:
    """Whether ``check`` holds now or becomes true within a second (asked again and again)."""
    deadline = time.monotonic() + 1.0
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _sent_to_login(client: FlaskClient, csrf: str) -> bool:
    """Whether a state-changing request of this browser is refused as not logged in (an admin
    page's form: a logged-in account gets its answer or 403, the public the login page)."""
    answer = client.post("/data/preview", data={"csrf_token": csrf})
    return answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_user_made_on_one_server_logs_in_on_the_other(two: list[Flask]) -> None:
    a, b = two
    _accounts(a).add_user("ayse", PASSWORD, "coach", ["org-1"])
    client = b.test_client()
    assert _login(client, "ayse") == 302
    assert "ayse (coach)" in _who(client)
    # the session made through b is known to a as well (one load balancer, any server)
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = a.test_client()
    other.set_cookie("session", cookie.value)
    assert "ayse (coach)" in _who(other)


def test_a_token_revoked_on_one_server_is_refused_by_the_other(two: list[Flask]) -> None:
    """At once for a state-changing request, within a second for a read."""
    a, b = two
    user = _accounts(a).add_user("funder1", PASSWORD, "funder")
    token = _accounts(a).create_token(user.id)
    headers = {"Authorization": f"Bearer {token}"}
    for app in (a, b):
        assert app.test_client().get("/api/v1/stats", headers=headers).status_code == 200
    assert b.test_client().post("/api/v1/data/import", headers=headers).status_code == 403  # a funder's
    assert _accounts(a).revoke_tokens(user.id) == 1
    refused = b.test_client().post("/api/v1/data/import", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"] == "The API token is not valid."
    assert a.test_client().get("/api/v1/stats", headers=headers).status_code == 401  # where revoked
    assert _within_a_second(
        lambda: b.test_client().get("/api/v1/stats", headers=headers).status_code == 401)


def test_five_failures_spread_over_two_servers_lock_the_account(two: list[Flask]) -> None:
    a, b = two
    _accounts(a).add_user("ayse", PASSWORD, "coach")
    clients = [a.test_client(), b.test_client()]
    statuses = [_login(clients[i % 2], "ayse", "wrong-password") for i in range(5)]
    assert statuses == [401] * 5
    assert _login(clients[0], "ayse") == 429 and _login(clients[1], "ayse") == 429
    # an unknown name gets the same answers as a known one
    assert [_login(clients[i % 2], "nobody-here", "wrong-password") for i in range(6)] == [401] * 5 + [429]


def test_a_copied_cookie_stops_working_after_logout_on_either_server(two: list[Flask]) -> None:
    a, b = two
    _accounts(a).add_user("beheer", PASSWORD, "admin")
    client = a.test_client()
    assert _login(client, "beheer") == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    token = csrf_token_from(_who(client))
    thieves = {}
    for name, app in (("a", a), ("b", b)):
        thieves[name] = thief = app.test_client()
        thief.set_cookie("session", cookie.value)  # the cookie as it was before logging out
        assert "beheer (beheerder)" in _who(thief) and not _sent_to_login(thief, token)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    # where the logout happened: at once; on the other server a form post at once, a page soon
    assert "beheer (beheerder)" not in _who(thieves["a"])
    assert _sent_to_login(thieves["b"], token)
    assert _within_a_second(lambda: thieves["b"].get("/admin/audit").status_code == 302)
    for thief in thieves.values():
        assert "beheer (beheerder)" not in _who(thief)
        assert thief.get("/admin/audit").status_code == 302  # sent to the login page


@pytest.mark.parametrize("how", ["disable", "reset-password", "logout-all"])
def test_disable_reset_and_logout_all_end_every_session(two: list[Flask], how: str) -> None:
    a, b = two
    _accounts(a).add_user("ayse", PASSWORD, "coach")
    browsers = [a.test_client(), b.test_client()]
    for browser in browsers:
        assert _login(browser, "ayse") == 302 and "ayse (coach)" in _who(browser)
    csrf = csrf_token_from(_who(browsers[0]))
    assert not _sent_to_login(browsers[0], csrf)  # a coach: 403 on an admin form, but logged in
    accounts = _accounts(b)
    if how == "disable":
        accounts.update("ayse", disabled=True)
    elif how == "reset-password":
        accounts.set_password("ayse", "another long password")
    else:
        assert accounts.end_sessions(accounts.by_name("ayse").id) == 2
    assert "ayse (coach)" not in _who(browsers[1])  # on the server that ended them: at once
    assert _sent_to_login(browsers[0], csrf)  # on the other: a form post at once, a page soon
    assert _within_a_second(lambda: "ayse (coach)" not in _who(browsers[0]))
    expected = 401 if how == "disable" else 302
    new_password = "another long password" if how == "reset-password" else PASSWORD
    assert _login(a.test_client(), "ayse", new_password) == expected
