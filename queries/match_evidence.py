"""The evidence of a match: the named themes, capabilities, areas, communities and introducer."""

from __future__ import annotations

from graphsvc.snapshot import Snapshot
from graphsvc.vocab import Vocabulary
from queries.match_common import most_specific_areas, named, named_all
from queries.match_index import STRONG_RUNG, MatchIndex
from queries.match_reasons import Evidence

__all__ = ["pair_evidence", "introducer"]


def pair_evidence(
    snapshot: Snapshot, index: MatchIndex, a: int, c: int, rung: int, vocab: Vocabulary | None = None
) -> Evidence:
    """What actor ``a`` and candidate ``c`` (index positions) have in common, named.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> from queries.match_index import matching_index
    >>> nodes = [Node("a", "Organisation", {"name": "A"}), Node("b", "Organisation", {"name": "B"}),
    ...          Node("sport", "Interest", {"name": "Sport"})]
    >>> snap = Snapshot(GraphData(1, nodes, [Relationship("WORKS_ON", x, "sport") for x in "ab"], []))
    >>> [t.name for t in pair_evidence(snap, matching_index(snap), 0, 1, 0).shared_interests]
    ['Sport']
    """
    mine, theirs = index.themes[a], index.themes[c]
    # Rarest (highest-contributing) shared themes first: they are what the sentence should name.
    shared = sorted(mine.keys() & theirs.keys(),
                    key=lambda t: (-mine[t] * theirs[t] * index.idf[t] ** 2, snapshot.name(t), t))
    # The actor's rows come first (read once per match, then kept): an empty one spares
    # building the candidate's row (an intersection with nothing is nothing).
    rows = index.areas
    mine_local = rows.local[a]
    local = mine_local & rows.local[c] if mine_local else frozenset()
    if local:
        areas = most_specific_areas(snapshot, local)
    else:
        mine_districts = rows.districts[a]
        areas = sorted(mine_districts & rows.districts[c]) if mine_districts else []
    served = index.communities[a] if shared else frozenset()
    bridged = index.communities[c] - served if served else ()
    found = introducer(snapshot, index.ids[a], index.ids[c])
    needs, offers = index.needs[a], index.offers[a]
    they_offer = index.offers[c] & needs if needs else frozenset()
    we_offer = offers & index.needs[c] if offers else frozenset()
    return Evidence(
        shared_interests=tuple(named(snapshot, t, vocab) for t in shared),
        they_offer=named_all(snapshot, they_offer, vocab),
        we_offer=named_all(snapshot, we_offer, vocab),
        shared_areas=named_all(snapshot, areas),
        same_neighbourhood=bool(local),
        communities_bridged=named_all(snapshot, bridged),
        rung=rung,
        introducer=named(snapshot, found) if found else None,
    )


def introducer(snapshot: Snapshot, a: str, b: str) -> str | None:
    """A common partner with a tie at rung ≥ 2 to both, who could introduce them; None if none.

    The best has the highest weaker rung of its two ties; ties are broken by id.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node(x, "Organisation", {"name": x}) for x in "abc"]
    >>> rels = [Relationship("TIE", "a", "c", {"rung": 2}), Relationship("TIE", "b", "c", {"rung": 4})]
    >>> introducer(Snapshot(GraphData(1, nodes, rels, [])), "a", "b")
    'c'
    """
    mine = snapshot.ties.get(a, {})
    best: tuple[int, str] | None = None
    for partner, rung in snapshot.ties.get(b, {}).items():
        other = mine.get(partner, 0)
        if partner in (a, b) or rung < STRONG_RUNG or other < STRONG_RUNG:
            continue
        key = (-min(rung, other), partner)
        if best is None or key < best:
            best = key
    return best[1] if best else None
