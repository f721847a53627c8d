"""The matching index: inverted indexes over actors, built once per snapshot.

Matching one actor must not walk the whole graph, so :func:`matching_index` turns the snapshot
into posting lists (theme → actors, capability → offerers / needers, community → actors,
area → actors) as sorted ``int32`` arrays of actor positions, plus per-actor sets for evidence.
Actor positions follow the sorted actor ids, so "lower position" is "lower id": that is the
deterministic tie-break of every ranking.

Themes of an actor are its ``WORKS_ON`` interests (weight 1–3, 2 when missing) and, for an
institution, its ``PRIORITISES`` interests too (weight 2). Their rarity is a smoothed inverse
document frequency over all actors, ``idf = ln((1 + N) / (1 + df)) + 1``, so a theme everyone
works on still counts a little and a theme of one actor counts most.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from graphsvc.rel_props import stored_weight
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_carry import carries_over

__all__ = ["MatchIndex", "AreaInfo", "matching_index", "build_matching_index", "DEFAULT_THEME_WEIGHT",
           "STRONG_RUNG", "match_inputs"]

#: ``WORKS_ON`` weight assumed when the relationship has none (the middle of 1–3).
DEFAULT_THEME_WEIGHT = 2
_MAX_THEME_WEIGHT = 3
#: A partner at this rung or higher can introduce an actor to its own partners.
STRONG_RUNG = 2

Postings = NDArray[np.int32]


@dataclass(frozen=True)
class AreaInfo:
    """Where one actor works: local areas (below district level, with their ancestors) and districts."""

    local: frozenset[str]
    districts: frozenset[str]
    within: frozenset[str]


@dataclass(frozen=True, eq=False)
class MatchIndex:
    """Everything a partner match needs about every actor; immutable, shared between threads."""

    ids: tuple[str, ...]
    pos: dict[str, int]
    labels: tuple[str, ...]
    label_masks: dict[str, NDArray[np.bool_]]
    themes: tuple[dict[str, float], ...]
    idf: dict[str, float]
    norms: NDArray[np.float64]
    theme_members: dict[str, tuple[Postings, NDArray[np.float64]]]
    offers: tuple[frozenset[str], ...]
    needs: tuple[frozenset[str], ...]
    offerers: dict[str, Postings]
    needers: dict[str, Postings]
    communities: tuple[frozenset[str], ...]
    community_members: dict[str, Postings]
    community_counts: NDArray[np.float64]
    areas: tuple[AreaInfo, ...]
    area_members: dict[str, Postings]
    strong_partners: tuple[Postings, ...]

    @property
    def size(self) -> int:
        return len(self.ids)


def matching_index(snapshot: Snapshot) -> MatchIndex:
    """The snapshot's matching index, built on first use and cached with the snapshot.

    Examples
    --------
    >>> from graphsvc.snapshot import Snapshot
    >>> from graphsvc.store.base import GraphData
    >>> matching_index(Snapshot(GraphData(0, [], [], []))).size
    0
    """
    return snapshot.derived("matching-index", build_matching_index)


def build_matching_index(snapshot: Snapshot) -> MatchIndex:
    """Build the index from scratch (use :func:`matching_index` to get the cached one)."""
    ids = tuple(snapshot.actors())
    pos = {actor: i for i, actor in enumerate(ids)}
    labels = tuple(snapshot.label(a) for a in ids)
    themes = tuple(_themes_of(snapshot, a, label) for a, label in zip(ids, labels, strict=True))
    theme_members, idf = _theme_postings(themes)
    norms = np.array(
        [math.sqrt(sum((w * idf[t]) ** 2 for t, w in th.items())) for th in themes], dtype=np.float64
    )
    offers = tuple(frozenset(snapshot.targets("OFFERS", a)) for a in ids)
    needs = tuple(frozenset(snapshot.targets("NEEDS", a)) for a in ids)
    communities = tuple(frozenset(snapshot.targets("SERVES", a)) for a in ids)
    area_info = _area_infos(snapshot)
    areas = tuple(_areas_of(snapshot, a, area_info) for a in ids)
    return MatchIndex(
        ids=ids,
        pos=pos,
        labels=labels,
        label_masks={lbl: np.array([x == lbl for x in labels], dtype=np.bool_) for lbl in set(labels)},
        themes=themes,
        idf=idf,
        norms=norms,
        theme_members=theme_members,
        offers=offers,
        needs=needs,
        offerers=_postings(offers),
        needers=_postings(needs),
        communities=communities,
        community_members=_postings(communities),
        community_counts=np.array([len(c) for c in communities], dtype=np.float64),
        areas=areas,
        area_members=_postings(a.within for a in areas),
        strong_partners=tuple(_strong_partners(snapshot, a, pos) for a in ids),
    )


@carries_over("matching-index")
def _carry_index(index: MatchIndex, new: Snapshot, ends: frozenset[str]) -> MatchIndex:
    """After tie changes only the ends' strong partners differ: everything else is kept."""
    strong = list(index.strong_partners)
    for actor in ends:
        if actor in index.pos:
            strong[index.pos[actor]] = _strong_partners(new, actor, index.pos)
    return replace(index, strong_partners=tuple(strong))


