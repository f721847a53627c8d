"""Meeting mode over HTTP: area questions, sessions API, who may do what, bad input, pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from tests.conftest import csrf_token_from
from tests.small_graph import XSS

ESCAPED_XSS = "&lt;img src=x onerror=alert(1)&gt;"


def token(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token_from(client.get("/meeting").get_data(as_text=True))}


def post(client: FlaskClient, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json=body or {}, headers=token(client))


@pytest.fixture
def coach(login: Callable[..., FlaskClient], seeded: GraphStore) -> FlaskClient:
    return login("coach")


@pytest.fixture
def session_id(coach: FlaskClient) -> str:
    response = post(coach, "/api/v1/sessions", {"area": "WK0363EM", "name": "Wijktafel Kolenkit",
                                                "date": "2025-03-13"})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["session"]["id"])


# -- area questions ------------------------------------------------------------------------------
def test_islands_and_near_islands_of_an_area(client: FlaskClient, seeded: GraphStore) -> None:
    data = client.get("/api/v1/areas/WK0363EM/islands").get_json()
    assert data["ok"] is True and data["area"]["code"] == "WK0363EM" and data["min_rung"] == 2
    assert [i["id"] for i in data["islands"]] == ["org-xss"] and data["count"] == 1
    assert data["islands"][0]["name"] == XSS  # JSON carries the name as it is, as text
    assert [i["id"] for i in data["near_islands"]] == ["org-kadin"]
    looser = client.get("/api/v1/areas/WK0363EM/islands?min_rung=1").get_json()
    assert looser["islands"] == []


def test_brokers_agenda_and_ladder(client: FlaskClient, seeded: GraphStore) -> None:
    brokers = client.get("/api/v1/areas/E/brokers").get_json()["brokers"]
    assert brokers[0]["id"] == "org-amal" and len(brokers[0]["groups"]) == 2
    with seeded.transaction() as tx:
        tx.upsert_relationship(Relationship("WORKS_ON", "org-kadin", "eenzaamheid", {"weight": 2}))
    topics = client.get("/api/v1/areas/E/agenda").get_json()["topics"]
    assert [(t["interest_id"], t["organisations"]) for t in topics] == [("eenzaamheid", 2)]
    ladder = client.get("/api/v1/areas/E/ladder?period=year").get_json()
    assert ladder["area"]["id"] == "area-e"
    assert ladder["periods"][-1]["rungs"] == {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0}


@pytest.mark.parametrize("what", ["islands", "brokers", "agenda", "ladder", "meeting"])
def test_unknown_area_is_a_plain_404(client: FlaskClient, seeded: GraphStore, what: str) -> None:
    response = client.get(f"/api/v1/areas/NOWHERE/{what}")
    assert response.status_code == 404
    assert response.get_json() == {"ok": False, "error": "There is no area with code 'NOWHERE'.",
                                   "errors": [], "status": 404}


@pytest.mark.parametrize("query", ["min_rung=7", "period=decade", "limit=0"])
def test_bad_parameters_are_400(client: FlaskClient, seeded: GraphStore, query: str) -> None:
    what = {"min_rung": "islands", "period": "ladder", "limit": "agenda"}[query.split("=")[0]]
    response = client.get(f"/api/v1/areas/E/{what}?{query}")
    assert response.status_code == 400 and response.get_json()["ok"] is False


# -- who may look and who may write ------------------------------------------------------------
def test_the_public_sees_a_meeting_only_where_an_admin_allowed_it(
        app: Any, login: Callable[..., FlaskClient], seeded: GraphStore) -> None:
    public = app.test_client()
    assert public.get("/meeting/E").status_code == 302
    assert public.get("/api/v1/areas/E/meeting").status_code == 401
    assert public.get("/meeting/E/offline.html").status_code == 302
    coach = login("coach")
    assert post(coach, "/api/v1/areas/E/public-meeting-map", {"enabled": True}).status_code == 403
    admin = _login_as(app, app.test_client(), "admin")  # a second browser
    assert post(admin, "/api/v1/areas/E/public-meeting-map",
                {"enabled": True}).get_json()["area"]["public_meeting_map"] is True
    page = public.get("/meeting/E")
    assert page.status_code == 200 and 'id="record-form"' not in page.get_data(as_text=True)
    state = public.get("/api/v1/areas/E/meeting").get_json()
    assert state["can_record"] is False and state["area"]["public_meeting_map"] is True
    assert public.get("/api/v1/areas/WK0363EM/meeting").status_code == 401  # only E was opened


def _login_as(app: Any, client: FlaskClient, role: str) -> FlaskClient:
    from tests.conftest import PASSWORD

    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user(f"{role}-2", PASSWORD, role, [])
    form = {"username": f"{role}-2", "password": PASSWORD,
            "csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True))}
    assert client.post("/login", data=form).status_code == 302
    return client


def test_members_and_the_public_may_not_record(app: Any, login: Callable[..., FlaskClient],
                                               seeded: GraphStore) -> None:
    public = app.test_client()
    response = public.post("/api/v1/sessions", json={"area": "E"}, headers=token(public))
    assert response.status_code == 401
    member = login("member", orgs=["org-amal"])
    assert post(member, "/api/v1/sessions", {"area": "E"}).status_code == 403
    assert member.get("/meeting/E").status_code == 200  # but they may follow the meeting


def test_posts_need_the_csrf_token(coach: FlaskClient) -> None:
    response = coach.post("/api/v1/sessions", json={"area": "E"})
    assert response.status_code == 400 and response.get_json()["ok"] is False


# -- a meeting through the API ------------------------------------------------------------------
def test_a_meeting_records_undoes_and_reports(coach: FlaskClient, session_id: str,
                                              seeded: GraphStore) -> None:
    url = f"/api/v1/sessions/{session_id}"
    first = post(coach, f"{url}/ties", {"a": "org-kadin", "b": "org-xss", "rung": 2,
                                        "expected_version": 0})
    assert first.status_code == 201
    body = first.get_json()
    assert body["change"]["kind"] == "new" and body["islands"] == []  # org-xss found a partner
    assert body["session"]["last_change"]["b_name"] == XSS
    second = post(coach, f"{url}/ties", {"a": "org-amal", "b": "org-kadin", "rung": "4"})
    assert second.status_code == 200 and second.get_json()["change"]["kind"] == "up"
    undone = post(coach, f"{url}/undo", {"expected_version": second.get_json()["session"]["version"]})
    assert undone.get_json()["change"]["kind"] == "undone"
    detail = coach.get(url).get_json()
    assert [(m["a"], m["b"]) for m in detail["diff"]["new_ties"]] == [("org-kadin", "org-xss")]
    assert detail["diff"]["climbs"] == [] and detail["session"]["status"] == "open"
    closed = post(coach, f"{url}/close")
    assert closed.get_json()["session"]["status"] == "closed"
    listing = coach.get("/api/v1/sessions?area=WK0363EM").get_json()["items"]
    assert [s["id"] for s in listing] == [session_id]
    assert listing[0]["changes"] == 2 and "before" not in str(listing)  # the raw log stays inside


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"a": "org-amal", "b": "org-amal", "rung": 2}, 400, "two different actors"),
        ({"a": "org-amal", "b": "org-kadin", "rung": 7}, 400, "from 1 to 5"),
        ({"a": "org-amal", "b": "org-kadin", "rung": "seven"}, 400, "from 1 to 5"),
        ({"a": "org-amal", "b": "org-kadin"}, 400, "from 1 to 5"),
        ({"a": "org-amal", "b": "ghost", "rung": 2}, 404, "no organisation"),
        ({"a": "org-amal", "b": "org-kadin", "rung": 2, "expected_version": 0}, 409, "changed by"),
        ({"a": "org-amal", "b": "org-kadin", "rung": 2, "expected_version": "x"}, 400, "whole number"),
    ],
)
def test_bad_ties_are_plain_errors_and_write_nothing(coach: FlaskClient, session_id: str,
                                                     seeded: GraphStore, body: dict[str, Any],
                                                     status: int, message: str) -> None:
    revision = seeded.revision()
    response = post(coach, f"/api/v1/sessions/{session_id}/ties", body)
    data = response.get_json()
    assert response.status_code == status and data["status"] == status and data["ok"] is False
    assert message in data["error"] and set(data) >= {"ok", "error", "errors", "status"}
    assert seeded.revision() == revision
    if status == 409:
        assert data["current_version"] == 1


def test_unknown_area_and_closed_session_are_refused(coach: FlaskClient, session_id: str,
                                                     seeded: GraphStore) -> None:
    revision = seeded.revision()
    response = post(coach, "/api/v1/sessions", {"area": "ZZ99"})
    assert response.status_code == 404 and "no area" in response.get_json()["error"]
    assert post(coach, "/api/v1/sessions", {"name": "no area"}).status_code == 400
    assert post(coach, "/api/v1/sessions/sess-ghost/ties",
                {"a": "org-amal", "b": "org-kadin", "rung": 2}).status_code == 404
    assert seeded.revision() == revision
    post(coach, f"/api/v1/sessions/{session_id}/close")
    revision = seeded.revision()
    for url, body in ((f"/api/v1/sessions/{session_id}/ties",
                       {"a": "org-amal", "b": "org-kadin", "rung": 2}),
                      (f"/api/v1/sessions/{session_id}/undo", {}),
                      (f"/api/v1/sessions/{session_id}/close", {})):
        response = post(coach, url, body)
        assert response.status_code == 409 and "closed" in response.get_json()["error"]
    assert seeded.revision() == revision


def test_api_token_clients_need_no_csrf(app: Any, coach: FlaskClient, session_id: str) -> None:
    with app.app_context():
        accounts = app.extensions["goudkaart"].accounts
        api_token = accounts.create_token(accounts.by_name("coach-user").id)
    robot = app.test_client()
    response = robot.post(f"/api/v1/sessions/{session_id}/ties",
                          json={"a": "org-kadin", "b": "org-xss", "rung": 1},
                          headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 201


# -- pages ----------------------------------------------------------------------------------------
def test_meeting_page_for_a_coach_escapes_names(coach: FlaskClient, session_id: str) -> None:
    html = coach.get("/meeting/WK0363EM").get_data(as_text=True)
    assert 'id="record-form"' in html and f'value="{session_id}"' in html
    assert ESCAPED_XSS in html and XSS not in html
    assert html.count('class="rung-button') == 5
    assert re.search(r'<script type="application/json" id="meeting-config">', html)


def test_meeting_page_without_session_offers_to_start_one(coach: FlaskClient) -> None:
    html = coach.get("/meeting/E").get_data(as_text=True)
    assert 'id="open-form"' in html and 'id="record-form"' not in html
    response = coach.post("/meeting/E/sessions", data={"name": "Avond", "date": "2025-05-01",
                                                       "csrf_token": token(coach)["X-CSRFToken"]})
    assert response.status_code == 302
    assert 'id="record-form"' in coach.get("/meeting/E").get_data(as_text=True)


def test_form_fallback_records_and_reports_errors(coach: FlaskClient, session_id: str,
                                                  seeded: GraphStore) -> None:
    form = {"session": session_id, "a": "org-kadin", "b": "org-xss", "rung": "3",
            "csrf_token": token(coach)["X-CSRFToken"]}
    assert coach.post("/meeting/WK0363EM/ties", data=form).status_code == 302
    assert seeded.get_relationship("TIE", "org-xss", "org-kadin").props["rung"] == 3
    revision = seeded.revision()
    bad = coach.post("/meeting/WK0363EM/ties", data={**form, "rung": "9"}, follow_redirects=True)
    assert "from 1 to 5" in bad.get_data(as_text=True) and seeded.revision() == revision
    coach.post("/meeting/WK0363EM/undo", data={"session": session_id,
                                                "csrf_token": form["csrf_token"]})
    with pytest.raises(Exception, match="no TIE"):
        seeded.get_relationship("TIE", "org-xss", "org-kadin")


def test_report_shows_what_moved_with_names_as_text(coach: FlaskClient, session_id: str) -> None:
    post(coach, f"/api/v1/sessions/{session_id}/ties", {"a": "org-kadin", "b": "org-xss", "rung": 2})
    response = coach.post("/meeting/WK0363EM/close", data={
        "session": session_id, "csrf_token": token(coach)["X-CSRFToken"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/report")
    html = coach.get(f"/meeting/sessions/{session_id}/report").get_data(as_text=True)
    new_ties = html[html.index('id="new-ties"'):html.index("</table>", html.index('id="new-ties"'))]
    assert "Kadın Dayanışma Derneği" in new_ties and ESCAPED_XSS in new_ties
    assert XSS not in html and 'src="data:image/svg+xml;base64,' in html
    assert "Wijktafel Kolenkit" in html


def test_report_of_an_unknown_session_is_404(coach: FlaskClient) -> None:
    assert coach.get("/meeting/sessions/nope/report").status_code == 404


def test_agenda_page_chart_and_offline_download(coach: FlaskClient, seeded: GraphStore) -> None:
    html = coach.get("/meeting/E/agenda?lang=en").get_data(as_text=True)
    assert "Draft agenda for West" in html and "<table>" in html
    svg = coach.get("/meeting/E/ladder.svg")
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).startswith("<svg")
    offline = coach.get("/meeting/WK0363EM/offline.html")
    assert offline.headers["Content-Disposition"] == 'attachment; filename="goudkaart-WK0363EM.html"'
    text = offline.get_data(as_text=True)
    assert "http://" not in text and "https://" not in text and XSS not in text


def test_meeting_index_lists_areas_and_sessions(coach: FlaskClient, session_id: str) -> None:
    html = coach.get("/meeting").get_data(as_text=True)
    assert "Wijktafel Kolenkit" in html and "/meeting/WK0363EM" in html
