"""Privacy: confidential views and changes are audited (append-only, admin-only), and a contact
person's data can be exported and erased (web and CLI) in one transaction."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.access.audit import AuditLog
from graphsvc.actions.history import undo_change
from graphsvc.actions.privacy import erase_person, export_person
from graphsvc.cli import cli
from graphsvc.model import Node
from graphsvc.store import GraphStore, open_store
from tests.conftest import csrf_token_from

PERSON = "p@example.org"  # org-xss's contact person in tests/small_graph.py


def _audit(app: Flask) -> list[dict[str, Any]]:
    with app.test_request_context():
        from graphsvc.web.privacy import audit_log

        return [e.as_dict() for e in audit_log().entries()]


def test_viewing_confidential_data_is_audited_and_only_admins_see_the_trail(
        app: Flask, client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    client.get("/api/v1/organisations/org-xss")  # the public sees no confidential field: no entry
    assert _audit(app) == []
    login("coach", orgs=["org-xss"])
    assert client.get("/api/v1/organisations/org-xss").status_code == 200
    entries = _audit(app)
    assert entries[0]["username"] == "coach-user" and entries[0]["target"] == "org-xss"
    assert entries[0]["action"] == "view" and "capacity" in entries[0]["fields"]
    assert client.get("/api/v1/audit").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_the_audit_log_is_append_only(tmp_path: Any) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    log = AuditLog(store)
    log.record("ayse", "admin", "view", "org-1", ["capacity"])
    conn = sqlite3.connect(tmp_path / "graph.db")  # the audit table lives in the store's file
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM account_audit")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE account_audit SET username = 'x'")
    conn.close()
    assert len(log.entries()) == 1
    store.close()


def test_export_and_erase_a_contact_person(seeded: GraphStore) -> None:
    data = export_person(seeded, "  P@Example.org ")
    assert data["count"] == 1 and data["records"][0]["contact"]["name"] == "Fictief Persoon"
    removed = erase_person(seeded, "fictief persoon")
    assert [r.organisation_id for r in removed] == ["org-xss"]
    assert seeded.get_node("org-xss").props["contact_persons"] == []
    assert seeded.get_node("org-xss").props["name"]  # the rest of the node is untouched
    assert export_person(seeded, PERSON)["count"] == 0


def test_admin_page_finds_and_erases_with_csrf(app: Flask, client: FlaskClient, login: Any,
                                               seeded: GraphStore) -> None:
    login("admin")
    page = client.get(f"/admin/privacy?person={PERSON}").get_data(as_text=True)
    assert "Fictief Persoon" in page
    assert client.post("/admin/privacy/erase", data={"person": PERSON}).status_code == 400
    response = client.post("/admin/privacy/erase",
                           data={"person": PERSON, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get(f"/api/v1/privacy/person?person={PERSON}").get_json()["count"] == 0
    assert any(e["action"] == "erase" and e["target"] == "org-xss" for e in _audit(app))


def test_cli_exports_and_erases(runner: CliRunner, seeded: GraphStore) -> None:
    out = runner.invoke(cli, ["privacy", "export", "--person", PERSON])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["records"][0]["organisation"]["id"] == "org-xss"
    out = runner.invoke(cli, ["privacy", "erase", "--person", PERSON, "--yes"])
    assert out.exit_code == 0 and "Erased 1" in out.output
    assert runner.invoke(cli, ["privacy", "erase", "--person", "x"]).exit_code == 1  # too short


FATIMA = {"name": "Fatima Geheim", "role": "penningmeester", "email": "Fatima.Geheim@example.org",
          "phone": "06-11112222"}
OTHER = {"name": "Kees Blijft", "email": "kees@example.org", "phone": "06-99990000"}


def _contacts(store: GraphStore, org: str, contacts: list[dict[str, str]]) -> None:
    node = store.get_node(org)
    with store.transaction(source="web", actor="coach-carla") as tx:
        tx.upsert_node(Node(org, node.label, {**node.props, "contact_persons": contacts}))


def test_erasure_also_scrubs_the_change_log(store: GraphStore) -> None:
    from tests.small_graph import seed_small

    seed_small(store)
    _contacts(store, "org-amal", [FATIMA])
    _contacts(store, "org-amal", [])  # gone from the list, still in the log
    _contacts(store, "org-kadin", [OTHER, FATIMA])
    data = export_person(store, "fatima.geheim@EXAMPLE.org")
    assert data["count"] == 1 and data["records"][0]["organisation"]["id"] == "org-kadin"
    assert {(h["organisation"], h["op"]) for h in data["history"]} == {("org-amal", "update"),
                                                                       ("org-kadin", "update")}
    assert data["history_count"] == 3 and data["history"][0]["after"] == [FATIMA]

    removed = erase_person(store, " fatima  geheim ")
    assert [r.organisation_id for r in removed] == ["org-kadin"]
    log = json.dumps([c.as_dict() for c in store.changes(limit=100_000)], ensure_ascii=False)
    for trace in ("Fatima Geheim", "Fatima.Geheim@example.org", "06-11112222"):
        assert trace not in log
    assert "06-99990000" in log  # the other contact person's history stays
    assert store.get_node("org-kadin").props["contact_persons"] == [OTHER]
    assert export_person(store, FATIMA["email"])["history_count"] == 0
    # undoing anything in the history cannot bring her back either
    latest = store.changes(node_id="org-kadin", limit=1)[0]
    undo_change(store, "org-kadin", latest.seq)
    assert "Fatima" not in json.dumps(dict(store.get_node("org-kadin").props))


def test_erasure_with_a_failure_keeps_the_log_as_it_was(store: GraphStore) -> None:
    from tests.small_graph import seed_small

    seed_small(store)
    _contacts(store, "org-amal", [FATIMA])
    before = store.changes(limit=100_000)
    with pytest.raises(RuntimeError), store.transaction(source="privacy") as tx:
        tx.rewrite_changes("contact_persons", lambda change: ({}, {}))
        raise RuntimeError("power cut")
    assert store.changes(limit=100_000) == before


def test_the_admin_page_shows_and_erases_what_only_the_log_still_holds(
        app: Flask, client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    _contacts(seeded, "org-amal", [FATIMA])
    _contacts(seeded, "org-amal", [])
    login("admin")
    page = client.get("/admin/privacy?person=Fatima Geheim&lang=en").get_data(as_text=True)
    assert "The change history holds this person in 2 entries" in page
    response = client.post("/admin/privacy/erase",
                           data={"person": "Fatima Geheim", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get("/api/v1/privacy/person?person=Fatima Geheim").get_json()["history_count"] == 0
    assert any(e["action"] == "erase" and e["target"] == "org-amal" for e in _audit(app))
