"""Scoring partner matches: the weights (one place) and the vectorised scorer over the index.

A candidate is an actor that shares a theme with the actor or has a capability exchange with it
(it offers what the actor needs, or needs what the actor offers); proximity, bridging and the
ladder only re-rank candidates, they never make one. Each part is scored 0–1 and the score is the
weighted mean of the parts, so it is 0–1 too. The test oracle `tests/match_reference.py` holds
the same rules written as a plain per-pair loop; the tests check that both give the same ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from graphsvc.errors import InvalidInput
from queries.match_index import MatchIndex
from queries.results import PARTS

__all__ = [
    "MatchWeights",
    "DEFAULT_WEIGHTS",
    "Scored",
    "score_candidates",
    "score_referrals",
    "top_positions",
    "EXCLUDED_FROM_RUNG",
    "SCORE_DECIMALS",
]

#: Pairs at this rung or higher already align or work together: they are not suggested.
EXCLUDED_FROM_RUNG = 3
#: Scores are compared after rounding to this many decimals, so that floating-point noise never
#: decides between two equally good candidates: the lower id wins.
SCORE_DECIMALS = 9

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MatchWeights:
    """Every weight of partner matching, with the reason for its default.

    The five part weights are relative: the score is ``sum(weight * part) / sum(weights)``.

    Attributes
    ----------
    shared_interests : float
        Weight of the themes both work on: a cosine similarity of the two actors' theme vectors,
        each theme weighted ``WORKS_ON.weight / 3 * idf``. Rare shared themes count more than
        ubiquitous ones because idf grows as fewer actors share the theme. The largest weight:
        a shared concern is the ground of any partnership (docs/design.md §5a).
    reciprocity : float
        Weight of the capability exchange, counting ``give`` (they offer what we need) and
        ``get`` (we offer what they need): ``raw = give + get + mutual_bonus * sqrt(give * get)``,
        scored ``raw / (raw + reciprocity_half)``. Almost as large as the themes: reciprocity,
        not charity, is the point of the method (§5b).
    proximity : float
        Weight of working in the same neighbourhood (part 1.0) or only the same district
        (part ``proximity_district``); elsewhere 0 (§5c).
    bridging : float
        Weight of reaching another community while sharing a theme: the share of the
        candidate's communities the actor does not serve yet (0 if the actor records none) (§5d).
    ladder : float
        Weight of how close the pair already is on the binding ladder: ``ladder_rung1`` or
        ``ladder_rung2`` for an existing tie, else ``ladder_introducer`` when a common partner at
        rung ≥ 2 can introduce them (§5e, §5f). Small: it breaks near-ties in favour of an easy
        next step without hiding new partners.
    mutual_bonus : float
        Extra weight of the geometric mean of both directions, so a two-way exchange ranks above
        a one-way exchange of the same size (1 + 1 beats 2 + 0).
    reciprocity_half : float
        Exchange size (``raw``) at which the reciprocity part reaches 0.5; larger exchanges
        saturate towards 1 instead of swamping the other parts.
    proximity_district : float
        Proximity part for the same district but no common neighbourhood.
    ladder_rung1, ladder_rung2, ladder_introducer : float
        Ladder part for a pair at rung 1 (*kennen*), at rung 2 (*ontmoeten*), or at rung 0 with
        an introducer.
    fund_parent_theme : float
        For :func:`queries.matching.fitting_funds`: credit of a theme a fund covers only through
        a broader parent theme (a direct priority counts 1).

    Examples
    --------
    >>> MatchWeights(bridging=0.0).total
    0.9
    """

    shared_interests: float = 0.35
    reciprocity: float = 0.30
    proximity: float = 0.15
    bridging: float = 0.10
    ladder: float = 0.10
    mutual_bonus: float = 1.0
    reciprocity_half: float = 2.0
    proximity_district: float = 0.5
    ladder_rung1: float = 0.5
    ladder_rung2: float = 1.0
    ladder_introducer: float = 0.5
    fund_parent_theme: float = 0.5

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or value < 0:
                raise InvalidInput(f"Match weight '{f.name}' must be a number ≥ 0, not {value!r}.")
        if self.total <= 0 or self.reciprocity_half <= 0:
            raise InvalidInput("Match weights need a positive part weight and reciprocity_half > 0.")

    @property
    def total(self) -> float:
        return round(sum(self.part_weight(p) for p in PARTS), 12)

    def part_weight(self, part: str) -> float:
        return float(getattr(self, part))

    def combine(self, parts: Mapping[str, float]) -> float:
        """The score (0–1) of one candidate's parts."""
        return sum(self.part_weight(p) * parts[p] for p in PARTS) / self.total


DEFAULT_WEIGHTS = MatchWeights()


