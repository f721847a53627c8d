"""The coach workspace on the web: the capacity API and forms, the overview, the visit sheet, and
who may see the profile (only the organisation, its coach and admins)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.actions.capacity import record_assessment
from graphsvc.capacity import capacity_profile
from graphsvc.store import GraphStore
from tests.capacity_graph import FIN, NEW_PARTNER, ORG, OTHER, seed_capacity_graph
from tests.conftest import csrf_token_from
from tests.small_graph import XSS

SECRET = "GEHEIME-NOTITIE-4711"
LOW = {"governance": 3, "financial_administration": 2, "volunteer_policy": 4, "innovation": 3,
       "positioning": 4}


@pytest.fixture
def profiled(sqlite_store: GraphStore) -> GraphStore:
    seed_capacity_graph(sqlite_store)
    record_assessment(sqlite_store, ORG, LOW, notes={"governance": SECRET}, day="2024-05-01", by="seed")
    return sqlite_store


def csrf(client: FlaskClient) -> str:
    return csrf_token_from(client.get("/").get_data(as_text=True))


def post_json(client: FlaskClient, path: str, body: dict[str, Any], token: bool = True) -> Any:
    headers = {"X-CSRFToken": csrf(client)} if token else {}
    return client.post(path, json=body, headers=headers)


# -- confidentiality -----------------------------------------------------------------------------
OUTSIDERS = [("public", ()), ("funder", ()), ("member", (OTHER,)), ("coach", (OTHER,))]
READ_ONLY_VIEWS = ["/api/v1/organisations/org-amal", "/api/v1/actors/org-amal", "/api/v1/graph",
                   "/api/v1/graph?focus=org-amal", "/actors/org-amal", "/organisations", "/map",
                   "/api/v1/organisations?limit=100"]


@pytest.mark.parametrize(("role", "orgs"), OUTSIDERS)
def test_no_outsider_sees_or_changes_the_profile(profiled: GraphStore, client: FlaskClient, login: Any,
                                                 role: str, orgs: tuple[str, ...]) -> None:
    if role != "public":
        login(role, orgs=orgs)
    for path in READ_ONLY_VIEWS + ["/funders", "/api/v1/clusters", "/coach", "/api/v1/coach"]:
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert SECRET not in body, (role, path)
        assert response.status_code in (200, 302, 401, 403), (role, path, response.status_code)
    if role in ("member", "coach"):  # they see their own organisation, not this one
        cards = client.get("/api/v1/coach").get_json()["organisations"]
        assert [c["organisation"]["id"] for c in cards] == [OTHER]
    node = client.get("/api/v1/organisations/org-amal").get_json()["node"]
    assert "capacity" not in node
    closed = 401 if role == "public" else 403
    for path in (f"/coach/{ORG}", f"/coach/{ORG}/sheet"):
        assert client.get(path).status_code == (302 if role == "public" else 403), path
    assert client.get(f"/api/v1/organisations/{ORG}/capacity").status_code == closed
    revision = profiled.revision()
    assert post_json(client, f"/api/v1/organisations/{ORG}/capacity", {"scores": {"governance": 5}}).status_code == closed
    assert post_json(client, f"/api/v1/organisations/{ORG}/capacity/needs",
                     {"need": FIN, "decision": "confirmed"}).status_code == closed
    form = client.post(f"/coach/{ORG}/capacity", data={"csrf_token": csrf(client), "score-governance": "5"})
    assert form.status_code == (302 if role == "public" else 403)
    assert profiled.revision() == revision


@pytest.mark.parametrize(("role", "orgs"), [("member", (ORG,)), ("coach", (ORG,)), ("admin", ())])
def test_the_organisation_its_coach_and_admins_see_the_profile(
        profiled: GraphStore, login: Any, role: str, orgs: tuple[str, ...]) -> None:
    client = login(role, orgs=orgs)
    data = client.get(f"/api/v1/organisations/{ORG}/capacity").get_json()
    assert data["ok"] and data["assessments"][0]["notes"]["governance"] == SECRET
    assert SECRET in client.get(f"/coach/{ORG}").get_data(as_text=True)
    assert SECRET in client.get(f"/coach/{ORG}/sheet").get_data(as_text=True)
    # the public profile stays public, even for them
    assert SECRET not in client.get(f"/actors/{ORG}").get_data(as_text=True)


# -- the API -------------------------------------------------------------------------------------
def test_api_records_an_assessment_and_keeps_the_history(profiled: GraphStore, login: Any) -> None:
    client = login("coach", orgs=[ORG])
    body = {"date": "2025-02-01", "scores": {**LOW, "governance": 4}, "notes": {"governance": "Nieuw bestuur"}}
    assert post_json(client, f"/api/v1/organisations/{ORG}/capacity", body, token=False).status_code == 400
    response = post_json(client, f"/api/v1/organisations/{ORG}/capacity", body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["assessment"]["by"] == "coach-user"
    assert [a["date"] for a in data["assessments"]] == ["2025-02-01", "2024-05-01"]
    governance = data["profile"][0]
    assert (governance["latest"], governance["previous"], governance["change"]) == (4, 3, 1)
    assert [p["need"] for p in data["proposed_needs"]] == [FIN]


def test_api_token_calls_need_no_csrf_token(profiled: GraphStore, app: Flask) -> None:
    with app.app_context():
        accounts = app.extensions["goudkaart"].accounts
        user = accounts.add_user("script-coach", "correct horse battery", "coach", [ORG])
        token = accounts.create_token(user.id)
    client = app.test_client()
    response = client.post(f"/api/v1/organisations/{ORG}/capacity", json={"scores": {"innovation": 1}},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert len(capacity_profile(profiled.get_node(ORG)).assessments) == 2


@pytest.mark.parametrize(("body", "needle"), [
    ({"scores": {"governance": 9}}, "from 1 to 5"),
    ({"scores": ["governance"]}, "'scores' must be an object"),
    ({"scores": {"fraude": 1}}, "Unknown dimension"),
    ({"scores": {"governance": 2}, "date": "gisteren"}, "2025-03-13"),
])
def test_api_errors_have_the_one_json_shape(profiled: GraphStore, login: Any, body: dict[str, Any],
                                            needle: str) -> None:
    client = login("coach", orgs=[ORG])
    response = post_json(client, f"/api/v1/organisations/{ORG}/capacity", body)
    data = response.get_json()
    assert response.status_code == 400 and data["ok"] is False and data["status"] == 400
    assert needle in data["error"]


def test_api_confirming_a_need_brings_a_new_match(profiled: GraphStore, login: Any) -> None:
    client = login("coach", orgs=[ORG])
    before = client.get(f"/api/v1/organisations/{ORG}/matches?lang=en").get_json()["matches"]
    assert NEW_PARTNER not in [m["id"] for m in before]
    response = post_json(client, f"/api/v1/organisations/{ORG}/capacity/needs",
                         {"need": FIN, "decision": "confirmed"})
    assert response.status_code == 200 and response.get_json()["needs_from_capacity"] == [FIN]
    after = client.get(f"/api/v1/organisations/{ORG}/matches?lang=en").get_json()["matches"]
    new = next(m for m in after if m["id"] == NEW_PARTNER)
    assert "financial administration" in new["reason_en"]
    again = post_json(client, f"/api/v1/organisations/{ORG}/capacity/needs", {"need": FIN, "decision": "rejected"})
    assert again.status_code == 409


def test_api_positioning(profiled: GraphStore, login: Any) -> None:
    client = login("member", orgs=[ORG])
    version = profiled.get_node(ORG).version
    body = {"core_business": "Taalcafé", "communities": ["comm-jongeren"], "version": version}
    data = post_json(client, f"/api/v1/organisations/{ORG}/positioning", body).get_json()
    assert data["ok"] and data["communities"] == ["comm-jongeren"] and data["areas"] == ["area-kolenkit"]
    stale = post_json(client, f"/api/v1/organisations/{ORG}/positioning", body)
    assert stale.status_code == 409 and stale.get_json()["current_version"] == data["version"]
    assert "Taalcafé" in client.get(f"/actors/{ORG}").get_data(as_text=True)


# -- the workspace page and its forms --------------------------------------------------------------
def test_workspace_records_confirms_and_shows_the_new_match(profiled: GraphStore, login: Any) -> None:
    client = login("coach", orgs=[ORG])
    page = client.get(f"/coach/{ORG}?lang=en").get_data(as_text=True)
    assert NEW_PARTNER not in page and 'data-need="financiele-administratie"' in page
    form = {"csrf_token": csrf(client), "date": "2025-02-01", "note-governance": "Nieuw bestuur",
            **{f"score-{k}": str(v) for k, v in LOW.items()}, "score-governance": "4"}
    response = client.post(f"/coach/{ORG}/capacity", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/coach/{ORG}#profile")
    page = client.get(f"/coach/{ORG}?lang=en").get_data(as_text=True)
    assert "The assessment is recorded." in page and "Assessments: 2, the latest on 2025-02-01." in page
    assert "▲</span> +1" in page and "Nieuw bestuur" in page
    client.post(f"/coach/{ORG}/needs", data={"csrf_token": csrf(client), "need": FIN, "decision": "confirmed"})
    page = client.get(f"/coach/{ORG}?lang=en").get_data(as_text=True)
    assert "The need is confirmed" in page and f'data-id="{NEW_PARTNER}"' in page
    assert "Helps with a need from the capacity profile: Financial administration" in page
    assert "from the capacity profile</span>" in page


def test_workspace_rejects_and_reports_bad_input(profiled: GraphStore, login: Any) -> None:
    client = login("coach", orgs=[ORG])
    client.get("/?lang=en")  # the language choice is remembered; messages follow it
    client.post(f"/coach/{ORG}/needs", data={"csrf_token": csrf(client), "need": FIN, "decision": "rejected"})
    page = client.get(f"/coach/{ORG}?lang=en").get_data(as_text=True)
    assert "it will not be proposed again" in page and 'class="proposal"' not in page
    revision = profiled.revision()
    client.post(f"/coach/{ORG}/capacity", data={"csrf_token": csrf(client), "score-governance": "7"})
    assert "must be a whole number from 1 to 5" in client.get(f"/coach/{ORG}?lang=en").get_data(as_text=True)
    assert profiled.revision() == revision
    assert client.post(f"/coach/{ORG}/capacity", data={"score-governance": "3"}).status_code == 400


def test_workspace_saves_positioning_from_the_form(profiled: GraphStore, login: Any) -> None:
    client = login("coach", orgs=[ORG])
    client.get("/?lang=en")
    form = {"csrf_token": csrf(client), "version": str(profiled.get_node(ORG).version),
            "core_business": "Veilige plek voor moeders", "communities": ["comm-vrouwen", "comm-jongeren"],
            "areas": ["area-f"]}
    assert client.post(f"/coach/{ORG}/positioning", data=form).status_code == 302
    page = client.get(f"/coach/{ORG}?lang=en").get_data(as_text=True)
    assert "are saved" in page and "Veilige plek voor moeders</textarea>" in page
    assert 'value="area-f" checked' in page and 'value="area-kolenkit" checked' not in page


def test_user_text_in_the_profile_is_escaped(profiled: GraphStore, login: Any) -> None:
    record_assessment(profiled, ORG, {"governance": 1}, notes={"governance": XSS}, by=XSS)
    client = login("coach", orgs=[ORG])
    for path in (f"/coach/{ORG}", f"/coach/{ORG}/sheet", "/coach"):
        body = client.get(path).get_data(as_text=True)
        assert XSS not in body, path
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get(f"/coach/{ORG}").get_data(as_text=True)


# -- the overview and the visit sheet ----------------------------------------------------------------
def test_overview_lists_my_organisations_with_profile_needs_matches_and_ladder(
        profiled: GraphStore, login: Any) -> None:
    client = login("coach", orgs=[ORG])
    page = client.get("/coach?lang=en").get_data(as_text=True)
    assert page.count('class="coach-card"') == 1 and "Latest assessment: 2024-05-01" in page
    assert "waiting for a decision: 1" in page
    assert "2025-03-01: new tie with Buurtvrouwen De Kolenkit at rung 1" in page
    data = client.get("/api/v1/coach?lang=en").get_json()
    (card,) = data["organisations"]
    assert data["total"] == 1 and card["organisation"]["id"] == ORG
    assert card["profile"][1]["latest"] == 2 and card["proposed_needs"][0]["need"] == FIN
    assert 1 <= len(card["matches"]) <= 3 and card["last_ladder_change"]["new_rung"] == 1


def test_visit_sheet_is_one_printable_page(profiled: GraphStore, login: Any, client: FlaskClient) -> None:
    login("admin")
    page = client.get(f"/coach/{ORG}/sheet?lang=en").get_data(as_text=True)
    assert "css/coach.css" in page and "Notes of this visit" in page and "Who to meet, and why" in page
    response = client.get("/static/css/coach.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@media print" in css and "@page" in css


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_workspace_never_speaks_of_risk_or_fraud(profiled: GraphStore, login: Any, lang: str) -> None:
    from tests.test_vocab_no_risk import WORDS

    client = login("coach", orgs=[ORG])
    for path in (f"/coach/{ORG}", f"/coach/{ORG}/sheet", "/coach", "/api/v1/coach",
                 f"/api/v1/organisations/{ORG}/capacity"):
        body = client.get(f"{path}?lang={lang}").get_data(as_text=True)
        assert not WORDS.search(body), (path, WORDS.search(body))
