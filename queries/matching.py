"""Partner matches for one actor: who it should meet, and why (docs/design.md §5, issue 4).

:func:`partner_matches` ranks organisations and institutions by shared themes (rare themes count
more), reciprocity (mutual exchange counts most), proximity, bridging to another community and
the binding ladder; pairs already at rung 3 or higher are left out. Every match carries its score
parts, evidence, an introducer and a sentence in Dutch and English. :func:`referral_partners` and
:func:`fitting_funds` answer the same question for institutions and funds. The weights live in
:class:`MatchWeights`; the test oracle `tests/match_reference.py` spells the rules out pair by
pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from graphsvc.snapshot import Snapshot
from graphsvc.vocab import Vocabulary, load_vocabulary
from queries.match_common import actor_node, check_kinds, check_lang, check_limit, named
from queries.match_evidence import introducer, pair_evidence
from queries.match_funds import fitting_funds
from queries.match_index import MatchIndex, matching_index
from queries.match_reasons import match_reasons
from queries.match_referrals import referral_partners
from queries.match_scoring import DEFAULT_WEIGHTS, MatchWeights, Scored, score_candidates
from queries.results import PARTS, Match, MatchResult, Named

__all__ = [
    "partner_matches",
    "referral_partners",
    "fitting_funds",
    "introducer",
    "MatchWeights",
    "DEFAULT_WEIGHTS",
]

_NOTHING_TO_MATCH = (
    "Voeg belangen, aanbod of behoeften toe om matches te krijgen.",
    "Add interests, offers or needs to get matches.",
)


def partner_matches(
    snapshot: Snapshot,
    actor_id: str,
    *,
    limit: int = 10,
    area: str | None = None,
    kinds: str | Iterable[str] | None = None,
    lang: str | None = None,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    vocab: Vocabulary | None = None,
) -> MatchResult:
    """The best partners for an organisation or institution, best first, each with its reason.

    Parameters
    ----------
    snapshot : Snapshot
        The read snapshot; its matching index is built on the first call and then reused.
    actor_id : str
        The organisation (or institution) to find partners for.
    limit : int
        How many matches, 1–100.
    area : str, optional
        Area code or id: only suggest actors active in that area or its sub-areas (``None`` or
        ``""``: everywhere).
    kinds : str or iterable of str, optional
        Only suggest these labels: ``"Organisation"``, ``"Institution"`` (any case).
    lang : {'nl', 'en'}, optional
        The language the caller shows (``result.lang``); both reasons are always filled.
    weights : MatchWeights
        The scoring weights (defaults documented on :class:`MatchWeights`).
    vocab : Vocabulary, optional
        For rung and term names; the default vocabulary when omitted.

    Raises
    ------
    NotFound
        No organisation or institution with ``actor_id``; no area with code ``area``.
    InvalidInput
        ``limit`` outside 1–100, an unknown kind or language.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node("a", "Organisation", {"name": "Al Amal"}),
    ...          Node("b", "Organisation", {"name": "Buurtvrouwen"}),
    ...          Node("taal", "Interest", {"name": "Nederlandse taal"})]
    >>> rels = [Relationship("WORKS_ON", "a", "taal"), Relationship("WORKS_ON", "b", "taal")]
    >>> result = partner_matches(Snapshot(GraphData(1, nodes, rels, [])), "a")
    >>> [m.id for m in result.matches], result.matches[0].reason_nl
    (['b'], 'Beide werken aan Nederlandse taal.')
    """
    limit = check_limit(limit)
    lang = check_lang(lang)
    labels = check_kinds(kinds)
    actor = actor_node(snapshot, actor_id)
    area_node = snapshot.area(area) if area else None
    vocab = vocab or load_vocabulary()
    index = matching_index(snapshot)
    a = index.pos[actor.id]
    base = MatchResult(
        actor=Named(actor.id, actor.name, label=actor.label),
        lang=lang,
        area=named(snapshot, area_node.id) if area_node else None,
        kinds=labels,
    )
    if not (index.themes[a] or index.offers[a] or index.needs[a]):
        return _empty(base, _NOTHING_TO_MATCH)
    allowed = _allowed(index, labels, area_node.id if area_node else None)
    scored = score_candidates(index, a, snapshot.ties.get(actor.id, {}), weights, allowed, limit)
    matches = tuple(
        _match(snapshot, index, a, scored, i, weights, vocab) for i in range(len(scored.positions))
    )
    if not matches:
        return _empty(base, _no_candidates(base))
    return replace(base, matches=matches)


def _empty(base: MatchResult, reasons: tuple[str, str]) -> MatchResult:
    return replace(base, reason_nl=reasons[0], reason_en=reasons[1])


def _no_candidates(base: MatchResult) -> tuple[str, str]:
    filtered = base.area is not None or bool(base.kinds)
    where_nl = " binnen de gekozen filters" if filtered else ""
    where_en = " within the chosen filters" if filtered else ""
    return (
        f"Geen andere organisatie deelt{where_nl} een belang, aanbod of behoefte met "
        f"{base.actor.name} zonder al samen te werken (trede 3 of hoger).",
        f"No other organisation{where_en} shares an interest, offer or need with "
        f"{base.actor.name} without already working together (rung 3 or higher).",
    )


def _allowed(index: MatchIndex, labels: tuple[str, ...], area_id: str | None) -> NDArray[np.bool_] | None:
    """Mask of actor positions the filters allow; None when there is no filter."""
    mask: NDArray[np.bool_] | None = None
    if labels:
        mask = np.zeros(index.size, dtype=np.bool_)
        for label in labels:
            if label in index.label_masks:
                mask |= index.label_masks[label]
    if area_id is not None:
        in_area = np.zeros(index.size, dtype=np.bool_)
        members = index.area_members.get(area_id)
        if members is not None:
            in_area[members] = True
        mask = in_area if mask is None else mask & in_area
    return mask


def _match(
    snapshot: Snapshot,
    index: MatchIndex,
    a: int,
    scored: Scored,
    i: int,
    weights: MatchWeights,
    vocab: Vocabulary,
) -> Match:
    c = int(scored.positions[i])
    node = snapshot.nodes[index.ids[c]]
    parts = {p: float(scored.parts[p][i]) for p in PARTS}
    evidence = pair_evidence(snapshot, index, a, c, int(scored.rungs[i]), vocab)
    contributions = {p: weights.part_weight(p) * v for p, v in parts.items()}
    reason_nl, reason_en = match_reasons(evidence, contributions, vocab)
    return Match(
        id=node.id,
        name=node.name,
        label=node.label,
        score=float(scored.scores[i]),
        parts=parts,
        shared_interests=evidence.shared_interests,
        they_offer=evidence.they_offer,
        we_offer=evidence.we_offer,
        shared_areas=evidence.shared_areas,
        communities_bridged=evidence.communities_bridged,
        current_rung=evidence.rung,
        climb=evidence.rung in (1, 2),
        introducer=evidence.introducer,
        reason_nl=reason_nl,
        reason_en=reason_en,
    )
