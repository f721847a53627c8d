"""The accounts page and invitations in the web app, on both stores."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.conftest import PASSWORD, csrf_token_from
from tests.small_graph import seed_small


def _app(store: GraphStore, tmp_path: Path) -> Flask:
    seed_small(store)
    settings = load_settings(environ={}, store=f"sqlite:///{tmp_path / 'unused.db'}", testing=True,
                             secret_key="accounts-test")
    return create_app(settings, store=store)


def _logged_in(app: Flask, name: str, role: str, orgs: list[str]) -> FlaskClient:
    app.extensions["goudkaart"].accounts.add_user(name, PASSWORD, role, orgs)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": name, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def _post(client: FlaskClient, url: str, **data: str) -> tuple[int, str]:
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **data})
    return response.status_code, response.get_data(as_text=True)


def test_an_invited_person_sets_a_password_once(store: GraphStore, tmp_path: Path) -> None:
    app = _app(store, tmp_path)
    admin = _logged_in(app, "beheer", "admin", [])
    status, page = _post(admin, "/admin/invitations", organisation="org-amal", role="member")
    assert status == 200
    link = re.search(r'value="(http://localhost/invitation/[^"]+)"', page)
    assert link is not None
    path = link.group(1).removeprefix("http://localhost")
    person = app.test_client()
    assert "Stichting Al Amal West" in person.get(path).get_data(as_text=True)
    status, page = _post(person, path, username="nieuw-lid", password="short", password_again="short")
    assert status == 400 and "10" in page
    status, _ = _post(person, path, username="nieuw-lid", password=PASSWORD, password_again=PASSWORD)
    assert status == 302
    assert "nieuw-lid" in person.get("/").get_data(as_text=True)  # logged in
    user = app.extensions["goudkaart"].accounts.by_name("nieuw-lid")
    assert (user.role, user.organisations) == ("member", frozenset({"org-amal"}))
    again = app.test_client().get(path)
    assert again.status_code == 404  # a link works once


def test_a_coach_invites_members_of_its_own_organisations_only(store: GraphStore, tmp_path: Path) -> None:
    app = _app(store, tmp_path)
    coach = _logged_in(app, "coach-ayse", "coach", ["org-amal"])
    assert _post(coach, "/admin/invitations", organisation="org-kadin", role="member")[0] == 403
    assert _post(coach, "/admin/invitations", organisation="org-amal", role="funder")[0] == 403
    assert _post(coach, "/admin/invitations", organisation="org-amal", role="member")[0] == 200
    assert _post(coach, "/admin/users/coach-ayse/disable")[0] == 403
    member = _logged_in(app, "lid", "member", ["org-amal"])
    assert member.get("/admin/users").status_code == 403


def test_the_admin_disables_resets_and_revokes(store: GraphStore, tmp_path: Path) -> None:
    app = _app(store, tmp_path)
    accounts = app.extensions["goudkaart"].accounts
    admin = _logged_in(app, "beheer", "admin", [])
    ayse = _logged_in(app, "ayse", "coach", ["org-amal"])
    token = accounts.create_token(accounts.by_name("ayse").id)
    api: Callable[[], int] = lambda: app.test_client().get(  # noqa: E731
        "/api/v1/stats", headers={"Authorization": f"Bearer {token}"}).status_code
    assert api() == 200
    assert _post(admin, "/admin/users/ayse/revoke-tokens")[0] == 302
    assert api() == 401  # at once
    assert _post(admin, "/admin/users/ayse/reset-password", password="short")[0] == 400
    assert _post(admin, "/admin/users/ayse/reset-password", password="a brand new password")[0] == 302
    assert "ayse (coach)" not in ayse.get("/").get_data(as_text=True)  # its session ended
    ayse = _logged_in_again(app, "ayse", "a brand new password")
    assert _post(admin, "/admin/users/ayse/disable")[0] == 302
    assert "ayse (coach)" not in ayse.get("/").get_data(as_text=True)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "ayse" in page and "uitgeschakeld" in page


def _logged_in_again(app: Flask, name: str, password: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": name, "password": password,
                                       "csrf_token": token}).status_code == 302
    return client
