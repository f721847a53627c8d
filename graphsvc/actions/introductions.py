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
from typing import Protocol

from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import ACTOR_LABELS, INTRODUCTION, Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore

__all__ = ["MatchLike", "introduce", "accept_introduction", "decline_introduction"]


class _Named(Protocol):
    @property
    def id(self) -> str: ...


class MatchLike(Protocol):
    """What an introduction keeps of a partner match (``queries.results.Match`` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def introducer(self) -> _Named | None: ...
    @property
    def reason_nl(self) -> str: ...
    @property
    def reason_en(self) -> str: ...
    @property
    def score(self) -> float: ...


def _node(store: GraphStore, introduction_id: str) -> Node:
    try:
        node = store.get_node(introduction_id)
    except NotFound:
        node = None
    if node is None or node.label != INTRODUCTION:
        raise NotFound(f"There is no introduction with id {introduction_id!r}.")
    return node


def introduce(store: GraphStore, snapshot: Snapshot, source: str, target: object,
              matches: Iterable[MatchLike], *, by: str = "") -> Node:
    """Send an introduction of ``source`` to ``target``, one of its partner ``matches`` (the
    caller computes them, :func:`queries.matching.partner_matches`).

    The match's reason and introducer are kept with it. Raises InvalidInput
    (field ``to``) when ``target`` is no partner match of ``source``, Conflict when an
    introduction between the two is still waiting for an answer.
    """
    if not isinstance(target, str) or not target.strip():
        raise InvalidInput("'to': name the organisation to introduce to by its id.", errors=["to"])
    snapshot.node(source, "Organisation")
    if target not in snapshot.nodes or snapshot.nodes[target].label not in ACTOR_LABELS:
        raise InvalidInput(f"'to': there is no organisation with id {target!r}.", errors=["to"])
    match = next((m for m in matches if m.id == target), None)
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
