"""Brokers: actors that bridge otherwise separate groups in the tie network (docs/design.md §5).

The broker network is made of ties at rung ``min_rung`` (default 2, *ontmoeten*) or higher: a
rung-1 tie only means two actors know of each other, which carries no referral or information.
Every such tie is one step; rungs are ordinal labels, not distances, so they are not turned into
weights that would make the ranking impossible to explain to a neighbourhood meeting.

An actor's score is its **betweenness**: the share of pairs of actors whose shortest connections
run through it (0–1). Up to :data:`EXACT_LIMIT` actors it is exact; above that it is estimated from
:data:`SAMPLES` source actors drawn with a fixed seed, so the answer is the same on every run
(igraph computes it; 10,000 actors take well under a second).

For each broker the **groups** it connects are counted: remove the broker and see into how many
separate pieces its partners fall. Two or more means it is the only link between them.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import igraph as ig

from graphsvc.errors import InvalidInput
from graphsvc.snapshot import Snapshot
from queries.islands import Partner, check_rung, members_of

__all__ = ["Broker", "BrokerGroup", "brokers", "EXACT_LIMIT", "SAMPLES", "SEED"]

EXACT_LIMIT = 2000
SAMPLES = 500
SEED = 20040101  # fixed so the estimate for a large graph is the same on every run


@dataclass(frozen=True)
class BrokerGroup:
    """One group a broker reaches: its size and the broker's partners in it."""

    size: int
    via: tuple[Partner, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"size": self.size, "via": [p.as_dict() for p in self.via]}


@dataclass(frozen=True)
class Broker:
    """An actor on many shortest connections, with the groups it links."""

    id: str
    name: str
    label: str
    betweenness: float
    ties: int
    groups: tuple[BrokerGroup, ...]
    approximate: bool = False

    @property
    def reason_nl(self) -> str:
        if len(self.groups) >= 2:
            return (f"Verbindt {len(self.groups)} groepen die anders los van elkaar staan: "
                    f"{_describe(self.groups, 'nl')}.")
        return (f"Ligt op de kortste verbinding tussen veel actoren: {self.betweenness:.0%} van de "
                "paren loopt via deze actor.")

    @property
    def reason_en(self) -> str:
        if len(self.groups) >= 2:
            return (f"Connects {len(self.groups)} groups that would otherwise be apart: "
                    f"{_describe(self.groups, 'en')}.")
        return (f"Lies on the shortest connection between many actors: {self.betweenness:.0%} of "
                "pairs run through it.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "label": self.label,
            "betweenness": round(self.betweenness, 6),
            "ties": self.ties,
            "groups": [g.as_dict() for g in self.groups],
            "approximate": self.approximate,
            "reason_nl": self.reason_nl,
            "reason_en": self.reason_en,
        }


def _describe(groups: Sequence[BrokerGroup], lang: str) -> str:
    parts = []
    for group in groups:
        names = [p.name for p in group.via[:2]]
        if len(group.via) > 2:
            names.append("…")
        label = ("actor" if group.size == 1 else "actoren") if lang == "nl" else (
            "actor" if group.size == 1 else "actors")
        parts.append(f"{', '.join(names)} ({group.size} {label})")
    return "; ".join(parts)


@dataclass(frozen=True)
class _Network:
    """The strong-tie network of one area: adjacency plus betweenness per actor."""

    adjacency: dict[str, dict[str, int]]
    scores: dict[str, float]
    approximate: bool


def _adjacency(
    snapshot: Snapshot, members: frozenset[str] | None, min_rung: int
) -> dict[str, dict[str, int]]:
    pool = snapshot.actors() if members is None else sorted(members)
    adjacency: dict[str, dict[str, int]] = {}
    for actor in pool:
        strong = {o: r for o, r in snapshot.ties.get(actor, {}).items()
                  if r >= min_rung and o in snapshot.nodes and (members is None or o in members)}
        if strong:
            adjacency[actor] = strong
    return adjacency


