"""The profile form and the inbox forms (cookie login with CSRF), and themes proposed to the admin."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from graphsvc.store import GraphStore
from tests.conftest import csrf_token_from
from tests.small_graph import XSS


def _form(client: FlaskClient, url: str) -> tuple[str, str]:
    html = client.get(url).get_data(as_text=True)
    return html, csrf_token_from(html)


def test_the_form_saves_a_profile_and_shows_errors_without_writing(seeded: GraphStore, login: Any) -> None:
    client = login("member", orgs=["org-amal"], username="amal")
    html, token = _form(client, "/organisations/org-amal/edit?lang=en")
    assert 'value="Stichting Al Amal West"' in html and 'option value="eenzaamheid" data-search' in html
    version = seeded.get_node("org-amal").version
    base = {"csrf_token": token, "expected_version": str(version), "name": "Al Amal", "themes": ["eenzaamheid"],
            "weight-eenzaamheid": "1", "areas": ["area-wk0363em"], "contact_name": ["Sara"],
            "contact_role": ["voorzitter"], "contact_email": ["sara@example.org"], "contact_phone": [""]}
    before = seeded.revision()
    bad = client.post("/organisations/org-amal/edit?lang=en", data={**base, "website": "javascript:alert(1)"})
    assert bad.status_code == 400 and "website" in bad.get_data(as_text=True)
    assert seeded.revision() == before
    ok = client.post("/organisations/org-amal/edit", data={**base, "website": "https://amal.example",
                                                           "proposed_theme": XSS})
    assert ok.status_code == 302
    node = seeded.get_node("org-amal")
    assert (node.name, node.props["website"], node.props["proposed_themes"]) == ("Al Amal", "https://amal.example", [XSS])
    assert node.props["contact_persons"] == [{"name": "Sara", "role": "voorzitter", "email": "sara@example.org"}]
    assert seeded.get_relationship("WORKS_ON", "org-amal", "eenzaamheid").props["weight"] == 1
    stale = client.post("/organisations/org-amal/edit", data={**base, "name": "Oud"})  # the version it saw
    assert stale.status_code == 409 and seeded.get_node("org-amal").name == "Al Amal"
    public = client.application.test_client().get("/actors/org-amal").get_data(as_text=True)
    assert "sara@example.org" not in public and "Edit profile" not in public and "Profiel bewerken" not in public


def test_proposed_themes_wait_for_the_admin(seeded: GraphStore, login: Any) -> None:
    client = login("member", orgs=["org-amal"], username="amal")
    _, token = _form(client, "/organisations/org-amal/edit")
    client.post("/organisations/org-amal/edit", data={
        "csrf_token": token, "expected_version": str(seeded.get_node("org-amal").version),
        "name": "Stichting Al Amal West", "proposed_theme": "Digitale inclusie"})
    assert client.get("/admin/proposed-themes").status_code == 403
    admin = login("admin", username="boss")
    page = admin.get("/admin/proposed-themes").get_data(as_text=True)
    assert "Digitale inclusie" in page and "Stichting Al Amal West" in page
    assert admin.get("/api/v1/proposed-themes").get_json()["items"] == [
        {"id": "org-amal", "name": "Stichting Al Amal West", "themes": ["Digitale inclusie"]}]
    assert "digitale" not in {n.id for n in seeded.iter_nodes("Interest")}


def test_the_inbox_forms_propose_and_answer(seeded: GraphStore, login: Any) -> None:
    client = login("member", orgs=["org-kadin"], username="kadin")
    html, token = _form(client, "/organisations/org-kadin/inbox?q=Eenzame")
    assert 'option value="org-alone"' in html and 'option value="org-amal"' not in html  # narrowed on the server
    response = client.post("/organisations/org-kadin/tie-requests",
                           data={"csrf_token": token, "to": "org-alone", "rung": "9"})
    assert response.status_code == 302 and not list(seeded.iter_nodes("TieRequest"))
    client.post("/organisations/org-kadin/tie-requests", data={"csrf_token": token, "to": "org-alone", "rung": "2"})
    request_id = next(seeded.iter_nodes("TieRequest")).id
    refused = client.post(f"/tie-requests/{request_id}/accept", data={"csrf_token": token})
    assert refused.status_code == 403  # the proposer cannot confirm its own claim
    other = login("member", orgs=["org-alone"], username="alone")
    html, token = _form(other, "/organisations/org-alone/inbox")
    assert request_id in html
    other.post(f"/tie-requests/{request_id}/accept", data={"csrf_token": token, "rung": "1"})
    tie = seeded.get_relationship("TIE", "org-kadin", "org-alone")
    assert (tie.props["rung"], tie.props["provenance"]) == (1, "confirmed")
