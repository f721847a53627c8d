"""Every state-changing route refuses a session-authenticated call without a valid CSRF token,
and does not ask an API-token call for one (no cookie, so no cross-site forgery)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORD, csrf_token_from
from tests.web.walk import World, build_world, rules, url_for_rule

#: the CSRF refusal's message, in English and in Dutch (the handler answers in the page language)
CSRF_MARKERS = ("security token", "beveiligingscode")
JSON_EN = {"Accept": "application/json", "Accept-Language": "en"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Path(tmp_path_factory.mktemp("csrf")))


def _is_csrf_refusal(body: str) -> bool:
    return any(marker in body for marker in CSRF_MARKERS)


def _changing(world: World) -> list[tuple[str, str]]:
    return [(method, url_for_rule(rule, world.params)) for rule, method in rules(world.app)
            if method in ("POST", "PUT", "PATCH", "DELETE")]


def test_there_are_state_changing_routes_to_walk(world: World) -> None:
    assert len(_changing(world)) >= 10


@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_session_calls_without_a_valid_csrf_token_are_refused(world: World, token: str) -> None:
    client = world.app.test_client()
    login_token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": "walk-admin", "password": PASSWORD,
                                       "csrf_token": login_token}).status_code == 302
    wrong = {} if token == "missing" else {"X-CSRFToken": "not-a-token"}
    problems = []
    for method, url in _changing(world):
        for kwargs in ({"json": {}}, {"data": {"csrf_token": "x" if token == "wrong" else ""}}):
            response = client.open(url, method=method, headers={**JSON_EN, **wrong}, **kwargs)
            if response.status_code != 400 or not _is_csrf_refusal(response.get_data(as_text=True)):
                problems.append(f"{method} {url}: {response.status_code}")
    assert not problems, "accepted without a CSRF token:\n" + "\n".join(problems)
    assert "walk-admin" in client.get("/").get_data(as_text=True)  # still logged in: nothing ran


def test_api_token_calls_are_not_csrf_checked(world: World) -> None:
    client = world.app.test_client()
    problems = []
    for method, url in _changing(world):
        response = client.open(url, method=method, json={},
                               headers={**JSON_EN, **world.headers("admin")})
        if _is_csrf_refusal(response.get_data(as_text=True)) or response.status_code >= 500:
            problems.append(f"{method} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
