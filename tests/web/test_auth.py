"""Accounts: password login with CSRF, roles enforced on the server, API tokens."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.cli import cli
from tests.conftest import PASSWORD, csrf_token_from


def test_login_needs_the_right_password_and_a_csrf_token(app: Flask, client: FlaskClient) -> None:
    app.extensions["goudkaart"].accounts.add_user("ayse", PASSWORD, "coach")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    no_token = client.post("/login", data={"username": "ayse", "password": PASSWORD})
    assert no_token.status_code == 400
    wrong = client.post("/login", data={"username": "ayse", "password": "wrong-password",
                                        "csrf_token": token})
    assert wrong.status_code == 401 and "klopt niet" in wrong.get_data(as_text=True)
    ok = client.post("/login?next=/map", data={"username": "ayse", "password": PASSWORD,
                                               "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/map")
    assert "ayse (coach)" in client.get("/").get_data(as_text=True)


def test_login_never_redirects_to_another_site(app: Flask, client: FlaskClient) -> None:
    app.extensions["goudkaart"].accounts.add_user("ayse", PASSWORD, "coach")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "username": "ayse", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_logout_is_a_csrf_protected_post(login: Any, client: FlaskClient) -> None:
    login("admin")
    assert client.post("/logout").status_code == 400  # no token: refused, still logged in
    assert "admin-user" in client.get("/").get_data(as_text=True)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "admin-user" not in client.get("/").get_data(as_text=True)


def test_passwords_are_stored_hashed(app: Flask) -> None:
    accounts = app.extensions["goudkaart"].accounts
    accounts.add_user("ayse", PASSWORD, "coach")
    stored = accounts.records.user_by_name("ayse")["password_hash"]
    assert PASSWORD not in stored and stored.startswith("$argon2")


def test_api_token_authenticates_and_a_bad_token_is_refused(app: Flask, client: FlaskClient) -> None:
    accounts = app.extensions["goudkaart"].accounts
    user = accounts.add_user("funder1", PASSWORD, "funder")
    token = accounts.create_token(user.id)
    assert client.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    bad = client.get("/api/v1/stats", headers={"Authorization": "Bearer gk_nope"})
    assert bad.status_code == 401 and bad.get_json()["error"] == "The API token is not valid."
    stored = [t["token_hash"] for t in accounts.records.tokens()]
    assert len(stored) == 1 and token not in stored[0]


def test_cli_adds_a_user_with_password_from_stdin(runner: CliRunner, sqlite_url: str) -> None:
    result = runner.invoke(cli, ["user", "add", "beheer", "--role", "admin", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0 and "Created admin account 'beheer'" in result.output
    short = runner.invoke(cli, ["user", "add", "x2", "--role", "admin", "--password-stdin"],
                          input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    listed = runner.invoke(cli, ["user", "list"])
    assert "beheer" in listed.output and "admin" in listed.output
