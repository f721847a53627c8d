"""A living graph on both stores: profiles edited by the organisation, ties declared and confirmed,
introductions from a match, the inbox and who may see and answer what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from graphsvc.config import Settings
from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.small_graph import XSS, seed_small

PASSWORD = "correct horse battery"


class Api:
    """The app with one API token per account, on a store of either backend."""

    def __init__(self, app: Flask, store: GraphStore) -> None:
        self.app, self.store, self.client = app, store, app.test_client()
        self.tokens: dict[str, str] = {}

    def account(self, name: str, role: str, orgs: tuple[str, ...] = ()) -> str:
        accounts = self.app.extensions["goudkaart"].accounts
        self.tokens[name] = accounts.create_token(accounts.add_user(name, PASSWORD, role, list(orgs)).id)
        return name

    def call(self, method: str, url: str, who: str | None = None, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        response = self.client.open(url, method=method, json=body, headers=headers)
        return response.status_code, response.get_json()


@pytest.fixture
def api(settings: Settings, store: GraphStore) -> Iterator[Api]:
    seed_small(store)
    with store.transaction(source="test") as tx:  # a partner match: both work on loneliness nearby
        tx.upsert_relationship(Relationship("WORKS_ON", "org-kadin", "eenzaamheid", {"weight": 2}))
        tx.upsert_relationship(Relationship("WORKS_ON", "org-alone", "eenzaamheid", {"weight": 3}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-alone", "area-wk0363em"))
    app = create_app(settings, store=store)
    a = Api(app, store)
    a.account("admin", "admin")
    a.account("kadin", "member", ("org-kadin",))
    a.account("alone", "member", ("org-alone",))
    a.account("coach", "coach", ("org-kadin", "org-amal"))
    yield a


def _tie(store: GraphStore, a: str, b: str) -> dict[str, Any] | None:
    found = store.get_relationships([("TIE", a, b, "")])
    return dict(next(iter(found.values())).props) if found else None


# -- profiles ----------------------------------------------------------------------------------
def test_admin_creates_an_organisation_with_vocabulary_and_areas(api: Api) -> None:
    status, body = api.call("POST", "/api/v1/organisations", "admin", {
        "name": "Buurtvrouwen Slotermeer", "website": "https://buurtvrouwen.example",
        "kind": "womens-organisation", "areas": ["WK0363EM"], "themes": [{"id": "eenzaamheid", "weight": 3}],
        "offers": ["ervaringskennis"], "needs": ["fondsenwerving"]})
    assert status == 201, body
    org = body["organisation"]["id"]
    assert api.store.get_node(org).props["kind"] == "womens-organisation"
    assert api.store.get_relationship("WORKS_ON", org, "eenzaamheid").props["weight"] == 3
    assert api.store.get_relationship("OFFERS", org, "ervaringskennis")  # the vocabulary term became a node
    assert api.store.get_relationship("ACTIVE_IN", org, "area-wk0363em")


@pytest.mark.parametrize("change, field", [
    ({"themes": [{"id": "no-such-theme", "weight": 2}]}, "themes"),
    ({"offers": ["no-such-capability"]}, "offers"),
    ({"areas": ["WK9999ZZ"]}, "areas"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"website": "ftp://example.org"}, "website"),
    ({"themes": [{"id": "taal", "weight": 7}]}, "themes"),
    ({"kind": "no-such-kind"}, "kind"),
])
def test_bad_profile_input_is_a_400_naming_the_field_and_writes_nothing(api: Api, change: dict[str, Any],
                                                                         field: str) -> None:
    before = api.store.revision()
    version = api.store.get_node("org-kadin").version
    status, body = api.call("PATCH", "/api/v1/organisations/org-kadin", "kadin",
                            {"expected_version": version, "description": "nieuw", **change})
    assert status == 400 and body["ok"] is False and body["status"] == 400
    assert field in body["error"] and any(e.startswith(f"{field}:") for e in body["errors"])
    assert api.store.revision() == before
    status, body = api.call("POST", "/api/v1/organisations", "admin", {"name": "Nieuw", **change})
    assert status == 400 and field in body["error"] and api.store.revision() == before


def test_a_member_patches_its_profile_and_a_stale_version_gets_409(api: Api) -> None:
    version = api.store.get_node("org-kadin").version
    status, body = api.call("PATCH", "/api/v1/organisations/org-kadin", "kadin", {
        "expected_version": version, "description": "Wij werken nu ook aan eenzaamheid",
        "themes": {"eenzaamheid": 3, "taal": 1}, "offers": ["vergaderruimte"]})
    assert status == 200, body
    assert body["organisation"]["description"] == "Wij werken nu ook aan eenzaamheid"
    assert api.store.get_relationship("WORKS_ON", "org-kadin", "eenzaamheid").props["weight"] == 3
    assert api.store.get_relationship("OFFERS", "org-kadin", "vergaderruimte")
    status, body = api.call("PATCH", "/api/v1/organisations/org-kadin", "coach",
                            {"expected_version": version, "description": "oud"})
    assert status == 409 and body["current_version"] == version + 1
    assert api.store.get_node("org-kadin").props["description"] == "Wij werken nu ook aan eenzaamheid"
    # a list replaces the old one: taal no longer
    status, _ = api.call("PATCH", "/api/v1/organisations/org-kadin", "kadin",
                         {"expected_version": version + 1, "themes": {"eenzaamheid": 3}})
    assert status == 200
    assert not api.store.get_relationships([("WORKS_ON", "org-kadin", "taal", "")])


def test_a_profile_change_is_in_the_history_with_who_and_can_be_undone(api: Api) -> None:
    version = api.store.get_node("org-kadin").version
    api.call("PATCH", "/api/v1/organisations/org-kadin", "kadin",
             {"expected_version": version, "name": "Kadın Dayanışma West"})
    status, body = api.call("GET", "/api/v1/organisations/org-kadin/history", "kadin")
    entry = body["changes"][0]
    assert entry["actor"] == "kadin" and entry["kind"] == "node"
    names = [f for f in entry["fields"] if f["field"] == "name"]
    assert names == [{"field": "name", "old": "Kadın Dayanışma Derneği", "new": "Kadın Dayanışma West",
                      "hidden": False}]
    status, body = api.call("POST", f"/api/v1/organisations/org-kadin/history/{entry['seq']}/undo", "kadin")
    assert status == 200, body
    assert api.store.get_node("org-kadin").name == "Kadın Dayanışma Derneği"


def test_permissions_for_profiles(api: Api) -> None:
    version = api.store.get_node("org-kadin").version
    assert api.call("PATCH", "/api/v1/organisations/org-kadin", "alone",
                    {"expected_version": version, "description": "x"})[0] == 403
    before = api.store.revision()  # the public: refused (no CSRF token, no account), nothing written
    assert api.call("PATCH", "/api/v1/organisations/org-kadin", None,
                    {"expected_version": version, "description": "x"})[0] in (400, 401)
    assert api.store.revision() == before
    assert api.call("POST", "/api/v1/organisations", "kadin", {"name": "Nieuw"})[0] == 403
    # a coach creates in its region (West, where its organisations are), not elsewhere
    status, body = api.call("POST", "/api/v1/organisations", "coach", {"name": "Nieuw West", "areas": ["E"]})
    assert status == 201, body
    new_id = body["organisation"]["id"]
    assert new_id in api.app.extensions["goudkaart"].accounts.by_name("coach").organisations
    assert api.call("POST", "/api/v1/organisations", "coach", {"name": "Ver weg", "areas": ["F"]})[0] == 403


# -- ties declared and confirmed ---------------------------------------------------------------
def test_a_proposed_tie_is_a_request_until_the_other_side_accepts(api: Api) -> None:
    status, body = api.call("POST", "/api/v1/organisations/org-kadin/tie-requests", "kadin",
                            {"to": "org-alone", "rung": 2, "note": XSS})
    assert status == 201, body
    request_id = body["request"]["id"]
    assert body["request"]["status"] == "pending" and _tie(api.store, "org-kadin", "org-alone") is None
    graph = api.call("GET", "/api/v1/graph", "admin")[1]
    assert not any({e["from"], e["to"]} == {"org-kadin", "org-alone"} for e in graph["edges"])
    status, box = api.call("GET", "/api/v1/organisations/org-alone/tie-requests", "alone")
    assert [r["id"] for r in box["incoming"]] == [request_id] and box["incoming"][0]["note"] == XSS
    status, body = api.call("POST", f"/api/v1/tie-requests/{request_id}/accept", "alone", {"rung": 3})
    assert status == 200 and body["request"]["status"] == "accepted", body
    tie = _tie(api.store, "org-kadin", "org-alone")
    assert tie is not None and tie["rung"] == 3 and tie["provenance"] == "confirmed"
    assert tie["declared_by"] == "both"
    graph = api.call("GET", "/api/v1/graph?types=Organisation", "admin")[1]
    edge = next(e for e in graph["edges"] if {e["from"], e["to"]} == {"org-kadin", "org-alone"})
    assert edge["rung"] == 3 and edge["provenance"] == "confirmed" and "beide" in edge["title"]
    assert api.call("POST", f"/api/v1/tie-requests/{request_id}/accept", "alone")[0] == 409


def test_a_declined_request_writes_no_tie_and_a_downgrade_is_a_notice(api: Api) -> None:
    _, body = api.call("POST", "/api/v1/organisations/org-kadin/tie-requests", "kadin",
                       {"to": "org-alone", "rung": 2})
    status, body = api.call("POST", f"/api/v1/tie-requests/{body['request']['id']}/decline", "alone")
    assert status == 200 and body["request"]["status"] == "declined"
    assert _tie(api.store, "org-kadin", "org-alone") is None
    # org-amal and org-kadin are at rung 3: going down needs no confirmation
    status, body = api.call("POST", "/api/v1/organisations/org-kadin/tie-requests", "kadin",
                            {"to": "org-amal", "rung": 1, "note": "minder contact"})
    assert status == 201 and body["request"]["status"] == "notice"
    assert _tie(api.store, "org-kadin", "org-amal")["rung"] == 1  # type: ignore[index]
    box = api.call("GET", "/api/v1/organisations/org-amal/tie-requests", "coach")[1]
    assert [(n["old_rung"], n["rung"]) for n in box["notices"]] == [(3, 1)]


def test_crossed_and_stale_proposals_are_refused(api: Api) -> None:
    _, body = api.call("POST", "/api/v1/organisations/org-kadin/tie-requests", "kadin", {"to": "org-alone", "rung": 2})
    request_id = body["request"]["id"]
    status, body = api.call("POST", "/api/v1/organisations/org-alone/tie-requests", "alone",
                            {"to": "org-kadin", "rung": 3})
    assert status == 409 and "accept or decline" in body["error"]
    # a coach raises the tie meanwhile: accepting the old proposal would lower it, so it is refused
    api.call("PUT", "/api/v1/organisations/org-kadin/ties/org-alone", "coach", {"rung": 4})
    status, body = api.call("POST", f"/api/v1/tie-requests/{request_id}/accept", "alone")
    assert status == 409 and _tie(api.store, "org-kadin", "org-alone")["rung"] == 4  # type: ignore[index]
    assert api.call("POST", f"/api/v1/tie-requests/{request_id}/decline", "alone")[0] == 200


@pytest.mark.parametrize("payload, field", [
    ({"to": "org-kadin", "rung": 2}, "to"), ({"to": "no-such-org", "rung": 2}, "to"),
    ({"to": "org-alone", "rung": 6}, "rung"), ({"to": "org-alone", "rung": "2"}, "rung"),
    ({"to": "org-alone", "rung": 2, "note": "x" * 1001}, "note"), ({"to": "eenzaamheid", "rung": 2}, "to"),
])
def test_bad_tie_requests_name_the_field(api: Api, payload: dict[str, Any], field: str) -> None:
    before = api.store.revision()
    status, body = api.call("POST", "/api/v1/organisations/org-kadin/tie-requests", "kadin", payload)
    assert status == 400 and body["errors"] == [field] and api.store.revision() == before


def test_who_may_see_and_answer_requests(api: Api) -> None:
    _, body = api.call("POST", "/api/v1/organisations/org-kadin/tie-requests", "kadin",
                       {"to": "org-alone", "rung": 2})
    request_id = body["request"]["id"]
    assert api.call("POST", f"/api/v1/tie-requests/{request_id}/accept", "kadin")[0] == 403  # its own
    assert api.call("POST", f"/api/v1/tie-requests/{request_id}/accept", None)[0] in (400, 401)
    assert api.call("GET", "/api/v1/organisations/org-alone/tie-requests", "kadin")[0] == 403
    assert api.call("GET", "/api/v1/organisations/org-alone/inbox", None)[0] == 401
    public = api.client.get("/actors/org-alone").get_data(as_text=True)
    assert request_id not in public and "Inbox" not in public
    assert api.call("POST", f"/api/v1/tie-requests/{request_id}/accept", "admin")[0] == 200


def test_a_coach_records_a_tie_with_provenance_coach(api: Api) -> None:
    status, body = api.call("PUT", "/api/v1/organisations/org-kadin/ties/org-alone", "coach",
                            {"rung": 2, "expected_version": 0})
    assert status == 200 and body["tie"]["provenance"] == "coach"
    assert _tie(api.store, "org-kadin", "org-alone")["provenance"] == "coach"  # type: ignore[index]
    assert api.call("PUT", "/api/v1/organisations/org-kadin/ties/org-alone", "kadin", {"rung": 3})[0] == 403
    status, body = api.call("PUT", "/api/v1/organisations/org-kadin/ties/org-alone", "coach",
                            {"rung": 3, "expected_version": 0})
    assert status == 409 and body["current_version"] == 1


# -- introductions ----------------------------------------------------------------------------
def test_an_accepted_introduction_is_a_rung_1_tie_and_the_coach_overview_counts_it(api: Api) -> None:
    status, body = api.call("POST", "/api/v1/organisations/org-kadin/introductions", "coach", {"to": "org-alone"})
    assert status == 201, body
    intro = body["introduction"]
    assert intro["reason_en"] == "Both work on loneliness in De Kolenkit." and intro["sent_by"] == "coach"
    assert api.call("POST", "/api/v1/organisations/org-kadin/introductions", "coach", {"to": "org-alone"})[0] == 409
    assert api.call("POST", f"/api/v1/introductions/{intro['id']}/accept", "kadin")[0] == 403
    box = api.call("GET", "/api/v1/organisations/org-alone/introductions", "alone")[1]
    assert [i["id"] for i in box["incoming"]] == [intro["id"]]
    status, body = api.call("POST", f"/api/v1/introductions/{intro['id']}/accept", "alone")
    assert status == 200 and body["introduction"]["status"] == "accepted"
    tie = _tie(api.store, "org-kadin", "org-alone")
    assert tie is not None and (tie["rung"], tie["provenance"]) == (1, "introduction")
    overview = api.call("GET", "/api/v1/coach", "coach")[1]
    card = next(c for c in overview["organisations"] if c["organisation"]["id"] == "org-kadin")
    assert card["introductions"] == {"made": 1, "accepted": 1, "climbed": 0}
    # later they meet: rung 2, confirmed by both — the introduction counts as climbed
    _, body = api.call("POST", "/api/v1/organisations/org-alone/tie-requests", "alone", {"to": "org-kadin", "rung": 2})
    api.call("POST", f"/api/v1/tie-requests/{body['request']['id']}/accept", "kadin")
    overview = api.call("GET", "/api/v1/coach", "coach")[1]
    card = next(c for c in overview["organisations"] if c["organisation"]["id"] == "org-kadin")
    assert card["introductions"] == {"made": 1, "accepted": 1, "climbed": 1}


def test_introductions_only_for_matches_and_a_decline_writes_no_tie(api: Api) -> None:
    status, body = api.call("POST", "/api/v1/organisations/org-kadin/introductions", "coach", {"to": "fund-a"})
    assert status == 400 and body["errors"] == ["to"]
    _, body = api.call("POST", "/api/v1/organisations/org-kadin/introductions", "kadin", {"to": "org-alone"})
    status, body = api.call("POST", f"/api/v1/introductions/{body['introduction']['id']}/decline", "alone")
    assert status == 200 and body["introduction"]["status"] == "declined"
    assert _tie(api.store, "org-kadin", "org-alone") is None


def test_exports_carry_provenance_and_keep_requests_from_non_admins(api: Api, tmp_path: Path) -> None:
    api.call("POST", "/api/v1/organisations/org-kadin/tie-requests", "kadin", {"to": "org-alone", "rung": 2,
                                                                               "note": "geheim"})
    api.account("funder", "funder")
    graphml = api.client.get("/api/v1/data/export/graphml",
                             headers={"Authorization": f"Bearer {api.tokens['funder']}"}).get_data(as_text=True)
    assert 'attr.name="provenance"' in graphml and "TieRequest" not in graphml and "geheim" not in graphml
    gexf = api.client.get("/api/v1/data/export/gexf",
                          headers={"Authorization": f"Bearer {api.tokens['admin']}"}).get_data(as_text=True)
    assert 'title="provenance"' in gexf and "TieRequest" in gexf
