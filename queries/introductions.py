"""Introductions as the inbox, the coach page and the funders' figures read them.

How one is sent, accepted or declined is in :mod:`graphsvc.actions.introductions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphsvc.model import INTRODUCTION, Node
from graphsvc.snapshot import Snapshot

__all__ = ["Introduction", "IntroductionCounts", "introductions_of", "introduced_on",
           "introduction_counts"]


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
    >>> from graphsvc.model import Relationship
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
