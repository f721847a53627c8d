"""The funder dashboard through the app: grants never granted leave its figures and exports as they were.

A funder's city is served; then a rejected, a withdrawn and a pending grant are recorded in the
same store, and every funder API answer and export must read the same (the pending application
is only counted apart). The profile pages keep listing every grant, with its status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from tests.funders_graph import seed_funders_city

API = ["/api/v1/clusters", "/api/v1/clusters/c1", "/api/v1/clusters/c2", "/api/v1/clusters/map?size_by=funding",
       "/api/v1/funds/fund-samen/gaps", "/api/v1/funds/fund-samen/gaps?level=district",
       "/api/v1/funding/flows", "/api/v1/funding/flows?fund=fund-samen&period=2025",
       "/api/v1/funding/dependency", "/api/v1/organisations/org-vrouw-0/dependency",
       "/api/v1/organisations/org-jong-1/dependency"]
EXPORTS = ["/funders/export/clusters.csv", "/funders/export/dependency.csv", "/funders/export/flows.csv",
           "/funders/export/gaps.csv", "/funders/export/members.csv?cluster=c1"]

#: a rejected grant in the planted gap, a withdrawn one beside Fonds Samen, a pending application
NEVER_GRANTED = [
    Relationship("FUNDS", "fund-samen", "org-taal-0", {"amount": 20000, "year": 2024, "status": "rejected"}, "r1"),
    Relationship("FUNDS", "fund-buurt", "org-vrouw-0", {"amount": 9000, "year": 2024, "status": "withdrawn"}, "w1"),
    Relationship("FUNDS", "fund-samen", "org-jong-1", {"amount": 3000, "year": 2025, "status": "pending"}, "p1"),
]


@pytest.fixture
def funder(sqlite_store: GraphStore, login: Callable[..., FlaskClient]) -> FlaskClient:
    seed_funders_city(sqlite_store)
    return login("funder")


def _record(store: GraphStore, grants: list[Relationship]) -> None:
    with store.transaction(source="tests") as tx:
        for grant in grants:
            tx.upsert_relationship(grant)


def _without_revisions(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_revisions(v) for k, v in data.items()
                if k not in ("revision", "pending_grants", "pending_amount")}
    if isinstance(data, list):
        return [_without_revisions(v) for v in data]
    return data


def _answers(client: FlaskClient) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in API:
        response = client.get(path)
        assert response.status_code == 200, path
        out[path] = _without_revisions(response.get_json())
    for path in EXPORTS:
        response = client.get(path)
        assert response.status_code == 200, path
        out[path] = response.data
    return out


def test_never_granted_grants_change_no_funder_answer(funder: FlaskClient, sqlite_store: GraphStore) -> None:
    before = _answers(funder)
    _record(sqlite_store, NEVER_GRANTED)
    assert funder.get("/api/v1/organisations/org-jong-1").get_json()["funding"]  # the app sees them
    after = _answers(funder)
    assert after == before
    dependency = before["/api/v1/organisations/org-vrouw-0/dependency"]
    assert (dependency["share"], dependency["largest_fund"]) == (1.0, "fund-samen")  # not 4000 of 13000


def test_an_awarded_grant_does_change_them(funder: FlaskClient, sqlite_store: GraphStore) -> None:
    before = _answers(funder)
    _record(sqlite_store, [Relationship("FUNDS", "fund-samen", "org-jong-1",
                                        {"amount": 3000, "year": 2025, "status": "awarded"}, "a1")])
    after = _answers(funder)
    changed = {path for path in API + EXPORTS if after[path] != before[path]}
    assert {"/api/v1/funding/flows", "/api/v1/funding/dependency", "/api/v1/clusters",
            "/api/v1/organisations/org-jong-1/dependency", "/funders/export/flows.csv"} <= changed
    assert after["/api/v1/organisations/org-jong-1/dependency"]["total"] == 3000


def test_flows_say_what_pending_applications_were_left_out(funder: FlaskClient, sqlite_store: GraphStore) -> None:
    assert funder.get("/api/v1/funding/flows").get_json()["pending_grants"] == 0
    assert "flows-pending" not in funder.get("/funders").get_data(as_text=True)
    _record(sqlite_store, NEVER_GRANTED)
    flows = funder.get("/api/v1/funding/flows?fund=fund-samen").get_json()
    assert (flows["total"], flows["grants"], flows["pending_grants"], flows["pending_amount"]) == (8000, 2, 1, 3000)
    page = funder.get("/funders?fund=fund-samen&lang=en").get_data(as_text=True)
    assert "Not counted: € 3,000 in pending applications (1)" in page
    page_nl = funder.get("/funders?fund=fund-samen&lang=nl").get_data(as_text=True)
    assert "Niet meegeteld: € 3.000 aan openstaande aanvragen (1)" in page_nl


def test_profiles_list_every_grant_with_its_status(funder: FlaskClient, sqlite_store: GraphStore) -> None:
    _record(sqlite_store, NEVER_GRANTED)
    funding = funder.get("/api/v1/organisations/org-vrouw-0").get_json()["funding"]
    assert [(f["fund"], f["amount"], f["status"], f["counts_as_funding"]) for f in funding] == [
        ("fund-buurt", 9000, "withdrawn", False), ("fund-samen", 4000, None, True)]
    given = funder.get("/api/v1/actors/fund-samen").get_json()["grants"]
    assert {(g["organisation"], g["status"], g["counts_as_funding"]) for g in given} >= {
        ("org-jong-1", "pending", False), ("org-taal-0", "rejected", False)}
    page = funder.get("/actors/org-jong-1?lang=nl").get_data(as_text=True)
    assert "Aangevraagd" in page and 'class="not-granted"' in page


def test_the_default_fund_is_the_one_with_most_grants_not_applications(
        funder: FlaskClient, sqlite_store: GraphStore) -> None:
    with sqlite_store.transaction(source="tests") as tx:
        tx.upsert_node(Node("fund-nieuw", "Fund", {"name": "Fonds Nieuw"}))
        tx.upsert_relationship(Relationship("PRIORITISES", "fund-nieuw", "taal"))
        for i in range(3):  # three applications beat Fonds Samen's two grants only if they counted
            tx.upsert_relationship(Relationship("FUNDS", "fund-nieuw", f"org-taal-{i}",
                                                {"amount": 1000, "year": 2025, "status": "pending"}, f"n{i}"))
    page = funder.get("/funders").get_data(as_text=True)
    assert '<option value="fund-samen" selected>' in page
