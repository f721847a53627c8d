"""An undeclared or invalid key gets a message naming its field: the API a 400 in the one error
shape, the profile form the message beside the field; nothing is written either way."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.store import GraphStore
from tests.conftest import PASSWORD, csrf_token_from

SHAPE = {"ok", "error", "errors", "status"}


def _headers(app: Flask, name: str, role: str, orgs: list[str]) -> dict[str, str]:
    accounts = app.extensions["goudkaart"].accounts
    return {"Authorization": f"Bearer {accounts.create_token(accounts.add_user(name, PASSWORD, role, orgs).id)}"}


def _refused(answer: Any, field: str) -> list[str]:
    body = answer.get_json()
    assert answer.status_code == 400 and set(body) == SHAPE and body["ok"] is False
    assert any(e.startswith(f"{field}: ") for e in body["errors"]), body["errors"]
    assert field in body["error"]
    return list(body["errors"])


@pytest.mark.parametrize(("method", "url", "payload", "field"), [
    ("post", "/api/v1/organisations/org-kadin/tie-requests", {"to": "org-alone", "rung": 2, "fraud_flag": 1},
     "fraud_flag"),
    ("post", "/api/v1/organisations/org-kadin/tie-requests", {"to": "org-alone", "rung": 2, "weight": 3}, "weight"),
    ("post", "/api/v1/organisations/org-kadin/introductions", {"to": "org-alone", "reason": "x"}, "reason"),
    ("patch", "/api/v1/organisations/org-kadin", {"expected_version": 1, "contact_email": "a@b.nl"},
     "contact_email"),
])
def test_an_api_write_with_an_undeclared_key_is_a_400_naming_it(
        app: Flask, client: FlaskClient, seeded: GraphStore, method: str, url: str, payload: dict[str, Any],
        field: str) -> None:
    headers = _headers(app, "kadin", "member", ["org-kadin"])
    payload = {**payload, "expected_version": seeded.get_node("org-kadin").version} \
        if "expected_version" in payload else payload
    before = seeded.revision()
    _refused(getattr(client, method)(url, json=payload, headers=headers), field)
    assert seeded.revision() == before


def test_answers_and_a_coachs_tie_name_a_bad_key_or_version(app: Flask, client: FlaskClient,
                                                            seeded: GraphStore) -> None:
    kadin = _headers(app, "kadin", "member", ["org-kadin"])
    alone = _headers(app, "alone", "member", ["org-alone"])
    coach = _headers(app, "coach", "coach", ["org-kadin"])
    proposed = client.post("/api/v1/organisations/org-kadin/tie-requests", json={"to": "org-alone", "rung": 2},
                           headers=kadin).get_json()["request"]["id"]
    before = seeded.revision()
    _refused(client.post(f"/api/v1/tie-requests/{proposed}/accept", json={"expected_version": "abc"},
                         headers=alone), "expected_version")
    _refused(client.post(f"/api/v1/tie-requests/{proposed}/accept", json={"rung": 2, "provenance": "x"},
                         headers=alone), "provenance")
    _refused(client.post(f"/api/v1/tie-requests/{proposed}/decline", json={"note": "nee"}, headers=alone), "note")
    _refused(client.put("/api/v1/organisations/org-kadin/ties/org-alone", json={"rung": 2, "since": "2020"},
                        headers=coach), "since")
    assert seeded.revision() == before
    accepted = client.post(f"/api/v1/tie-requests/{proposed}/accept", json={"rung": 2}, headers=alone)
    assert accepted.status_code == 200  # what it does take still works


def test_the_profile_form_shows_each_message_beside_its_field(seeded: GraphStore, login: Any) -> None:
    client = login("member", orgs=["org-amal"], username="amal")
    html = client.get("/organisations/org-amal/edit").get_data(as_text=True)
    assert 'id="err-' not in html and "aria-invalid" not in html
    base = {"csrf_token": csrf_token_from(html), "expected_version": str(seeded.get_node("org-amal").version),
            "name": "Al Amal", "website": "javascript:alert(1)", "contact_name": ["Sara"],
            "contact_email": ["geen-adres"], "contact_role": [""], "contact_phone": [""]}
    before = seeded.revision()
    answer = client.post("/organisations/org-amal/edit", data=base)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and seeded.revision() == before
    assert 'id="field-website" type="url" maxlength="500" placeholder="https://" value="javascript:alert(1)" ' \
           'aria-invalid="true" aria-describedby="err-website"><span class="field-error" id="err-website">' \
           'an http:// or https:// address. </span>' in page
    contacts = page.split('id="field-contact_persons"')[1].split("</legend>")[1]
    assert contacts.startswith('<span class="field-error" id="err-contact_persons">person 1: ')
    assert '<a href="#field-website">website: an http:// or https:// address.</a>' in page  # the summary links
    assert 'id="err-name"' not in page  # the name was fine


def test_a_mangled_form_version_is_a_message_not_a_500(seeded: GraphStore, login: Any) -> None:
    client = login("member", orgs=["org-amal"], username="amal")
    token = csrf_token_from(client.get("/organisations/org-amal/edit").get_data(as_text=True))
    before = seeded.revision()
    answer = client.post("/organisations/org-amal/edit",
                         data={"csrf_token": token, "expected_version": "abc", "name": "Al Amal"})
    assert answer.status_code == 400 and "Het formulier is verouderd" in answer.get_data(as_text=True)
    assert seeded.revision() == before
