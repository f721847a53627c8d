"""The JSON API: filters, profiles, and one error shape everywhere."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.store import GraphStore
from tests.small_graph import XSS


def test_graph_returns_nodes_edges_and_islands(client: FlaskClient, seeded: GraphStore) -> None:
    data = client.get("/api/v1/graph").get_json()
    assert data["ok"] is True
    ids = {n["id"] for n in data["nodes"]}
    assert {"org-xss", "org-amal", "org-kadin", "org-alone", "inst-buurtteam", "fund-a"} == ids
    ties = {(e["from"], e["to"], e["rung"]) for e in data["edges"] if e["type"] == "TIE"}
    assert ("org-amal", "org-kadin", 3) in ties
    # org-xss only has a rung-1 tie and org-alone none: both islands; org-amal is not
    assert set(data["islands"]) == {"org-xss", "org-alone"}
    xss_node = next(n for n in data["nodes"] if n["id"] == "org-xss")
    assert xss_node["label"] == XSS and xss_node["island"] is True


def test_map_draws_money_received_and_marks_applications(client: FlaskClient,
                                                         seeded: GraphStore) -> None:
    from graphsvc.model import Node, Relationship

    with seeded.transaction() as tx:
        tx.upsert_node(Node("fund-b", "Fund", {"name": "Fonds Nee"}))
        tx.upsert_node(Node("fund-c", "Fund", {"name": "Fonds Misschien"}))
        tx.upsert_relationship(Relationship("FUNDS", "fund-b", "org-kadin", {"amount": 5000, "status": "rejected"}, "G-9"))
        tx.upsert_relationship(Relationship("FUNDS", "fund-a", "org-kadin", {"amount": 800, "status": "withdrawn"}, "G-8"))
        tx.upsert_relationship(Relationship("FUNDS", "fund-c", "org-xss", {"amount": 3000, "status": "pending"}, "G-7"))
    for lang, title in (("nl", "aangevraagd, nog niet toegekend"), ("en", "applied for, not granted yet")):
        data = client.get(f"/api/v1/graph?area=WK0363EM&lang={lang}").get_json()
        grants = {(e["from"], e["to"]): e for e in data["edges"] if e["type"] == "FUNDS"}
        # a rejected or withdrawn grant is no line, and a fund with only those is no node
        assert set(grants) == {("fund-a", "org-amal"), ("fund-c", "org-xss")}
        assert "fund-b" not in {n["id"] for n in data["nodes"]}
        assert grants[("fund-c", "org-xss")]["pending"] is True
        assert grants[("fund-c", "org-xss")]["title"] == title
        assert "pending" not in grants[("fund-a", "org-amal")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("area=WK0363EM", {"org-xss", "org-amal", "org-kadin", "inst-buurtteam", "fund-a"}),
        ("area=E&types=Organisation", {"org-xss", "org-amal", "org-kadin"}),
        ("area=F", {"org-alone"}),
        ("interest=eenzaamheid&types=Organisation,Interest", {"org-amal", "eenzaamheid"}),
        ("types=Institution", {"inst-buurtteam"}),
    ],
)
def test_graph_filters(client: FlaskClient, seeded: GraphStore, query: str, expected: set[str]) -> None:
    data = client.get(f"/api/v1/graph?{query}").get_json()
    assert {n["id"] for n in data["nodes"]} == expected


def test_min_rung_hides_lower_ties(client: FlaskClient, seeded: GraphStore) -> None:
    data = client.get("/api/v1/graph?min_rung=3").get_json()
    assert [(e["from"], e["to"]) for e in data["edges"] if e["type"] == "TIE"] == [("org-amal", "org-kadin")]


def test_organisation_list_and_search(client: FlaskClient, seeded: GraphStore) -> None:
    data = client.get("/api/v1/organisations").get_json()
    assert data["total"] == 4
    names = [i["name"] for i in data["items"]]
    assert names == sorted(names, key=str.casefold) or names[0] == XSS
    hit = client.get("/api/v1/organisations?q=kadin").get_json()  # accents ignored
    assert [i["id"] for i in hit["items"]] == ["org-kadin"]
    paged = client.get("/api/v1/organisations?limit=2&offset=2").get_json()
    assert len(paged["items"]) == 2 and paged["total"] == 4


def test_profile_hides_confidential_fields(client: FlaskClient, seeded: GraphStore) -> None:
    data = client.get("/api/v1/organisations/org-xss").get_json()
    node = data["node"]
    assert node["name"] == XSS
    assert "contact_persons" not in node and "capacity" not in node
    body = client.get("/api/v1/organisations/org-xss").get_data(as_text=True)
    assert "Fictief Persoon" not in body and "governance" not in body


def test_profile_lists_ties_and_funding(client: FlaskClient, seeded: GraphStore) -> None:
    data = client.get("/api/v1/organisations/org-amal?lang=en").get_json()
    assert [t["id"] for t in data["ties"]] == ["org-kadin", "inst-buurtteam", "org-xss"]
    assert data["funding"][0]["amount"] == 12000
    assert data["interests"] == [{"id": "eenzaamheid", "name": "Loneliness"}]


ERROR_CASES = [
    ("/api/v1/organisations/nope", 404, "no organisation with id 'nope'"),
    ("/api/v1/organisations/fund-a", 404, "no organisation with id 'fund-a'"),
    ("/api/v1/graph?area=ZZ99", 404, "no area with code 'ZZ99'"),
    ("/api/v1/graph?min_rung=9", 400, "'min_rung'"),
    ("/api/v1/graph?min_rung=abc", 400, "'min_rung'"),
    ("/api/v1/graph?types=Planet", 400, "'types'"),
    ("/api/v1/graph?interest=nope", 404, "no node with id 'nope'"),
    ("/api/v1/organisations?limit=0", 400, "'limit'"),
    ("/api/v1/no-such-endpoint", 404, "does not exist"),
]


@pytest.mark.parametrize(("path", "status", "message"), ERROR_CASES)
def test_every_error_has_the_one_json_shape(
    client: FlaskClient, seeded: GraphStore, path: str, status: int, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == status and isinstance(body["errors"], list)
    assert message.lower() in body["error"].lower()


def test_method_not_allowed_uses_error_shape(client: FlaskClient, seeded: GraphStore) -> None:
    response = client.post("/api/v1/graph", json={})
    assert response.status_code in (400, 405)
    assert response.get_json()["ok"] is False


def test_healthz_tells_the_public_only_that_it_is_up(client: FlaskClient, seeded: GraphStore) -> None:
    assert client.get("/healthz").get_json() == {"ok": True, "status": 200}  # details: admins only


def test_stats_counts(client: FlaskClient, seeded: GraphStore) -> None:
    data = client.get("/api/v1/stats").get_json()
    assert data["nodes"]["Organisation"] == 4 and data["relationships"]["TIE"] == 3


def test_focus_shows_the_strongest_partners_first_and_counts_the_rest(
    client: FlaskClient, seeded: GraphStore
) -> None:
    data = client.get("/api/v1/graph?focus=org-amal&focus_limit=1&types=Organisation,Institution").get_json()
    assert {n["id"] for n in data["nodes"]} == {"org-amal", "org-kadin"}  # rung 3 beats 2 and 1
    assert data["more"] == 2
    wider = client.get("/api/v1/graph?focus=org-amal&focus_limit=2&types=Organisation,Institution").get_json()
    assert {n["id"] for n in wider["nodes"]} == {"org-amal", "org-kadin", "inst-buurtteam"}
    assert wider["more"] == 1


def test_big_views_are_aggregated_or_positioned(app: Flask, seeded: GraphStore) -> None:
    from graphsvc.snapshot import Snapshot
    from visualisations.network_map import MapFilters, map_payload

    snap = Snapshot.from_store(seeded)
    aggregated = map_payload(snap, MapFilters(), node_limit=3)
    assert aggregated["mode"] == "aggregate" and aggregated["positioned"]
    by_area = {n["area"]: n["count"] for n in aggregated["nodes"]}
    assert by_area == {"WK0363EM": 4, "F": 1}
    narrowed = map_payload(snap, MapFilters(area="E"), node_limit=3)
    assert narrowed["mode"] == "graph"
