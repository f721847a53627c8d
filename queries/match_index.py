"""The matching index: inverted indexes over actors, built once per snapshot.

Matching one actor must not walk the whole graph, so :func:`matching_index` turns the snapshot
into posting lists (theme → actors, capability → offerers / needers, community → actors,
area → actors) as sorted ``int32`` arrays of actor positions, plus per-actor rows for evidence.
Everything per actor is held in flat numpy arrays (:mod:`queries.match_arrays`), so server
workers forked from a master that built the index read it without copying its pages.
Actor positions follow the sorted actor ids, so "lower position" is "lower id": that is the
deterministic tie-break of every ranking.

Themes of an actor are its ``WORKS_ON`` interests (weight 1–3, 2 when missing) and, for an
institution, its ``PRIORITISES`` interests too (weight 2). Their rarity is a smoothed inverse
document frequency over all actors, ``idf = ln((1 + N) / (1 + df)) + 1``, so a theme everyone
works on still counts a little and a theme of one actor counts most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from graphsvc.rel_props import stored_weight
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_carry import carries_over
from queries.match_arrays import (
    ActorIds,
    CodeRows,
    Interner,
    PartnerRows,
    Positions,
    ThemeRows,
    csr,
)

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
class AreaRows(Sequence[AreaInfo]):
    """Per actor its :class:`AreaInfo`, from three rows of area codes."""

    local: CodeRows
    districts: CodeRows
    within: CodeRows

    def __len__(self) -> int:
        return len(self.within)

    def __getitem__(self, i: int) -> AreaInfo:  # type: ignore[override]
        return AreaInfo(self.local[i], self.districts[i], self.within[i])


@dataclass(frozen=True, eq=False)
class MatchIndex:
    """Everything a partner match needs about every actor; immutable, shared between threads
    and (built before a fork) between processes. Per-actor fields read like tuples
    (``themes[a]`` is a dict, ``offers[a]`` a frozenset) but are made on each read from arrays."""

    ids: ActorIds
    pos: Positions
    label_masks: dict[str, NDArray[np.bool_]]
    themes: ThemeRows
    idf: dict[str, float]
    norms: NDArray[np.float64]
    theme_members: dict[str, tuple[Postings, NDArray[np.float64]]]
    offers: CodeRows
    needs: CodeRows
    offerers: dict[str, Postings]
    needers: dict[str, Postings]
    communities: CodeRows
    community_members: dict[str, Postings]
    community_counts: NDArray[np.float64]
    areas: AreaRows
    area_members: dict[str, Postings]
    strong_partners: PartnerRows

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
    actors = snapshot.actors()
    ids = ActorIds(actors)
    pos = Positions(ids)
    labels = [snapshot.label(a) for a in actors]
    themes = _theme_rows(snapshot, actors, labels)
    theme_members, idf = _theme_postings(themes)
    offers = _code_rows(snapshot.targets("OFFERS", a) for a in actors)
    needs = _code_rows(snapshot.targets("NEEDS", a) for a in actors)
    communities = _code_rows(snapshot.targets("SERVES", a) for a in actors)
    areas = _area_rows(snapshot, actors)
    return MatchIndex(
        ids=ids,
        pos=pos,
        label_masks={lbl: np.array([x == lbl for x in labels], dtype=np.bool_) for lbl in set(labels)},
        themes=themes,
        idf=idf,
        norms=_norms(themes, idf),
        theme_members=theme_members,
        offers=offers,
        needs=needs,
        offerers=_postings(offers),
        needers=_postings(needs),
        communities=communities,
        community_members=_postings(communities),
        community_counts=np.diff(communities.offsets).astype(np.float64),
        areas=areas,
        area_members=_postings(areas.within),
        strong_partners=_partner_rows(snapshot, actors, pos),
    )


@carries_over("matching-index")
def _carry_index(index: MatchIndex, new: Snapshot, ends: frozenset[str]) -> MatchIndex:
    """After tie changes only the ends' strong partners differ: they go into a small overlay,
    everything else (and the shared base arrays) is kept."""
    rows = {index.pos[actor]: _strong_partners(new, actor, index.pos)
            for actor in ends if actor in index.pos}
    return replace(index, strong_partners=index.strong_partners.with_rows(rows))


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


def _theme_rows(snapshot: Snapshot, actors: list[str], labels: list[str]) -> ThemeRows:
    vocab = Interner()
    offsets = np.zeros(len(actors) + 1, dtype=np.int64)
    codes: list[int] = []
    weights: list[float] = []
    for i, (actor, label) in enumerate(zip(actors, labels, strict=True)):
        for theme, weight in _themes_of(snapshot, actor, label).items():
            codes.append(vocab.code(theme))
            weights.append(weight)
        offsets[i + 1] = len(codes)
    return ThemeRows(offsets, np.array(codes, dtype=np.int32), np.array(weights, dtype=np.float64),
                     vocab.names())


def _theme_postings(
    themes: ThemeRows,
) -> tuple[dict[str, tuple[Postings, NDArray[np.float64]]], dict[str, float]]:
    rows = np.repeat(np.arange(len(themes), dtype=np.int32), np.diff(themes.offsets))
    order = np.argsort(themes.codes, kind="stable")  # by theme, actors ascending within one
    bounds = np.searchsorted(themes.codes[order], np.arange(len(themes.names) + 1))
    n = len(themes)
    postings, idf = {}, {}
    for code, theme in enumerate(themes.names):
        at = order[bounds[code]:bounds[code + 1]]
        postings[theme] = (rows[at], themes.weights[at])
        idf[theme] = math.log((1 + n) / (1 + len(at))) + 1.0
    return postings, idf


def _norms(themes: ThemeRows, idf: dict[str, float]) -> NDArray[np.float64]:
    """Per actor the length of its tf-idf theme vector (summed in the row's order)."""
    rarity = [idf[t] for t in themes.names]
    codes, weights, offsets = themes.codes.tolist(), themes.weights.tolist(), themes.offsets.tolist()
    return np.array([math.sqrt(sum((weights[k] * rarity[codes[k]]) ** 2 for k in range(start, end)))
                     for start, end in zip(offsets[:-1], offsets[1:], strict=True)], dtype=np.float64)


def _code_rows(sets: Iterable[Iterable[str]], vocab: Interner | None = None) -> CodeRows:
    vocab = vocab or Interner()
    rows = [[vocab.code(name) for name in names] for names in sets]
    offsets, codes = csr(rows, len(rows))
    return CodeRows(offsets, codes, vocab.names())


def _postings(rows: CodeRows) -> dict[str, Postings]:
    actor = np.repeat(np.arange(len(rows), dtype=np.int32), np.diff(rows.offsets))
    order = np.argsort(rows.codes, kind="stable")
    bounds = np.searchsorted(rows.codes[order], np.arange(len(rows.names) + 1))
    return {name: actor[order[bounds[code]:bounds[code + 1]]]
            for code, name in enumerate(rows.names) if bounds[code + 1] > bounds[code]}


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


def _area_rows(snapshot: Snapshot, actors: list[str]) -> AreaRows:
    infos = _area_infos(snapshot)
    per_actor = [_areas_of(snapshot, a, infos) for a in actors]
    vocab = Interner()  # one code space for the three rows
    return AreaRows(_code_rows((p.local for p in per_actor), vocab),
                    _code_rows((p.districts for p in per_actor), vocab),
                    _code_rows((p.within for p in per_actor), vocab))


def _areas_of(snapshot: Snapshot, actor: str, infos: dict[str, AreaInfo]) -> AreaInfo:
    parts = [infos[a] for a in snapshot.targets("ACTIVE_IN", actor) if a in infos]
    return AreaInfo(
        frozenset().union(*(p.local for p in parts)),
        frozenset().union(*(p.districts for p in parts)),
        frozenset().union(*(p.within for p in parts)),
    )


def _partner_rows(snapshot: Snapshot, actors: list[str], pos: Positions) -> PartnerRows:
    at = {a: i for i, a in enumerate(actors)}  # a dict for the build only: far faster than ``pos``
    offsets, targets = csr((_strong_partners(snapshot, a, at) for a in actors), len(actors))
    return PartnerRows(offsets, targets)


def _strong_partners(snapshot: Snapshot, actor: str, pos: Mapping[str, int]) -> Postings:
    """Positions of the actor's partners at rung 2 or higher: the people who could introduce it."""
    found = sorted(pos[p] for p, rung in snapshot.ties.get(actor, {}).items()
                   if rung >= STRONG_RUNG and p in pos)
    return np.array(found, dtype=np.int32)
