"""The coach page, the match API and `graphsvc match` give the same answer; access follows roles."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from graphsvc.cli import cli
from graphsvc.demo.dataset import load_demo
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.matching import partner_matches


@pytest.fixture
def demo(sqlite_store: GraphStore) -> GraphStore:
    load_demo(sqlite_store)
    return sqlite_store


def some_org_with_matches(store: GraphStore) -> str:
    snap = Snapshot.from_store(store)
    for org in snap.labelled("Organisation"):
        if len(partner_matches(snap, org, limit=3)) == 3:
            return org
    raise AssertionError("the demo has no organisation with matches")


def test_page_api_and_cli_agree(demo: GraphStore, login: Any, runner: CliRunner) -> None:
    org = some_org_with_matches(demo)
    client: FlaskClient = login("coach", orgs=[org])
    api = client.get(f"/api/v1/organisations/{org}/matches?limit=3&lang=en").get_json()
    assert api["ok"] and len(api["matches"]) == 3
    assert set(api["matches"][0]["parts"]) == {"shared_interests", "reciprocity", "proximity",
                                               "bridging", "ladder"}
    page = client.get(f"/coach/{org}?limit=3&lang=en").get_data(as_text=True)
    for m in api["matches"]:
        assert m["reason_en"].split(";")[0].replace("'", "&#39;") in page
    cli_out = json.loads(runner.invoke(cli, ["match", org, "--limit", "3", "--json", "--lang", "en"]).output)
    assert [m["id"] for m in cli_out["matches"]] == [m["id"] for m in api["matches"]]
    assert [m["score"] for m in cli_out["matches"]] == [m["score"] for m in api["matches"]]


def test_referrals_and_funds_endpoints(demo: GraphStore, login: Any) -> None:
    org = some_org_with_matches(demo)
    client = login("admin")
    refs = client.get(f"/api/v1/organisations/{org}/referrals").get_json()
    funds = client.get(f"/api/v1/organisations/{org}/funds").get_json()
    assert refs["ok"] and funds["ok"]
    assert all(p["reason_nl"] for p in refs["partners"]) and all(f["reason_nl"] for f in funds["funds"])


def test_roles_decide_who_sees_matches(demo: GraphStore, client: FlaskClient, login: Any) -> None:
    org = some_org_with_matches(demo)
    public = client.get(f"/api/v1/organisations/{org}/matches")
    assert public.status_code == 401 and public.get_json()["ok"] is False
    assert client.get(f"/coach/{org}").status_code == 302  # to the login page
    login("coach", orgs=["org-someone-else"])
    forbidden = client.get(f"/api/v1/organisations/{org}/matches")
    assert forbidden.status_code == 403


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [("limit=0", 400, "'limit'"), ("limit=101", 400, "'limit'"), ("area=XX99", 400, "Parameter 'area'")],
)
def test_bad_parameters_are_named(demo: GraphStore, login: Any, query: str, status: int,
                                  needle: str) -> None:
    org = some_org_with_matches(demo)
    client = login("admin")
    response = client.get(f"/api/v1/organisations/{org}/matches?{query}")
    assert response.status_code == status and needle in response.get_json()["error"]


def test_unknown_organisation(demo: GraphStore, login: Any, runner: CliRunner) -> None:
    client = login("admin")
    response = client.get("/api/v1/organisations/nope/matches")
    assert response.status_code == 404 and "no organisation with id 'nope'" in response.get_json()["error"]
    result = runner.invoke(cli, ["match", "nope"])
    assert result.exit_code == 1 and "no organisation with id 'nope'" in result.output
