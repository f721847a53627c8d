"""From match to meeting: an introduction sent on a partner match, accepted or declined.

A coach (or the organisation itself) introduces an organisation to one of its partner matches:
an ``Introduction`` node that names who sent it, the common partner who can make the
introduction where there is one, and the match's reason in Dutch and English. The other side
accepts or declines; accepted, the two get a tie at rung 1 (*kennen*) with provenance
``introduction`` (a tie they have already stays as it is). Whether matching helps shows in
:func:`introduction_counts`: introductions made, accepted, and the accepted ones whose pair
climbed to rung 2 or higher since.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import ACTOR_LABELS, INTRODUCTION, Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore, utc_now
from graphsvc.vocab import Vocabulary

__all__ = ["Introduction", "IntroductionCounts", "introduce", "accept_introduction",
           "decline_introduction", "introductions_of", "introduced_on", "introduction_counts"]


@dataclass(frozen=True)
class Introduction:
    """One introduction of ``source`` to ``target``, as the inbox and the API show it."""

    id: str
    source: str
    source_name: str
    target: str
    target_name: str
    introducer: str
    introducer_name: str
    reason_nl: str
    reason_en: str
    sent_by: str
    sent_at: str
    status: str
    decided_by: str
    decided_at: str
    version: int

    def reason(self, lang: str = "nl") -> str:
        return self.reason_en if lang == "en" else self.reason_nl

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "from": {"id": self.source, "name": self.source_name},
                "to": {"id": self.target, "name": self.target_name},
                "introducer": ({"id": self.introducer, "name": self.introducer_name}
                               if self.introducer else None),
                "reason_nl": self.reason_nl, "reason_en": self.reason_en, "sent_by": self.sent_by,
                "sent_at": self.sent_at, "status": self.status, "decided_by": self.decided_by,
                "decided_at": self.decided_at, "version": self.version}


def _introduction(snapshot: Snapshot, node: Node) -> Introduction:
    p = node.props

    def name(key: str) -> str:
        value = str(p.get(key) or "")
        return snapshot.name(value) if value in snapshot.nodes else value

    return Introduction(node.id, str(p.get("from", "")), name("from"), str(p.get("to", "")),
                        name("to"), str(p.get("introducer") or ""), name("introducer"),
                        str(p.get("reason_nl", "")), str(p.get("reason_en", "")),
                        str(p.get("sent_by", "")), str(p.get("sent_at", "")),
                        str(p.get("status", "")), str(p.get("decided_by", "")),
                        str(p.get("decided_at", "")), node.version)


def _node(store: GraphStore, introduction_id: str) -> Node:
    try:
        node = store.get_node(introduction_id)
    except NotFound:
        node = None
    if node is None or node.label != INTRODUCTION:
        raise NotFound(f"There is no introduction with id {introduction_id!r}.")
    return node


def introduce(store: GraphStore, snapshot: Snapshot, source: str, target: object, *, by: str = "",
              vocab: Vocabulary | None = None) -> Node:
    """Send an introduction of ``source`` to ``target``, one of its partner matches.

    The match's reason and introducer are computed now and kept with it. Raises InvalidInput
    (field ``to``) when ``target`` is no partner match of ``source``, Conflict when an
    introduction between the two is still waiting for an answer.
    """
    from queries.matching import partner_matches

    if not isinstance(target, str) or not target.strip():
        raise InvalidInput("'to': name the organisation to introduce to by its id.", errors=["to"])
    snapshot.node(source, "Organisation")
    if target not in snapshot.nodes or snapshot.nodes[target].label not in ACTOR_LABELS:
        raise InvalidInput(f"'to': there is no organisation with id {target!r}.", errors=["to"])
    match = next((m for m in partner_matches(snapshot, source, limit=100, vocab=vocab)
                  if m.id == target), None)
    if match is None:
        raise InvalidInput(f"'to': {snapshot.name(target)} is not among the partner matches of "
                           f"{snapshot.name(source)}.", errors=["to"])
    for node in store.iter_nodes(INTRODUCTION):
        p = node.props
        if p.get("status") == "pending" and {p.get("from"), p.get("to")} == {source, target}:
            raise Conflict(f"An introduction between {snapshot.name(source)} and "
                           f"{snapshot.name(target)} is waiting for an answer already.")
    intro_id = f"intro-{uuid.uuid4().hex[:12]}"
    props = {"name": f"{snapshot.name(source)} → {snapshot.name(target)}", "from": source,
             "to": target, "introducer": match.introducer.id if match.introducer else "",
             "reason_nl": match.reason_nl, "reason_en": match.reason_en,
             "score": round(match.score, 4), "sent_by": by, "sent_at": utc_now(),
             "status": "pending"}
    with store.transaction(source=f"introduction:{intro_id}") as tx:
        tx.upsert_node(Node(intro_id, INTRODUCTION, props), expected_version=0)
    return store.get_node(intro_id)


def _decide(store: GraphStore, introduction_id: str, expected_version: int | None) -> Node:
    node = _node(store, introduction_id)
    if node.props.get("status") != "pending":
        raise Conflict(f"This introduction was {node.props.get('status')} already.",
                       current_version=node.version)
    if expected_version is not None and expected_version != node.version:
        raise Conflict("This introduction changed since you saw it; reload and try again.",
                       current_version=node.version)
    return node


def accept_introduction(store: GraphStore, introduction_id: str, *, by: str = "",
                        expected_version: int | None = None) -> Node:
    """Accept: a rung-1 tie with provenance ``introduction`` (when the two have none yet)."""
    node = _decide(store, introduction_id, expected_version)
    a, b = str(node.props["from"]), str(node.props["to"])
    try:
        current: Relationship | None = store.get_relationship("TIE", a, b)
    except NotFound:
        current = None
    now = utc_now()
    source = f"introduction:{introduction_id}"
    with store.transaction(source=source) as tx:
        if current is None:
            tx.upsert_relationship(Relationship("TIE", a, b, {
                "rung": 1, "since": now[:10], "changed_at": now, "confirmed_at": now,
                "provenance": "introduction", "source": source, "declared_by": "both"}),
                expected_version=0)
        tx.upsert_node(Node(node.id, INTRODUCTION, {**node.props, "status": "accepted",
                                                    "decided_by": by, "decided_at": now}),
                       expected_version=node.version)
    return store.get_node(introduction_id)


def decline_introduction(store: GraphStore, introduction_id: str, *, by: str = "",
                         expected_version: int | None = None) -> Node:
    """Decline: nothing else changes."""
    node = _decide(store, introduction_id, expected_version)
    with store.transaction(source=f"introduction:{introduction_id}") as tx:
        tx.upsert_node(Node(node.id, INTRODUCTION, {**node.props, "status": "declined",
                                                    "decided_by": by, "decided_at": utc_now()}),
                       expected_version=node.version)
    return store.get_node(introduction_id)


def introductions_of(snapshot: Snapshot, actor_id: str) -> dict[str, list[Introduction]]:
    """``incoming`` (pending, to the actor), ``sent`` (pending, of the actor) and ``decided``."""
    found: dict[str, list[Introduction]] = {"incoming": [], "sent": [], "decided": []}
    for intro_id in snapshot.labelled(INTRODUCTION):
        node = snapshot.nodes[intro_id]
        a, b = node.props.get("from"), node.props.get("to")
        if actor_id not in (a, b):
            continue
        intro = _introduction(snapshot, node)
        if intro.status == "pending":
            found["incoming" if b == actor_id else "sent"].append(intro)
        else:
            found["decided"].append(intro)
    for items in found.values():
        items.sort(key=lambda i: (i.decided_at or i.sent_at, i.id), reverse=True)
    return found


def introduced_on(snapshot: Snapshot, actor_id: str) -> dict[str, str]:
    """For each partner the actor was introduced to (or by), the date of the latest introduction.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> intro = Node("i1", "Introduction", {"name": "A → B", "from": "a", "to": "b",
    ...                                     "sent_at": "2026-03-01T10:00:00Z", "status": "pending"})
    >>> introduced_on(Snapshot(GraphData(1, [intro], [], [])), "a")
    {'b': '2026-03-01'}
    """
    dates: dict[str, str] = {}
    for intro_id in snapshot.labelled(INTRODUCTION):
        p = snapshot.nodes[intro_id].props
        if actor_id in (p.get("from"), p.get("to")) and p.get("status") != "declined":
            other = str(p["to"] if p.get("from") == actor_id else p.get("from"))
            dates[other] = max(dates.get(other, ""), str(p.get("sent_at", ""))[:10])
    return dates


@dataclass(frozen=True)
class IntroductionCounts:
    """Introductions made, accepted, and accepted ones whose pair is at rung 2 or higher now."""

    made: int
    accepted: int
    climbed: int

    def as_dict(self) -> dict[str, int]:
        return {"made": self.made, "accepted": self.accepted, "climbed": self.climbed}


def introduction_counts(snapshot: Snapshot, actor_ids: Iterable[str]) -> IntroductionCounts:
    """Whether matching helps: of the introductions involving these actors, how many were made,
    accepted and then climbed to rung ≥ 2.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node(x, "Organisation", {"name": x}) for x in "ab"] + [
    ...     Node("i1", "Introduction", {"name": "A → B", "from": "a", "to": "b", "status": "accepted"})]
    >>> snap = Snapshot(GraphData(1, nodes, [Relationship("TIE", "a", "b", {"rung": 2})], []))
    >>> introduction_counts(snap, ["a"]).as_dict()
    {'made': 1, 'accepted': 1, 'climbed': 1}
    """
    wanted = set(actor_ids)
    made = accepted = climbed = 0
    for intro_id in snapshot.labelled(INTRODUCTION):
        p = snapshot.nodes[intro_id].props
        a, b = str(p.get("from", "")), str(p.get("to", ""))
        if a not in wanted and b not in wanted:
            continue
        made += 1
        if p.get("status") == "accepted":
            accepted += 1
            climbed += snapshot.rung(a, b) >= 2
    return IntroductionCounts(made, accepted, climbed)