@dataclass(frozen=True)
class Scored:
    """The best candidates of one actor, best first: positions, scores, parts and current rungs."""

    positions: NDArray[np.int64]
    scores: FloatArray
    parts: dict[str, FloatArray]
    rungs: NDArray[np.int64]


def score_candidates(
    index: MatchIndex,
    actor: int,
    ties: Mapping[str, int],
    weights: MatchWeights,
    allowed: NDArray[np.bool_] | None,
    limit: int,
) -> Scored:
    """Score every candidate of the actor at ``actor`` at once and keep the best ``limit``.

    ``ties`` are the actor's ties (partner id → rung); ``allowed`` an optional mask of actor
    positions that may be suggested (area and kind filters). Work is proportional to the posting
    lists the actor touches plus a few passes over an array of all actors, so a hub theme shared
    by half the graph costs a few array passes, not a Python loop. Bridging and ladder are only
    computed for candidates whose upper bound can still reach the top ``limit``.
    """
    n = index.size
    similarity = _accumulate_themes(index, actor, n)
    give = _count(index.offerers, index.needs[actor], n)
    get = _count(index.needers, index.offers[actor], n)
    hit = (similarity > 0) | (give > 0) | (get > 0)
    hit[actor] = False
    partners = list(zip(index.pos.find(ties), ties.values(), strict=True))  # -1: not an actor
    for p, r in partners:
        if r >= EXCLUDED_FROM_RUNG and p >= 0:
            hit[p] = False
    if allowed is not None:
        hit &= allowed
    cand = np.flatnonzero(hit)
    parts = {
        "shared_interests": _cosine(index, actor, similarity[cand], cand),
        "reciprocity": _reciprocity(give[cand], get[cand], weights),
        "proximity": _proximity(index, actor, n, weights)[cand],
    }
    # Summed in the order of MatchWeights.combine, so the reference gives bit-identical scores.
    base = (weights.shared_interests * parts["shared_interests"]
            + weights.reciprocity * parts["reciprocity"]
            + weights.proximity * parts["proximity"])
    keep = _within_reach(base, parts["shared_interests"] > 0, weights, limit)
    cand, base = cand[keep], base[keep]
    parts = {p: v[keep] for p, v in parts.items()}
    rung = _rungs(partners, cand)
    parts["bridging"] = _bridging(index, actor, n, cand, parts["shared_interests"])
    parts["ladder"] = _ladder(index, actor, n, cand, rung, weights)
    score = (base + weights.bridging * parts["bridging"] + weights.ladder * parts["ladder"]) / weights.total
    best = top_positions(cand, score, limit)
    return Scored(cand[best], score[best], {p: parts[p][best] for p in PARTS}, rung[best])


def score_referrals(
    index: MatchIndex, actor: int, weights: MatchWeights, parts: tuple[str, ...], limit: int
) -> tuple[NDArray[np.int64], FloatArray]:
    """Positions and scores of the best institutions sharing a theme with the actor, best first.

    When the actor records areas, only institutions in its neighbourhood or district count. The
    score is the weighted mean of ``parts`` (a subset of shared_interests, proximity, reciprocity).
    """
    n = index.size
    institutions = index.label_masks.get("Institution")
    if institutions is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    similarity = _accumulate_themes(index, actor, n)
    proximity = _proximity(index, actor, n, weights)
    hit = (similarity > 0) & institutions
    hit[actor] = False
    if len(index.areas.local.codes_of(actor)) or len(index.areas.districts.codes_of(actor)):
        hit &= proximity > 0
    cand = np.flatnonzero(hit)
    give = _count(index.offerers, index.needs[actor], n)[cand]
    get = _count(index.needers, index.offers[actor], n)[cand]
    values = {
        "shared_interests": _cosine(index, actor, similarity[cand], cand),
        "proximity": proximity[cand],
        "reciprocity": _reciprocity(give, get, weights),
    }
    score = np.zeros(len(cand), dtype=np.float64)
    for p in parts:
        score += weights.part_weight(p) * values[p]
    score /= sum(weights.part_weight(p) for p in parts)
    best = top_positions(cand, score, limit)
    return cand[best], score[best]


