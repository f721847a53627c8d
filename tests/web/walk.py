"""Shared set-up for the route walks: the demo graph, one account per role, URLs for every rule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from werkzeug.routing import Rule

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.model import Node
from graphsvc.store import GraphStore, open_store
from graphsvc.web import create_app
from tests.conftest import PASSWORD

__all__ = ["ORG_A", "ORG_B", "ROLES", "World", "build_world", "url_for_rule", "rules"]

ORG_A = "org-akwaaba-health"
ORG_B = "org-al-amal-west"
#: role name -> (account role, organisations)
ROLES: dict[str, tuple[str, list[str]] | None] = {
    "public": None,
    "memberA": ("member", [ORG_A]),
    "memberB": ("member", [ORG_B]),
    "coachA": ("coach", [ORG_A]),
    "funder": ("funder", []),
    "admin": ("admin", []),
}
#: an audit entry's detail: only admins may ever see it
AUDIT_SECRET = "audit-secret-detail-4471"
AUDIT = "__audit__"
CAPACITY_NOTE = {ORG_A: "capnote-secret-akwaaba-9137", ORG_B: "capnote-secret-alamal-9138"}


@dataclass
class World:
    app: Flask
    store: GraphStore
    tokens: dict[str, str] = field(default_factory=dict)
    #: organisation id -> secret strings that only its members, coaches and admins may see
    secrets: dict[str, set[str]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def forbidden_secrets(self, role: str) -> dict[str, str]:
        """secret string -> its organisation, for the secrets this role may not see."""
        spec = ROLES[role]
        if spec is not None and spec[0] == "admin":
            return {}
        own = set(spec[1]) if spec is not None and spec[0] in ("member", "coach") else set()
        # demo names repeat across organisations: a value the role may see elsewhere is no secret
        visible = {s for org in own for s in self.secrets.get(org, set())}
        return {s: org for org, values in self.secrets.items() if org not in own
                for s in values if s not in visible}


def _add_capacity(store: GraphStore) -> None:
    with store.transaction(source="test") as tx:
        for org, note in CAPACITY_NOTE.items():
            node = tx.get_node(org)
            assert node is not None
            capacity = {"assessments": [{"id": f"a-{org}", "date": "2025-01-10",
                                         "scores": {"governance": 2}, "notes": {"governance": note},
                                         "by": "coach", "recorded_at": "2025-01-10T10:00:00Z"}],
                        "decisions": []}
            tx.upsert_node(Node(org, node.label, {**node.props, "capacity": capacity}))


def _collect_secrets(store: GraphStore) -> dict[str, set[str]]:
    secrets: dict[str, set[str]] = {}
    for node in store.iter_nodes("Organisation"):
        values = {str(p[k]) for p in node.props.get("contact_persons") or []
                  for k in ("name", "email") if p.get(k)}
        note = CAPACITY_NOTE.get(node.id)
        if note:
            values.add(note)
        if values:
            secrets[node.id] = values
    # an early signal's note: only its organisation, its coach and admins may ever see it
    owner = {r.start: r.end for r in store.iter_relationships("SIGNALLED_BY")}
    for node in store.iter_nodes("Signal"):
        if node.props.get("note") and node.id in owner:
            secrets.setdefault(owner[node.id], set()).add(str(node.props["note"]))
    return secrets


#: a note in a tie request to organisation A: only A's team may ever see it
REQUEST_NOTE = "tiereq-secret-note-5521"


def _add_inbox(store: GraphStore) -> None:
    """A tie request and an introduction from organisation B to A, waiting in A's inbox."""
    with store.transaction(source="walk") as tx:
        tx.upsert_node(Node("tiereq-walk", "TieRequest", {
            "name": "B → A", "from": ORG_B, "to": ORG_A, "rung": 2, "old_rung": 0, "note": REQUEST_NOTE,
            "status": "pending", "kind": "propose", "requested_at": "2026-01-01T10:00:00Z"}))
        tx.upsert_node(Node("intro-walk", "Introduction", {
            "name": "B → A", "from": ORG_B, "to": ORG_A, "reason_nl": REQUEST_NOTE, "reason_en": REQUEST_NOTE,
            "status": "pending", "sent_at": "2026-01-01T10:00:00Z"}))


def build_world(folder: Path) -> World:
    url = f"sqlite:///{folder / 'walk.db'}"
    store = open_store(url)
    load_demo(store)
    _add_capacity(store)
    _add_inbox(store)
    settings = load_settings(environ={}, store=url, testing=True, secret_key="walk-secret")
    app = create_app(settings, store=store)
    world = World(app, store, secrets=_collect_secrets(store))
    world.secrets[AUDIT] = {AUDIT_SECRET}
    world.secrets.setdefault(ORG_A, set()).add(REQUEST_NOTE)
    accounts = app.extensions["goudkaart"].accounts
    with app.app_context():
        for role, spec in ROLES.items():
            if spec is not None:
                user = accounts.add_user(f"walk-{role}", PASSWORD, spec[0], spec[1])
                world.tokens[role] = accounts.create_token(user.id)
    with app.test_request_context():
        from graphsvc.web.privacy import audit_log

        audit_log().record("walk-admin", "admin", "view", ORG_A, ["capacity"], AUDIT_SECRET)
    world.params = _params(world)
    return world


def _last_seq(world: World) -> int:
    changes = world.store.changes(node_id=ORG_A, limit=1)
    return changes[0].seq if changes else 1


def _params(world: World) -> dict[str, str]:
    client = world.app.test_client()
    body = client.get("/api/v1/clusters", headers=world.headers("admin")).get_json()
    cluster_id = str(body["clusters"][0]["id"]) if body and body.get("clusters") else "c1"
    signals = sorted(r.start for r in world.store.iter_relationships("SIGNALLED_BY") if r.end == ORG_A)
    return {"signal_id": signals[0] if signals else "sig-none", "actor_id": ORG_A, "org_id": ORG_A, "code": "E", "session_id": "sess-2023-osdorp",
            "cluster_id": cluster_id, "fund_id": "fund-buurtbudget-west", "fmt": "json",
            "name": "funding", "table": "clusters", "filename": "css/app.css",
            "person": "abena.demo555@example.org", "seq": str(_last_seq(world)),
            "username": "walk-memberA", "action": "disable",
            "request_id": "tiereq-walk", "introduction_id": "intro-walk", "other_id": ORG_B,
            "answer": "accept"}


_SPECIAL = {"/data/template/<name>.csv": {"name": "organisations"},
            "/funders/export/<table>.<fmt>": {"fmt": "csv"}}


def url_for_rule(rule: Rule, params: dict[str, str]) -> str:
    values = {**params, **_SPECIAL.get(rule.rule, {})}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values[m.group(1)], rule.rule)


def rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    """(rule, method) for every rule and every method but HEAD/OPTIONS, sorted."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method
