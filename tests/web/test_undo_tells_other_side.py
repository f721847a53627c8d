"""Undoing a tie change tells the other organisation: a notice in its inbox, and a mail to its
contact persons where a mail server is configured (as a proposal does)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from graphsvc.access.visibility import Viewer
from graphsvc.actions.history import organisation_history
from graphsvc.config import load_settings
from graphsvc.model import Node
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.conftest import PASSWORD
from tests.small_graph import seed_small
from tests.web.test_notify import Inbox, smtp  # noqa: F401 - the local SMTP server fixture

KADIN, ALONE = "org-kadin", "org-alone"


def _app(store: GraphStore, tmp_path: Path, smtp_url: str = "") -> Flask:
    settings = load_settings(environ={}, store=f"sqlite:///{tmp_path / 'unused.db'}", testing=True,
                             secret_key="undo-notice-test")
    return create_app(settings.with_overrides(smtp_url=smtp_url), store=store)


def _headers(app: Flask, name: str, org: str) -> dict[str, str]:
    accounts = app.extensions["goudkaart"].accounts
    return {"Authorization": f"Bearer {accounts.create_token(accounts.add_user(name, PASSWORD, 'member', [org]).id)}"}


def _confirmed_tie(client: FlaskClient, kadin: dict[str, str], alone: dict[str, str]) -> None:
    proposed = client.post(f"/api/v1/organisations/{KADIN}/tie-requests", json={"to": ALONE, "rung": 2},
                           headers=kadin)
    assert proposed.status_code == 201
    accepted = client.post(f"/api/v1/tie-requests/{proposed.get_json()['request']['id']}/accept",
                           headers=alone)
    assert accepted.status_code == 200


def _newest_tie_change(store: GraphStore, org: str) -> int:
    return next(e.seq for e in organisation_history(store, org, Viewer("admin")).entries if e.label == "TIE")


def test_undoing_a_confirmed_tie_leaves_a_notice_in_the_other_sides_inbox(store: GraphStore,
                                                                          tmp_path: Path) -> None:
    seed_small(store)
    app = _app(store, tmp_path)
    client = app.test_client()
    kadin, alone = _headers(app, "kadin", KADIN), _headers(app, "alone", ALONE)
    _confirmed_tie(client, kadin, alone)

    undone = client.post(f"/api/v1/organisations/{KADIN}/history/{_newest_tie_change(store, KADIN)}/undo",
                         headers=kadin)
    assert undone.status_code == 200
    assert store.get_relationships([("TIE", KADIN, ALONE, "")]) == {}

    notices = client.get(f"/api/v1/organisations/{ALONE}/tie-requests", headers=alone).get_json()["notices"]
    assert [(n["from"]["id"], n["kind"], n["old_rung"], n["rung"], n["requested_by"]) for n in notices] == \
        [(KADIN, "undo", 2, 0, "kadin")]
    # kadin made the undo: it is not a notice for kadin itself
    assert client.get(f"/api/v1/organisations/{KADIN}/tie-requests", headers=kadin).get_json()["notices"] == []
    page = client.get(f"/organisations/{ALONE}/inbox", headers=alone)
    section = page.get_data(as_text=True).split('id="h-notices"')[1].split("</section>")[0]
    assert "Kadın Dayanışma Derneği" in section and "(een wijziging ongedaan gemaakt)" in section

    # undoing the undo brings the tie back, and the other side is told again
    again = client.post(f"/api/v1/organisations/{KADIN}/history/{_newest_tie_change(store, KADIN)}/undo",
                        headers=kadin)
    assert again.status_code == 200
    assert store.get_relationship("TIE", KADIN, ALONE).props["rung"] == 2
    notices = client.get(f"/api/v1/organisations/{ALONE}/tie-requests", headers=alone).get_json()["notices"]
    assert sorted((n["old_rung"], n["rung"]) for n in notices) == [(0, 2), (2, 0)]


def test_an_undo_that_leaves_the_rung_alone_sends_no_notice(store: GraphStore, tmp_path: Path) -> None:
    seed_small(store)
    app = _app(store, tmp_path)
    client = app.test_client()
    kadin = _headers(app, "kadin", KADIN)
    with store.transaction(source="web", actor="kadin") as tx:
        tx.upsert_node(Node(KADIN, "Organisation", {**store.get_node(KADIN).props, "website": "https://k.nl"}))
    seq = organisation_history(store, KADIN, Viewer("admin")).entries[0].seq
    assert client.post(f"/api/v1/organisations/{KADIN}/history/{seq}/undo", headers=kadin).status_code == 200
    assert not list(store.iter_nodes("TieRequest"))


def test_the_other_sides_contact_persons_get_a_mail(sqlite_store: GraphStore, tmp_path: Path,
                                                    smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    seed_small(sqlite_store)
    with sqlite_store.transaction(source="test") as tx:
        tx.upsert_node(Node(ALONE, "Organisation", {**sqlite_store.get_node(ALONE).props, "contact_persons": [
            {"name": "Ans", "email": "ans@example.org"}]}))
    messages, port = smtp
    app = _app(sqlite_store, tmp_path, f"smtp://127.0.0.1:{port}")
    client = app.test_client()
    kadin, alone = _headers(app, "kadin", KADIN), _headers(app, "alone", ALONE)
    _confirmed_tie(client, kadin, alone)
    before = len(messages.messages)  # the proposal's mail

    seq = _newest_tie_change(sqlite_store, KADIN)
    assert client.post(f"/api/v1/organisations/{KADIN}/history/{seq}/undo", headers=kadin).status_code == 200
    assert len(messages.messages) == before + 1
    mail = messages.messages[-1]
    assert mail["To"] == "ans@example.org"
    assert mail["Subject"] == "Goudkaart: Kadın Dayanışma Derneği heeft jullie band gewijzigd"
    body = mail.get_body().get_content()  # type: ignore[union-attr]
    assert "ongedaan gemaakt: trede 2 → geen band" in body and "undid a change" in body
    assert f"/organisations/{ALONE}/inbox" in body
