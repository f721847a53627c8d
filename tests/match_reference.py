"""The partner-match rules written as a plain per-candidate loop: the readable reference.

:func:`reference_partner_scores` scores every actor against one actor with Python sets, one pair
at a time. It is far slower than :func:`queries.match_scoring.score_candidates` and exists to pin
the rules: the tests check both rank the same, and the benchmark uses it as the baseline.
"""

from __future__ import annotations

import math

from graphsvc.errors import NotFound
from graphsvc.snapshot import Snapshot
from queries.match_index import MatchIndex, matching_index
from queries.match_scoring import (
    DEFAULT_WEIGHTS,
    EXCLUDED_FROM_RUNG,
    SCORE_DECIMALS,
    MatchWeights,
)

__all__ = [
    "pair_parts",
    "reference_partner_scores",
    "shared_interests_part",
    "reciprocity_part",
    "proximity_part",
    "bridging_part",
    "ladder_part",
]


def pair_parts(
    index: MatchIndex, snapshot: Snapshot, a: int, c: int, weights: MatchWeights = DEFAULT_WEIGHTS
) -> dict[str, float] | None:
    """The score parts of candidate ``c`` for actor ``a`` (positions), or None if not a candidate.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node("a", "Organisation", {"name": "A"}), Node("b", "Organisation", {"name": "B"}),
    ...          Node("vertaling", "Capability", {"name": "Vertalen en tolken"})]
    >>> rels = [Relationship("NEEDS", "a", "vertaling"), Relationship("OFFERS", "b", "vertaling")]
    >>> snap = Snapshot(GraphData(1, nodes, rels, []))
    >>> pair_parts(matching_index(snap), snap, 0, 1)["reciprocity"]
    0.3333333333333333
    """
    shared = shared_interests_part(index, a, c)
    reciprocity = reciprocity_part(index, a, c, weights)
    if not shared and not reciprocity:
        return None
    return {
        "shared_interests": shared,
        "reciprocity": reciprocity,
        "proximity": proximity_part(index, a, c, weights),
        "bridging": bridging_part(index, a, c) if shared else 0.0,
        "ladder": ladder_part(index, snapshot, a, c, weights),
    }


def shared_interests_part(index: MatchIndex, a: int, c: int) -> float:
    """Cosine similarity of the two tf-idf theme vectors (0 when nothing is shared)."""
    a_themes, c_themes = index.themes[a], index.themes[c]
    shared = a_themes.keys() & c_themes.keys()
    norm = float(index.norms[a] * index.norms[c])
    if not shared or norm <= 0:
        return 0.0
    return sum(a_themes[t] * c_themes[t] * index.idf[t] ** 2 for t in shared) / norm


def reciprocity_part(index: MatchIndex, a: int, c: int, weights: MatchWeights) -> float:
    """Both directions of the exchange, a two-way exchange counting extra."""
    give = len(index.offers[c] & index.needs[a])
    get = len(index.offers[a] & index.needs[c])
    raw = give + get + weights.mutual_bonus * math.sqrt(give * get)
    return raw / (raw + weights.reciprocity_half)


def proximity_part(index: MatchIndex, a: int, c: int, weights: MatchWeights) -> float:
    """1 for a shared neighbourhood, ``proximity_district`` for a shared district, else 0."""
    if index.areas[a].local & index.areas[c].local:
        return 1.0
    if index.areas[a].districts & index.areas[c].districts:
        return weights.proximity_district
    return 0.0


def bridging_part(index: MatchIndex, a: int, c: int) -> float:
    """The share of the candidate's communities the actor does not serve (0 if either has none)."""
    mine, theirs = index.communities[a], index.communities[c]
    if not mine or not theirs:
        return 0.0
    return len(theirs - mine) / len(theirs)


def ladder_part(index: MatchIndex, snapshot: Snapshot, a: int, c: int, weights: MatchWeights) -> float:
    """Credit for an existing tie at rung 1–2, or for a common partner who can introduce them."""
    rung = snapshot.rung(index.ids[a], index.ids[c])
    by_rung = {1: weights.ladder_rung1, 2: weights.ladder_rung2}.get(rung, 0.0)
    mine = set(index.strong_partners[a].tolist())
    introduced = any(p in mine for p in index.strong_partners[c].tolist())
    return max(by_rung, weights.ladder_introducer if introduced else 0.0)


def reference_partner_scores(
    snapshot: Snapshot,
    actor_id: str,
    *,
    limit: int = 10,
    weights: MatchWeights = DEFAULT_WEIGHTS,
) -> list[tuple[str, float, dict[str, float]]]:
    """``(id, score, parts)`` of the best ``limit`` candidates, scoring every actor one by one.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(0, [Node("a", "Organisation", {"name": "A"})], [], []))
    >>> reference_partner_scores(snap, "a")
    []
    """
    index = matching_index(snapshot)
    if actor_id not in index.pos:
        raise NotFound(f"There is no organisation with id {actor_id!r}.")
    a = index.pos[actor_id]
    found = []
    for c, other in enumerate(index.ids):
        if c == a or snapshot.rung(actor_id, other) >= EXCLUDED_FROM_RUNG:
            continue
        parts = pair_parts(index, snapshot, a, c, weights)
        if parts is not None:
            found.append((other, weights.combine(parts), parts))
    found.sort(key=lambda item: (-round(item[1], SCORE_DECIMALS), item[0]))
    return found[:limit]

