"""Fitting funds: funds whose priorities cover an actor's themes, and what they already give it.

A fund that prioritises a theme fits every actor working on it, and also on its sub-themes (a fund
for *werk en inkomen* fits an organisation working on *jeugdwerkloosheid*), with a lower credit
(:attr:`MatchWeights.fund_parent_theme`). The fit is the idf-weighted share of the actor's themes
the fund covers, so covering a rare theme says more than covering a common one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphsvc.snapshot import Snapshot
from graphsvc.vocab import Vocabulary, load_vocabulary
from queries.grants import NOT_GRANTED, counts_as_funding
from queries.match_common import actor_node, check_lang, check_limit, named, named_all
from queries.match_index import MatchIndex, matching_index
from queries.match_reasons import name_list, term_text
from queries.match_scoring import DEFAULT_WEIGHTS, MatchWeights, top_positions
from queries.results import FundFit, FundResult, Named

__all__ = ["fitting_funds", "fund_index", "FundIndex", "euros", "NOT_GRANTED"]

FloatArray = NDArray[np.float64]



def fitting_funds(
    snapshot: Snapshot,
    org_id: str,
    *,
    limit: int = 10,
    lang: str | None = None,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    vocab: Vocabulary | None = None,
) -> FundResult:
    """Funds whose priorities match the actor's themes, best fit first, noting existing funding.

    Raises
    ------
    NotFound
        No organisation or institution with ``org_id``.
    InvalidInput
        ``limit`` outside 1–100, an unknown language.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node("a", "Organisation", {"name": "Al Amal"}),
    ...          Node("f", "Fund", {"name": "Oranje Fonds"}),
    ...          Node("taal", "Interest", {"name": "Nederlandse taal"})]
    >>> rels = [Relationship("WORKS_ON", "a", "taal"), Relationship("PRIORITISES", "f", "taal"),
    ...         Relationship("FUNDS", "f", "a", {"amount": 12500, "year": 2024}, key="g1")]
    >>> fit = fitting_funds(Snapshot(GraphData(1, nodes, rels, [])), "a").funds[0]
    >>> fit.already_funds, fit.funded_amount, fit.reason_nl
    (True, 12500.0, 'Oranje Fonds geeft voorrang aan Nederlandse taal, waar jullie aan werken; steunt jullie al (€ 12.500 in 1 toekenning).')
    """
    limit = check_limit(limit)
    lang = check_lang(lang)
    actor = actor_node(snapshot, org_id)
    vocab = vocab or load_vocabulary()
    index = matching_index(snapshot)
    themes = index.themes[index.pos[actor.id]]
    subject = Named(actor.id, actor.name, label=actor.label)
    if not themes:
        return FundResult(subject, (), "Voeg belangen toe om passende fondsen te vinden.",
                          "Add interests to find fitting funds.", lang)
    funds = fund_index(snapshot)
    scores = _fit(funds, index, themes, weights)
    cand = np.flatnonzero(scores > 0)
    best = cand[top_positions(cand, scores[cand], limit)]
    fits = tuple(
        _fund_fit(snapshot, actor.id, funds.ids[f], float(scores[f]), _cover(funds, int(f), themes), vocab)
        for f in best
    )
    if not fits:
        return FundResult(subject, (), "Geen fonds geeft (nog) voorrang aan jullie belangen.",
                          "No fund prioritises your themes yet.", lang)
    return FundResult(subject, fits, lang=lang)


@dataclass(frozen=True, eq=False)
class FundIndex:
    """Funds by the themes they prioritise, and every theme's broader themes (nearest first)."""

    ids: tuple[str, ...]
    prioritised_by: dict[str, NDArray[np.int32]]
    priorities: tuple[frozenset[str], ...]
    ancestors: dict[str, tuple[str, ...]]


def fund_index(snapshot: Snapshot) -> FundIndex:
    """The snapshot's fund index, built once and cached with the snapshot."""
    return snapshot.derived("matching-fund-index", _build_fund_index)


def _build_fund_index(snapshot: Snapshot) -> FundIndex:
    ids = tuple(snapshot.labelled("Fund"))
    priorities = tuple(frozenset(snapshot.targets("PRIORITISES", f)) for f in ids)
    members: dict[str, list[int]] = defaultdict(list)
    for i, themes in enumerate(priorities):
        for theme in themes:
            members[theme].append(i)
    return FundIndex(
        ids=ids,
        prioritised_by={t: np.array(m, dtype=np.int32) for t, m in members.items()},
        priorities=priorities,
        ancestors={t: _ancestors(snapshot, t) for t in snapshot.labelled("Interest")},
    )


