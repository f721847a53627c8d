"""Notification mails through a real local SMTP server (aiosmtpd) when GRAPHSVC_SMTP_URL is set."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage as Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from graphsvc.actions.notify import Mail, send_mail
from graphsvc.config import Settings
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.small_graph import seed_small


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mail_app(settings: Settings, sqlite_store: GraphStore, smtp: tuple[Inbox, int]) -> Flask:
    seed_small(sqlite_store)
    with sqlite_store.transaction(source="test") as tx:
        alone = sqlite_store.get_node("org-alone")
        tx.upsert_node(Node("org-alone", "Organisation", {**alone.props, "contact_persons": [
            {"name": "Ans", "email": "ans@example.org"}, {"name": "Bo (no mail)"}]}))
        tx.upsert_relationship(Relationship("WORKS_ON", "org-kadin", "eenzaamheid", {"weight": 2}))
        tx.upsert_relationship(Relationship("WORKS_ON", "org-alone", "eenzaamheid", {"weight": 3}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-alone", "area-wk0363em"))
    return create_app(settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{smtp[1]}"), store=sqlite_store)


def _token(app: Flask, name: str, role: str, orgs: list[str]) -> dict[str, str]:
    accounts = app.extensions["goudkaart"].accounts
    return {"Authorization": f"Bearer {accounts.create_token(accounts.add_user(name, 'correct horse battery', role, orgs).id)}"}


def test_a_proposed_tie_and_an_introduction_mail_the_other_sides_contact_persons(
        mail_app: Flask, smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    client = mail_app.test_client()
    headers = _token(mail_app, "kadin", "member", ["org-kadin"])
    response = client.post("/api/v1/organisations/org-kadin/tie-requests", json={"to": "org-alone", "rung": 2},
                           headers=headers)
    assert response.status_code == 201
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "ans@example.org"
    assert mail["Subject"] == "Goudkaart: Kadın Dayanışma Derneği wil een band met Eenzame Eilanders"
    body = mail.get_body().get_content()  # type: ignore[attr-defined,union-attr]
    assert "trede 2" in body and "rung 2" in body and "/organisations/org-alone/inbox" in body
    response = client.post("/api/v1/organisations/org-kadin/introductions", json={"to": "org-alone"},
                           headers=headers)
    assert response.status_code == 201 and len(inbox.messages) == 2
    assert "kennismaking" in inbox.messages[1]["Subject"]


def test_no_server_no_mail_and_a_dead_server_does_not_fail_the_request(settings: Settings, sqlite_store: GraphStore) -> None:
    assert send_mail("", "x@localhost", [Mail(["a@example.org"], "s", "b")]) == 0
    dead = f"smtp://127.0.0.1:{_free_port()}"
    assert send_mail(dead, "x@localhost", [Mail(["a@example.org"], "s", "b")]) == 0
    seed_small(sqlite_store)
    app = create_app(settings.with_overrides(smtp_url=dead), store=sqlite_store)
    response = app.test_client().post("/api/v1/organisations/org-kadin/tie-requests",
                                      json={"to": "org-xss", "rung": 2},
                                      headers=_token(app, "kadin", "member", ["org-kadin"]))
    assert response.status_code == 201  # org-xss has a contact with mail; the server is down