def _kth_largest_bound(values: FloatArray, k: int) -> float:
    """A value ≤ the k-th largest of ``values``, found cheaply on a strided sample.

    The k-th largest of any subset is at most the k-th largest of the whole, so filtering on
    it never drops a member of the top k; a sample of about 16·k values keeps the survivors few.
    """
    step = max(1, len(values) // (16 * k))
    sample = values[::step]
    if len(sample) <= k:
        return float("-inf")
    return float(np.partition(sample, len(sample) - k)[len(sample) - k])


def _within_reach(
    base: FloatArray, shares: NDArray[np.bool_], weights: MatchWeights, limit: int
) -> NDArray[np.int64]:
    """Indices of candidates whose best possible score (full bridging and ladder) can still make
    the top ``limit``, judged against a lower bound of the limit-th best partial score."""
    if len(base) <= 64 * limit:
        return np.arange(len(base))
    ladder_max = max(weights.ladder_rung1, weights.ladder_rung2, weights.ladder_introducer)
    upper = base + weights.bridging * shares + weights.ladder * ladder_max
    slack = 1e-6 * weights.total
    return np.flatnonzero(upper >= _kth_largest_bound(base, limit) - slack)


def _rungs(partners: list[tuple[int, int]], cand: NDArray[np.int64]) -> NDArray[np.int64]:
    """The current rung of each candidate, from the actor's (partner position, rung) pairs
    (position -1: not an actor; ties are few, candidates sorted: binary search)."""
    rung = np.zeros(len(cand), dtype=np.int64)
    for p, r in partners:
        if p < 0:
            continue
        at = int(np.searchsorted(cand, p))
        if at < len(cand) and cand[at] == p:
            rung[at] = r
    return rung


def _accumulate_themes(index: MatchIndex, actor: int, n: int) -> FloatArray:
    """Unnormalised dot product of the actor's tf-idf theme vector with every actor's."""
    dot = np.zeros(n, dtype=np.float64)
    for theme, weight in index.themes[actor].items():
        members, member_weights = index.theme_members[theme]
        # Each actor appears once per theme, so fancy-index += adds exactly once per member.
        dot[members] += (weight * index.idf[theme] ** 2) * member_weights
    return dot


def _cosine(index: MatchIndex, actor: int, dot: FloatArray, cand: NDArray[np.int64]) -> FloatArray:
    denom = index.norms[actor] * index.norms[cand]
    return np.divide(dot, denom, out=np.zeros_like(dot), where=denom > 0)


def _count(postings: Mapping[str, NDArray[np.int32]], keys: Iterable[str], n: int) -> FloatArray:
    counts = np.zeros(n, dtype=np.float64)
    for key in keys:
        members = postings.get(key)
        if members is not None:
            counts[members] += 1.0
    return counts


def _reciprocity(give: FloatArray, get: FloatArray, weights: MatchWeights) -> FloatArray:
    raw = give + get + weights.mutual_bonus * np.sqrt(give * get)
    return raw / (raw + weights.reciprocity_half)


def _proximity(index: MatchIndex, actor: int, n: int, weights: MatchWeights) -> FloatArray:
    prox = np.zeros(n, dtype=np.float64)
    # District first, so that a shared neighbourhood overwrites it with the higher value.
    for district in index.areas.districts[actor]:
        prox[index.area_members[district]] = weights.proximity_district
    for area in index.areas.local[actor]:
        prox[index.area_members[area]] = 1.0
    return prox


def _bridging(
    index: MatchIndex, actor: int, n: int, cand: NDArray[np.int64], shared: FloatArray
) -> FloatArray:
    mine = index.communities[actor]
    if not mine:
        return np.zeros(len(cand), dtype=np.float64)
    overlap = _count(index.community_members, mine, n)[cand]
    served = index.community_counts[cand]
    new_share = np.divide(served - overlap, served, out=np.zeros_like(served), where=served > 0)
    return np.where(shared > 0, new_share, 0.0)


def _ladder(
    index: MatchIndex,
    actor: int,
    n: int,
    cand: NDArray[np.int64],
    rung: NDArray[np.int64],
    weights: MatchWeights,
) -> FloatArray:
    reachable = np.zeros(n, dtype=np.bool_)
    partners = index.strong_partners
    for partner in partners[actor].tolist():
        reachable[partners[partner]] = True
    credit = np.array([0.0, weights.ladder_rung1, weights.ladder_rung2, 0.0, 0.0, 0.0])
    by_rung = credit[np.clip(rung, 0, 5)]
    return np.maximum(by_rung, np.where(reachable[cand], weights.ladder_introducer, 0.0))


def top_positions(cand: NDArray[np.int64], score: FloatArray, limit: int) -> NDArray[np.int64]:
    """Indices into ``cand`` of the best ``limit``: score descending, then position (= id)."""
    # Rounded scores can only tie with values within 1e-9 below the sampled threshold.
    pool = np.flatnonzero(score >= _kth_largest_bound(score, limit) - 10.0 ** -SCORE_DECIMALS)
    rounded = np.round(score[pool], SCORE_DECIMALS)
    if len(pool) > limit:
        # Keep everything tied with the limit-th best, so the id tie-break sees all of them.
        threshold = np.partition(rounded, len(pool) - limit)[len(pool) - limit]
        keep = rounded >= threshold
        pool, rounded = pool[keep], rounded[keep]
    order = np.lexsort((cand[pool], -rounded))
    return pool[order[:limit]]
