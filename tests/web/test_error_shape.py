"""One JSON error shape on every /api/v1 endpoint: exactly ``ok``, ``error``, ``errors``, ``status``."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.web.walk import World, build_world, rules, url_for_rule

SHAPE = {"ok", "error", "errors", "status"}
#: the one known extra key: web/errors.py adds ``current_version`` to a 409 Conflict so that a
#: client can retry an optimistic write; reported to the lead (move it into ``errors`` or keep it
#: as a documented extension). Any other extra key fails.
EXTENSIONS = {409: {"current_version"}}
BAD_PARAMS = {"actor_id": "no-such-actor", "org_id": "no-such-org", "code": "NOPE",
              "session_id": "no-such-session", "cluster_id": "no-such-cluster",
              "fund_id": "no-such-fund", "fmt": "nope", "name": "nope", "table": "nope",
              "filename": "nope", "seq": "99999999"}
BAD_QUERY = "?limit=-5&top=abc&area=%00&lang=xx&period=abc&seed=x&resolution=zero&min_ties=q"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Path(tmp_path_factory.mktemp("shape")))


def _check(client: FlaskClient, problems: list[str], method: str, url: str,
           headers: dict[str, str], seen: list[int]) -> None:
    response = client.open(url, method=method, headers=headers,
                           json={"bad": True} if method != "GET" else None)
    if response.status_code < 400:
        return
    seen.append(response.status_code)
    body = response.get_json(silent=True)
    extra = EXTENSIONS.get(response.status_code, set())
    if not isinstance(body, dict) or not SHAPE <= set(body) <= SHAPE | extra:
        problems.append(f"{method} {url} ({response.status_code}): {response.get_data(as_text=True)[:120]}")
    elif body["ok"] is not False or body["status"] != response.status_code \
            or not isinstance(body["error"], str) or not isinstance(body["errors"], list):
        problems.append(f"{method} {url}: wrong values {body}")


def test_every_api_error_has_the_one_shape(world: World) -> None:
    client = world.app.test_client()
    problems: list[str] = []
    seen: list[int] = []
    api = [(rule, method) for rule, method in rules(world.app) if rule.rule.startswith("/api/v1")]
    assert len(api) >= 30
    for rule, method in api:
        for params in (world.params, {**world.params, **BAD_PARAMS}):
            url = url_for_rule(rule, params)
            for role in ("public", "memberB", "funder", "admin"):
                _check(client, problems, method, url, world.headers(role), seen)
            _check(client, problems, method, url + BAD_QUERY, world.headers("admin"), seen)
            _check(client, problems, "DELETE" if method == "GET" else "GET" if method == "PUT" else "PUT",
                   url, world.headers("admin"), seen)
    _check(client, problems, "GET", "/api/v1/no-such-endpoint", {}, seen)
    _check(client, problems, "GET", "/api/v1/organisations", {"Authorization": "Bearer gk_wrong"}, seen)
    assert not problems, "\n".join(problems)
    assert {400, 401, 403, 404, 405} <= set(seen)