def _ancestors(snapshot: Snapshot, theme: str) -> tuple[str, ...]:
    found: list[str] = []
    todo = [p for p, _ in snapshot.out("PART_OF", theme)]
    while todo:
        parent = todo.pop(0)
        if parent not in found and parent != theme:
            found.append(parent)
            todo.extend(p for p, _ in snapshot.out("PART_OF", parent))
    return tuple(found)


def _fit(funds: FundIndex, index: MatchIndex, themes: Mapping[str, float], w: MatchWeights) -> FloatArray:
    """Per fund: the idf-weighted share of the actor's themes it covers (directly or via a parent)."""
    total = np.zeros(len(funds.ids), dtype=np.float64)
    for theme in sorted(themes):
        credit = np.zeros(len(funds.ids), dtype=np.float64)
        for parent in funds.ancestors.get(theme, ()):
            if parent in funds.prioritised_by:
                credit[funds.prioritised_by[parent]] = w.fund_parent_theme
        if theme in funds.prioritised_by:
            credit[funds.prioritised_by[theme]] = 1.0  # a direct priority beats a parent theme
        total += themes[theme] * index.idf[theme] * credit
    return total / sum(w_t * index.idf[t] for t, w_t in themes.items())


def _cover(funds: FundIndex, fund: int, themes: Mapping[str, float]) -> dict[str, str]:
    """Actor theme → the fund priority covering it (the theme itself, else the nearest parent)."""
    prioritised = funds.priorities[fund]
    cover = {}
    for theme in sorted(themes):
        for priority in (theme, *funds.ancestors.get(theme, ())):
            if priority in prioritised:
                cover[theme] = priority
                break
    return cover


def _fund_fit(
    snapshot: Snapshot, org: str, fund: str, score: float, cover: Mapping[str, str], vocab: Vocabulary
) -> FundFit:
    node = snapshot.nodes[fund]
    grants = [props for f, props in snapshot.into("FUNDS", org) if f == fund and counts_as_funding(props)]
    amount = sum(_amount(p.get("amount")) for p in grants)
    priorities = named_all(snapshot, set(cover.values()), vocab)
    themes = tuple(named(snapshot, t, vocab) for t in sorted(cover, key=lambda t: (snapshot.name(t), t)))
    fit = FundFit(
        id=fund,
        name=node.name,
        fund_type=str(node.props.get("fund_type", "") or ""),
        score=score,
        priorities=priorities,
        themes=themes,
        already_funds=bool(grants),
        funded_amount=amount,
        grants=len(grants),
        years=tuple(sorted({y for p in grants if (y := _year(p)) is not None})),
    )
    direct = all(priority == t for t, priority in cover.items())
    return replace(fit, reason_nl=_reason(fit, direct, "nl"), reason_en=_reason(fit, direct, "en"))


def _amount(raw: object) -> float:
    # Imported amounts may be text or missing; they must not break the list.
    try:
        return max(float(raw), 0.0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def _year(props: Mapping[str, Any]) -> int | None:
    raw = props.get("year") or str(props.get("start", "") or "")[:4]
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def euros(amount: float, lang: str) -> str:
    """``€ 12.500`` (nl) / ``€12,500`` (en), whole euros."""
    text = f"{round(amount):,}"
    return f"€{text}" if lang == "en" else "€ " + text.replace(",", ".")


def _reason(fit: FundFit, direct: bool, lang: str) -> str:
    en = lang == "en"
    prios = name_list([term_text(p, lang) for p in fit.priorities], lang)
    if direct:
        text = f"{fit.name} prioritises {prios}, which you work on" if en else (
            f"{fit.name} geeft voorrang aan {prios}, waar jullie aan werken")
    else:
        themes = name_list([term_text(t, lang) for t in fit.themes], lang)
        text = f"{fit.name} prioritises {prios}, which fits your work on {themes}" if en else (
            f"{fit.name} geeft voorrang aan {prios}, passend bij jullie werk aan {themes}")
    if fit.already_funds:
        n = fit.grants
        count = f"{n} grant{'s' if n != 1 else ''}" if en else f"{n} toekenning{'en' if n != 1 else ''}"
        money = f"{euros(fit.funded_amount, lang)} in {count}" if fit.funded_amount else count
        text += f"; already funds you ({money})" if en else f"; steunt jullie al ({money})"
    return text + "."
