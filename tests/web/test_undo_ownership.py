"""Undo needs the right to make that change now: a member never undoes a grant or someone else's data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from graphsvc.access.visibility import Viewer
from graphsvc.actions.history import may_undo, organisation_history
from graphsvc.config import load_settings
from graphsvc.model import ChangeEvent, Node, Relationship
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.conftest import PASSWORD
from tests.small_graph import seed_small

AMAL = "org-amal"


def _change(kind: str, label: str, start: str, end: str = "") -> ChangeEvent:
    return ChangeEvent(seq=1, revision=1, at="2026-01-01T00:00:00Z", actor="x", source="web", op="update",
                       kind=kind, label=label, start=start, end=end, key="", old={}, new={}, version=1)


# change kind -> (the organisation whose history holds it, its label, the change)
KINDS: dict[str, tuple[str, str, ChangeEvent]] = {
    "own profile": (AMAL, "Organisation", _change("node", "Organisation", AMAL)),
    "own theme": (AMAL, "Organisation", _change("relationship", "WORKS_ON", AMAL, "taal")),
    "own tie (start)": (AMAL, "Organisation", _change("relationship", "TIE", AMAL, "org-kadin")),
    "own tie (end)": (AMAL, "Organisation", _change("relationship", "TIE", "org-xss", AMAL)),
    "tie with an institution": (AMAL, "Organisation", _change("relationship", "TIE", "inst-buurtteam", AMAL)),
    "grant": (AMAL, "Organisation", _change("relationship", "FUNDS", "fund-a", AMAL)),
    "fund": ("fund-a", "Fund", _change("node", "Fund", "fund-a")),
    "fund priority": ("fund-a", "Fund", _change("relationship", "PRIORITISES", "fund-a", "taal")),
    "institution": ("inst-buurtteam", "Institution", _change("node", "Institution", "inst-buurtteam")),
    "other organisation": ("org-kadin", "Organisation", _change("node", "Organisation", "org-kadin")),
}
OWN = {"own profile", "own theme", "own tie (start)", "own tie (end)", "tie with an institution"}
# viewers, each claiming every node above as "theirs" where that is possible, to test the kind itself
ROLES: dict[str, tuple[Viewer, Callable[[str], bool]]] = {
    "admin": (Viewer("admin"), lambda kind: True),
    "member of Al Amal": (Viewer("member", frozenset({AMAL})), lambda kind: kind in OWN),
    "coach of Al Amal": (Viewer("coach", frozenset({AMAL})), lambda kind: kind in OWN),
    "member of everything": (Viewer("member", frozenset({AMAL, "fund-a", "inst-buurtteam", "org-kadin"})),
                             lambda kind: kind in OWN or kind == "other organisation"),
    "member of Kadin": (Viewer("member", frozenset({"org-kadin"})), lambda kind: kind == "other organisation"),
    "funder": (Viewer("funder", frozenset({AMAL, "fund-a"})), lambda kind: False),
    "public": (Viewer("public"), lambda kind: False),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_role_by_change_kind(role: str, kind: str) -> None:
    viewer, allowed = ROLES[role]
    org, label, change = KINDS[kind]
    assert may_undo(viewer, org, label, change) is allowed(kind)


def _app(store: GraphStore, tmp_path: Path) -> Flask:
    settings = load_settings(environ={}, store=f"sqlite:///{tmp_path / 'unused.db'}", testing=True,
                             secret_key="undo-test")
    return create_app(settings, store=store)


def _newest(store: GraphStore, org: str) -> int:
    return organisation_history(store, org, Viewer("admin")).entries[0].seq


def test_a_member_undoes_its_own_changes_but_never_a_grant(store: GraphStore, tmp_path: Path) -> None:
    seed_small(store)
    app = _app(store, tmp_path)
    accounts = app.extensions["goudkaart"].accounts
    tokens = {name: accounts.create_token(accounts.add_user(name, PASSWORD, role, orgs).id)
              for name, role, orgs in (("lid", "member", [AMAL]), ("beheer", "admin", []))}
    client = app.test_client()

    def undo(who: str, seq: int) -> int:
        return client.post(f"/api/v1/organisations/{AMAL}/history/{seq}/undo",
                           headers={"Authorization": f"Bearer {tokens[who]}"}).status_code

    with store.transaction(source="web", actor="fonds") as tx:  # a new grant of €9,500
        tx.upsert_relationship(Relationship("FUNDS", "fund-a", AMAL, {"amount": 9500, "year": 2026}, "G-2"))
    grant = _newest(store, AMAL)
    refused = client.post(f"/api/v1/organisations/{AMAL}/history/{grant}/undo",
                          headers={"Authorization": f"Bearer {tokens['lid']}"})
    assert refused.status_code == 403 and refused.get_json()["ok"] is False
    assert store.get_relationship("FUNDS", "fund-a", AMAL, "G-2").props["amount"] == 9500

    with store.transaction(source="web", actor="lid") as tx:
        tx.upsert_relationship(Relationship("TIE", AMAL, "org-kadin", {"rung": 4}))
    assert undo("lid", _newest(store, AMAL)) == 200
    assert store.get_relationship("TIE", AMAL, "org-kadin").props["rung"] == 3

    with store.transaction(source="web", actor="lid") as tx:
        tx.upsert_node(Node(AMAL, "Organisation", {"name": "Al Amal Noord"}))
    assert undo("lid", _newest(store, AMAL)) == 200
    assert store.get_node(AMAL).props["name"] == "Stichting Al Amal West"

    assert undo("beheer", grant) == 200  # an admin may
    assert store.get_relationships([("FUNDS", "fund-a", AMAL, "G-2")]) == {}
