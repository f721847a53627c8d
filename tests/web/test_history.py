"""Change history per organisation (from the store's change log) and undo of any change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.access.visibility import Viewer
from graphsvc.actions.history import UndoRefused, organisation_history, undo_change
from graphsvc.cli import cli
from graphsvc.errors import Conflict, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from tests.conftest import csrf_token_from
from tests.small_graph import seed_small

CONTACT = {"name": "Fatima Geheim", "email": "fatima.geheim@example.org", "phone": "06-11112222"}


def _climb(store: GraphStore) -> None:
    with store.transaction(source="coach", actor="ayse") as tx:
        tx.upsert_relationship(Relationship("TIE", "org-amal", "org-kadin",
                                            {"rung": 4, "changed_at": "2026-01-01T10:00:00Z",
                                             "source": "coach"}))


def _edit(store: GraphStore, node_id: str, actor: str = "ayse", **changes: Any) -> None:
    node = store.get_node(node_id)
    props = {**node.props, **changes}
    with store.transaction(source="web", actor=actor) as tx:
        tx.upsert_node(Node(node_id, node.label, {k: v for k, v in props.items() if v is not None}))


def _latest(store: GraphStore, org: str) -> int:
    return organisation_history(store, org, Viewer("admin")).entries[0].seq


@pytest.fixture
def small(store: GraphStore) -> GraphStore:
    seed_small(store)
    return store


# -- the history --------------------------------------------------------------------------------
def test_history_lists_every_change_with_fields_who_when_and_the_other_side(small: GraphStore) -> None:
    _climb(small)
    _edit(small, "org-amal", description="Huiswerkklas", name="Al Amal West")
    page = organisation_history(small, "org-amal", Viewer("admin"))
    profile, tie = page.entries[0], page.entries[1]
    assert (profile.kind, profile.op, profile.actor, profile.source) == ("node", "update", "ayse", "web")
    assert [(f.field, f.old, f.new) for f in profile.fields] == [
        ("description", None, "Huiswerkklas"), ("name", "Stichting Al Amal West", "Al Amal West")]
    assert (tie.label, tie.other, tie.other_name, tie.op) == ("TIE", "org-kadin", "Kadın Dayanışma Derneği", "update")
    assert [(f.field, f.old, f.new) for f in tie.fields] == [
        ("changed_at", None, "2026-01-01T10:00:00Z"), ("rung", 3, 4), ("source", None, "coach")]
    assert page.organisation_name == "Al Amal West"
    # everything since the organisation was created: its node, and the relationships of both ends
    kinds = {(e.kind, e.label, e.op) for e in page.entries}
    assert ("node", "Organisation", "create") in kinds and ("relationship", "FUNDS", "create") in kinds
    assert all(e.other != "org-alone" for e in page.entries)  # not an end of that one


def test_history_comes_in_pages_newest_first(small: GraphStore) -> None:
    for n in range(5):
        _edit(small, "org-kadin", volunteers=n + 1)
    first = organisation_history(small, "org-kadin", Viewer("admin"), limit=3)
    second = organisation_history(small, "org-kadin", Viewer("admin"), before=first.next_before, limit=3)
    seqs = [e.seq for e in first.entries + second.entries]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 6
    assert [f.new for e in first.entries for f in e.fields] == [5, 4, 3]


@pytest.mark.parametrize("role, orgs, sees", [
    ("member", ["org-xss"], True), ("coach", ["org-xss"], True), ("admin", [], True),
    ("member", ["org-amal"], False), ("coach", ["org-amal"], False), ("funder", [], False),
    ("public", [], False),
])
def test_confidential_values_only_for_those_who_may_see_them(
        small: GraphStore, role: str, orgs: list[str], sees: bool) -> None:
    _edit(small, "org-xss", contact_persons=[CONTACT], capacity={"governance": 1, "note": "zwak bestuur"},
          volunteers=9)
    page = organisation_history(small, "org-xss", Viewer(role, frozenset(orgs)))
    text = json.dumps(page.as_dict(), ensure_ascii=False)
    fields = {f.field: f for f in page.entries[0].fields}
    assert set(fields) == {"capacity", "contact_persons", "volunteers"}  # the names are always there
    assert fields["volunteers"].new == 9 and not fields["volunteers"].hidden
    for secret in ("Fatima Geheim", "fatima.geheim@example.org", "06-11112222", "zwak bestuur",
                   "Fictief Persoon", "p@example.org"):
        assert (secret in text) is sees, secret
    assert fields["capacity"].hidden is not sees and fields["contact_persons"].hidden is not sees


# -- undo -----------------------------------------------------------------------------------------
def test_undo_of_a_tie_change_puts_the_rung_back_and_is_itself_recorded(small: GraphStore) -> None:
    _climb(small)
    seq = _latest(small, "org-amal")
    [made] = undo_change(small, "org-amal", seq, actor="mehmet")
    tie = small.get_relationship("TIE", "org-amal", "org-kadin")
    assert tie.props == {"rung": 3}
    assert (made.op, made.actor, made.source, dict(made.new)) == ("update", "mehmet", f"undo:{seq}", {"rung": 3})
    assert dict(made.old) == {"rung": 4, "changed_at": "2026-01-01T10:00:00Z", "source": "coach"}
    event = small.tie_history("org-amal", "org-kadin")[-1]
    assert (event.old_rung, event.new_rung, event.source) == (4, 3, f"undo:{seq}")
    assert _latest(small, "org-amal") == made.seq


def test_undo_of_a_profile_change_restores_only_the_fields_it_changed(small: GraphStore) -> None:
    _edit(small, "org-kadin", volunteers=12, description="Vrouwengroep")
    seq = _latest(small, "org-kadin")
    _climb(small)  # a later change elsewhere (its tie) does not stand in the way
    undo_change(small, "org-kadin", seq)
    assert dict(small.get_node("org-kadin").props) == {"name": "Kadın Dayanışma Derneği"}
    assert small.get_relationship("TIE", "org-amal", "org-kadin").props["rung"] == 4


def test_undo_of_a_created_and_a_deleted_relationship(small: GraphStore) -> None:
    with small.transaction(source="web") as tx:
        tx.upsert_relationship(Relationship("WORKS_ON", "org-kadin", "taal", {"weight": 2}))
    created = _latest(small, "org-kadin")
    undo_change(small, "org-kadin", created)
    with pytest.raises(NotFound):
        small.get_relationship("WORKS_ON", "org-kadin", "taal")
    removed = _latest(small, "org-kadin")  # the undo itself: a delete, undone in turn
    undo_change(small, "org-kadin", removed)
    assert small.get_relationship("WORKS_ON", "org-kadin", "taal").props == {"weight": 2}
    # a tie: the tie history follows
    with small.transaction(source="web") as tx:
        tx.delete_relationship("TIE", "org-amal", "org-kadin")
    undo_change(small, "org-kadin", _latest(small, "org-kadin"))
    assert small.get_relationship("TIE", "org-kadin", "org-amal").props == {"rung": 3}
    assert [e.new_rung for e in small.tie_history("org-amal", "org-kadin")][-2:] == [0, 3]


def test_undo_of_a_created_organisation_deletes_it_with_what_came_with_it(small: GraphStore) -> None:
    with small.transaction(source="import:new.csv") as tx:
        tx.upsert_node(Node("org-new", "Organisation", {"name": "Nieuw"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-new", "area-e"))
        tx.upsert_relationship(Relationship("TIE", "org-new", "org-kadin", {"rung": 1}))
    create = organisation_history(small, "org-new", Viewer("admin")).entries[-1]
    assert create.op == "create" and create.kind == "node"
    undo_change(small, "org-new", create.seq)
    with pytest.raises(NotFound):
        small.get_node("org-new")
    assert [e.new_rung for e in small.tie_history("org-kadin", "org-new")] == [1, 0]


def test_undo_of_a_deleted_organisation_brings_it_back_with_its_relationships(small: GraphStore) -> None:
    before = {r.ident: dict(r.props) for r in small.iter_relationships()
              if "org-kadin" in (r.start, r.end)}
    with small.transaction(source="admin") as tx:
        tx.delete_node("org-kadin")
    delete = organisation_history(small, "org-kadin", Viewer("admin")).entries[0]
    assert (delete.kind, delete.op) == ("node", "delete")
    made = undo_change(small, "org-kadin", delete.seq, actor="admin-anne")
    assert dict(small.get_node("org-kadin").props) == {"name": "Kadın Dayanışma Derneği"}
    after = {r.ident: dict(r.props) for r in small.iter_relationships() if "org-kadin" in (r.start, r.end)}
    assert after == before and len(after) == 2
    assert {(c.kind, c.op) for c in made} == {("node", "create"), ("relationship", "create")}
    assert {c.actor for c in made} == {"admin-anne"}
    assert small.tie_history("org-amal", "org-kadin")[-1].new_rung == 3


def test_undo_never_overwrites_a_later_change(small: GraphStore) -> None:
    _climb(small)
    climb = _latest(small, "org-amal")
    with small.transaction(source="coach") as tx:
        tx.upsert_relationship(Relationship("TIE", "org-amal", "org-kadin", {"rung": 5}))
    revision = small.revision()
    with pytest.raises(Conflict, match="undo the later change first") as refused:
        undo_change(small, "org-amal", climb)
    assert isinstance(refused.value, UndoRefused) and refused.value.reason == "later"
    assert small.revision() == revision
    assert small.get_relationship("TIE", "org-amal", "org-kadin").props["rung"] == 5
    # a profile change after a profile change
    _edit(small, "org-kadin", volunteers=3)
    first = _latest(small, "org-kadin")
    _edit(small, "org-kadin", volunteers=4)
    with pytest.raises(UndoRefused):
        undo_change(small, "org-kadin", first)
    # a created organisation that got a tie later
    with small.transaction() as tx:
        tx.upsert_node(Node("org-new", "Organisation", {"name": "Nieuw"}))
    create = _latest(small, "org-new")
    with small.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", "org-new", "org-kadin", {"rung": 1}))
    with pytest.raises(UndoRefused):
        undo_change(small, "org-new", create)
    assert small.get_node("org-new").name == "Nieuw"


def test_undo_needs_both_ends_of_a_relationship(small: GraphStore) -> None:
    with small.transaction() as tx:
        tx.delete_relationship("WORKS_ON", "org-amal", "eenzaamheid")
    removed = _latest(small, "org-amal")
    with small.transaction() as tx:
        tx.delete_node("eenzaamheid")
    with pytest.raises(UndoRefused) as refused:
        undo_change(small, "org-amal", removed)
    assert refused.value.reason == "missing"


def test_a_change_of_another_organisation_is_not_found(small: GraphStore) -> None:
    _edit(small, "org-kadin", volunteers=3)
    with pytest.raises(NotFound):
        undo_change(small, "org-alone", _latest(small, "org-kadin"))
    with pytest.raises(NotFound):
        undo_change(small, "org-alone", 10_000)


# -- web ------------------------------------------------------------------------------------------
def _audit(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        from graphsvc.web.privacy import audit_log

        return [e.as_dict() for e in audit_log().entries()]


def test_only_the_team_sees_history_and_viewing_it_is_audited(
        app: Flask, client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    _edit(seeded, "org-xss", contact_persons=[CONTACT])
    assert client.get("/api/v1/organisations/org-xss/history").status_code == 401
    login("member", orgs=["org-kadin"], username="other")
    assert client.get("/api/v1/organisations/org-xss/history").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    login("funder", username="funder-f")
    assert client.get("/organisations/org-xss/history").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    assert _audit(app) == []
    login("member", orgs=["org-xss"], username="lid")
    body = client.get("/api/v1/organisations/org-xss/history").get_json()
    assert body["ok"] and "fatima.geheim@example.org" in json.dumps(body)
    page = client.get("/organisations/org-xss/history?lang=en").get_data(as_text=True)
    assert "Fatima Geheim" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    audited = [(e["username"], e["action"], e["target"]) for e in _audit(app)]
    assert audited == [("lid", "view", "org-xss")] * 2
    assert client.get("/api/v1/organisations/nope/history").status_code == 403


def test_undo_from_the_page_and_the_api_is_recorded_under_the_account(
        client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    _climb(seeded)
    login("coach", orgs=["org-amal"], username="coach-carla")
    page = client.get("/organisations/org-amal/history?lang=en")
    assert page.status_code == 200 and "Kadın Dayanışma Derneği" in page.get_data(as_text=True)
    seq = client.get("/api/v1/organisations/org-amal/history").get_json()["changes"][0]["seq"]
    assert client.post(f"/organisations/org-amal/history/{seq}/undo").status_code == 400  # no CSRF token
    token = csrf_token_from(page.get_data(as_text=True))
    done = client.post(f"/organisations/org-amal/history/{seq}/undo", data={"csrf_token": token})
    assert done.status_code == 302
    assert "Undone" in client.get("/organisations/org-amal/history?lang=en").get_data(as_text=True)
    undo = seeded.changes(node_id="org-amal", limit=1)[0]
    assert (undo.actor, undo.source) == ("coach-carla", f"undo:{seq}")
    # undoing the older change again would overwrite the undo: refused, with a message on the page
    again = client.post(f"/organisations/org-amal/history/{seq}/undo", data={"csrf_token": token})
    assert again.status_code == 302
    text = client.get("/organisations/org-amal/history").get_data(as_text=True)
    assert "Not undone: this was changed again later. Undo the later change first." in text
    client.get("/organisations/org-amal/history?lang=nl")  # Dutch from here on (a cookie)
    client.post(f"/organisations/org-amal/history/{seq}/undo", data={"csrf_token": token})
    assert "Niet ongedaan gemaakt: dit is later opnieuw gewijzigd" in client.get(
        "/organisations/org-amal/history").get_data(as_text=True)
    api = client.post(f"/api/v1/organisations/org-amal/history/{seq}/undo", headers={"X-CSRFToken": token})
    assert api.status_code == 409 and api.get_json()["ok"] is False
    assert seeded.changes(node_id="org-amal", limit=1)[0].seq == undo.seq
    # the undo of the undo is fine, and answers with what it did
    redo = client.post(f"/api/v1/organisations/org-amal/history/{undo.seq}/undo",
                       headers={"X-CSRFToken": token}).get_json()
    assert redo["ok"] and redo["undone"] == undo.seq
    assert [f["new"] for f in redo["changes"][0]["fields"] if f["field"] == "rung"] == [4]
    assert client.post("/api/v1/organisations/org-kadin/history/1/undo",
                       headers={"X-CSRFToken": token}).status_code == 403
    other = seeded.changes(node_id="org-alone", limit=1)[0].seq
    assert client.post(f"/api/v1/organisations/org-amal/history/{other}/undo",
                       headers={"X-CSRFToken": token}).status_code == 404
    for absurd in (0, 2**64, 10**30):  # no such change, however large (found by the API fuzzer)
        assert client.post(f"/api/v1/organisations/org-amal/history/{absurd}/undo",
                           headers={"X-CSRFToken": token}).status_code == 404


def test_web_changes_are_by_the_account_or_the_public(app: Flask, client: FlaskClient, login: Any,
                                                      seeded: GraphStore) -> None:
    def write() -> str:  # a page that writes, like every form of the app
        from graphsvc.web.services import services

        with services().store.transaction(source="web") as tx:
            node = tx.get_node("org-alone")
            assert node is not None
            tx.upsert_node(Node("org-alone", "Organisation", {**node.props, "volunteers": seeded.revision()}))
        return "ok"

    app.add_url_rule("/_write", "write", write)
    assert client.get("/_write").status_code == 200
    login("admin", username="beheer")
    assert client.get("/_write").status_code == 200
    assert [c.actor for c in seeded.changes(node_id="org-alone", limit=2)] == ["beheer", "public"]
    with seeded.transaction(source="script") as tx:  # outside a request: the source again
        tx.upsert_node(Node("org-alone", "Organisation", {"name": "Eenzame Eilanders"}))
    assert seeded.changes(node_id="org-alone", limit=1)[0].actor == "script"


def test_cli_changes_are_by_the_operating_system_user(runner: CliRunner, sqlite_store: GraphStore) -> None:
    import getpass

    result = runner.invoke(cli, ["generate", "--orgs", "3", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert {c.actor for c in sqlite_store.changes()} == {f"cli:{getpass.getuser()}"}