def _betweenness(adjacency: dict[str, dict[str, int]]) -> tuple[dict[str, float], bool]:
    ids = sorted(adjacency)
    index = {a: i for i, a in enumerate(ids)}
    edges = [(index[a], index[b]) for a in ids for b in adjacency[a] if a < b]
    graph = ig.Graph(n=len(ids), edges=edges, directed=False)
    n = len(ids)
    approximate = n > EXACT_LIMIT
    if approximate:
        sources = random.Random(SEED).sample(range(n), SAMPLES)
        raw = [b * n / SAMPLES for b in graph.betweenness(directed=False, sources=sources)]
    else:
        raw = graph.betweenness(directed=False)
    pairs = (n - 1) * (n - 2) / 2
    return ({a: (raw[i] / pairs if pairs else 0.0) for a, i in index.items()}, approximate)


def _network(snapshot: Snapshot, area: str | None, min_rung: int) -> _Network:
    area_id = snapshot.area(area).id if area is not None else ""
    # resolved outside the builder: Snapshot.derived holds a non-reentrant lock while building
    members = members_of(snapshot, area)

    def build(snap: Snapshot) -> _Network:
        adjacency = _adjacency(snap, members, min_rung)
        scores, approximate = _betweenness(adjacency)
        return _Network(adjacency, scores, approximate)

    # cached per snapshot: the web page, the API and the CLI ask the same question repeatedly
    return snapshot.derived(f"brokers:{area_id}:{min_rung}", build)


def _groups(snapshot: Snapshot, net: _Network, broker: str) -> tuple[BrokerGroup, ...]:
    """Split the broker's partners by the pieces the network falls into without the broker."""
    seen = {broker}
    groups = []
    partners = sorted(net.adjacency[broker], key=lambda o: (snapshot.name(o).casefold(), o))
    for start in partners:
        if start in seen:
            continue
        seen.add(start)
        component = {start}
        todo = deque([start])
        while todo:
            for nxt in net.adjacency.get(todo.popleft(), {}):
                if nxt not in seen:
                    seen.add(nxt)
                    component.add(nxt)
                    todo.append(nxt)
        via = tuple(Partner(p, snapshot.name(p), snapshot.label(p), net.adjacency[broker][p])
                    for p in partners if p in component)
        groups.append(BrokerGroup(len(component), via))
    return tuple(sorted(groups, key=lambda g: -g.size))


def brokers(
    snapshot: Snapshot, area: str | None = None, limit: int = 10, min_rung: int = 2
) -> list[Broker]:
    """The actors that bridge the most otherwise separate parts of the tie network.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    area : str, optional
        A Neighbourhood code or id: only actors active there, and ties between them, count.
    limit : int
        How many brokers to return (at least 1).
    min_rung : int
        The lowest rung of a tie that joins the network (1–5, default 2).

    Returns
    -------
    list of Broker
        Highest betweenness first; actors on no shortest connection are left out.

    Raises
    ------
    NotFound
        When the area does not exist.
    InvalidInput
        When ``limit`` or ``min_rung`` is out of range.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     for i in ("a", "b", "c"):
    ...         _ = tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
    ...     _ = tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 2}))
    ...     _ = tx.upsert_relationship(Relationship("TIE", "b", "c", {"rung": 3}))
    >>> [(b.id, len(b.groups)) for b in brokers(Snapshot.from_store(store))]
    [('b', 2)]
    """
    min_rung = check_rung(min_rung)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"limit must be a whole number of at least 1, not {limit!r}.")
    net = _network(snapshot, area, min_rung)
    ranked = sorted((a for a, s in net.scores.items() if s > 0),
                    key=lambda a: (-net.scores[a], snapshot.name(a).casefold(), a))[:limit]
    return [
        Broker(a, snapshot.name(a), snapshot.label(a), net.scores[a], len(net.adjacency[a]),
               _groups(snapshot, net, a), net.approximate)
        for a in ranked
    ]