def match_inputs(snapshot: Snapshot, actor: str) -> frozenset[str]:
    """The actors whose ties a partner match of ``actor`` reads: itself (its rungs with the
    candidates) and its partners at :data:`STRONG_RUNG` or higher (the ladder part and the
    introducer follow partners' partners). A change of a tie between two actors outside this
    set leaves the match as it was.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node(x, "Organisation", {"name": x}) for x in "abc"]
    >>> snap = Snapshot(GraphData(1, nodes, [Relationship("TIE", "a", "b", {"rung": 3}),
    ...                                      Relationship("TIE", "a", "c", {"rung": 1})], []))
    >>> sorted(match_inputs(snap, "a"))
    ['a', 'b']
    """
    strong = (p for p, rung in snapshot.ties.get(actor, {}).items() if rung >= STRONG_RUNG)
    return frozenset((actor, *strong))


def _themes_of(snapshot: Snapshot, actor: str, label: str) -> dict[str, float]:
    """Interest id → weight as a fraction of the maximum (1/3, 2/3 or 1)."""
    out: dict[str, float] = {}
    if label == "Institution":
        for interest, _ in snapshot.out("PRIORITISES", actor):
            out[interest] = DEFAULT_THEME_WEIGHT / _MAX_THEME_WEIGHT
    for interest, props in snapshot.out("WORKS_ON", actor):
        out[interest] = stored_weight(props.get("weight"), DEFAULT_THEME_WEIGHT) / _MAX_THEME_WEIGHT
    return out


def _theme_postings(
    themes: tuple[dict[str, float], ...],
) -> tuple[dict[str, tuple[Postings, NDArray[np.float64]]], dict[str, float]]:
    members: dict[str, list[int]] = defaultdict(list)
    weights: dict[str, list[float]] = defaultdict(list)
    for i, theme_weights in enumerate(themes):
        for theme, weight in theme_weights.items():
            members[theme].append(i)
            weights[theme].append(weight)
    n = len(themes)
    idf = {t: math.log((1 + n) / (1 + len(m))) + 1.0 for t, m in members.items()}
    postings = {
        t: (np.array(m, dtype=np.int32), np.array(weights[t], dtype=np.float64))
        for t, m in members.items()
    }
    return postings, idf


def _postings(sets: Iterable[frozenset[str]]) -> dict[str, Postings]:
    members: dict[str, list[int]] = defaultdict(list)
    for i, keys in enumerate(sets):
        for key in keys:
            members[key].append(i)
    return {k: np.array(v, dtype=np.int32) for k, v in members.items()}


def _is_district(snapshot: Snapshot, area: str) -> bool:
    level = str(snapshot.nodes[area].props.get("level", "") or "")
    if level:
        return level == "district"
    # Without a level, a top area that contains other areas is taken to be a district.
    return not snapshot.out("PART_OF", area) and bool(snapshot.into("PART_OF", area))


def _area_infos(snapshot: Snapshot) -> dict[str, AreaInfo]:
    """Per area: itself and its ancestors, split into local areas and districts."""
    infos = {}
    for area in snapshot.labelled("Neighbourhood"):
        local: set[str] = set()
        districts: set[str] = set()
        within: set[str] = set()
        todo = [(area, False)]
        while todo:
            current, above_district = todo.pop()
            if current in within or snapshot.label(current) != "Neighbourhood":
                continue
            within.add(current)
            is_district = _is_district(snapshot, current)
            # Areas above a district (a city) say nothing about being close to each other.
            if is_district and not above_district:
                districts.add(current)
            elif not above_district:
                local.add(current)
            todo.extend((p, above_district or is_district) for p, _ in snapshot.out("PART_OF", current))
        infos[area] = AreaInfo(frozenset(local), frozenset(districts), frozenset(within))
    return infos


def _areas_of(snapshot: Snapshot, actor: str, infos: dict[str, AreaInfo]) -> AreaInfo:
    parts = [infos[a] for a in snapshot.targets("ACTIVE_IN", actor) if a in infos]
    return AreaInfo(
        frozenset().union(*(p.local for p in parts)),
        frozenset().union(*(p.districts for p in parts)),
        frozenset().union(*(p.within for p in parts)),
    )


def _strong_partners(snapshot: Snapshot, actor: str, pos: dict[str, int]) -> Postings:
    """Positions of the actor's partners at rung 2 or higher: the people who could introduce it."""
    found = sorted(pos[p] for p, rung in snapshot.ties.get(actor, {}).items()
                   if rung >= STRONG_RUNG and p in pos)
    return np.array(found, dtype=np.int32)
