"""Change history per organisation (from the tie history and node versions) and undo."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from graphsvc.history import organisation_history, undo_tie_change
from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from tests.conftest import csrf_token_from


def _climb(store: GraphStore) -> None:
    with store.transaction(source="coach") as tx:
        tx.upsert_relationship(Relationship("TIE", "org-amal", "org-kadin",
                                            {"rung": 4, "changed_at": "2026-01-01T10:00:00Z",
                                             "source": "coach"}))


def test_history_lists_tie_changes_with_old_and_new_values(seeded: GraphStore) -> None:
    _climb(seeded)
    changes = organisation_history(seeded, "org-amal")
    latest = changes[0]
    assert (latest.kind, latest.other, latest.old, latest.new) == ("tie", "org-kadin", 3, 4)
    assert latest.source == "coach" and latest.at.startswith("2026-01-01")
    assert any(c.kind == "profile" for c in changes)


def test_undo_puts_the_rung_back_and_is_itself_recorded(seeded: GraphStore) -> None:
    _climb(seeded)
    seq = organisation_history(seeded, "org-amal")[0].seq
    undo_tie_change(seeded, "org-amal", seq, by="ayse")
    assert seeded.get_relationship("TIE", "org-amal", "org-kadin").props["rung"] == 3
    events = seeded.tie_history("org-amal", "org-kadin")
    assert (events[-1].old_rung, events[-1].new_rung, events[-1].source) == (4, 3, "undo:ayse")


def test_only_the_team_sees_history_and_undo_needs_csrf(client: FlaskClient, login: Any,
                                                         seeded: GraphStore) -> None:
    _climb(seeded)
    assert client.get("/api/v1/organisations/org-amal/history").status_code == 401
    login("member", orgs=["org-kadin"], username="other")
    assert client.get("/api/v1/organisations/org-amal/history").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    login("coach", orgs=["org-amal"])
    page = client.get("/organisations/org-amal/history?lang=en")
    assert page.status_code == 200 and "Kadın Dayanışma Derneği" in page.get_data(as_text=True)
    seq = client.get("/api/v1/organisations/org-amal/history").get_json()["changes"][0]["seq"]
    assert client.post(f"/organisations/org-amal/history/{seq}/undo").status_code == 400
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post(f"/organisations/org-amal/history/{seq}/undo",
                       data={"csrf_token": token}).status_code == 302
    again = client.post(f"/organisations/org-amal/history/{seq}/undo", data={"csrf_token": token})
    assert again.status_code == 409  # an older change: the undo is now the latest
