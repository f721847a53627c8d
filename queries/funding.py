"""Funding lenses for funders (docs/design.md §5): dependency on the largest funder and funding flows.

* :func:`herfindahl` — funder concentration, the sum of squared shares (0–1; :mod:`queries.grants`).
* :func:`dependency_on_largest_funder` / :func:`organisation_dependency` — how much of an
  organisation's money comes from its largest funder (the source note's "one-sided dependency
  on subsidies").
* :func:`funding_flows` — money from funds to districts and themes.
* :func:`funding_gaps` — themes a fund prioritises crossed with areas (:mod:`queries.funding_gaps`).

Grants and periods follow :mod:`queries.grants`: only grants that
:func:`~queries.grants.counts_as_funding` are money (pending, rejected and withdrawn grants are
not). Nothing here reads confidential fields, and
there is no risk or fraud score: a high dependency describes a funding pattern, not a judgement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.rel_props import stored_weight
from graphsvc.snapshot import Snapshot
from queries.funding_gaps import GapCell, GapMatrix, funding_gaps
from queries.grants import (
    Period,
    area_levels,
    counts_as_funding,
    fund_node,
    grant_amount,
    grant_years,
    herfindahl,
    is_pending,
    parse_period,
    percent,
)

__all__ = [
    "herfindahl",
    "FunderShare",
    "Dependency",
    "dependency_on_largest_funder",
    "organisation_dependency",
    "Flow",
    "FundingFlows",
    "funding_flows",
    "GapCell",
    "GapMatrix",
    "funding_gaps",
]


@dataclass(frozen=True)
class FunderShare:
    """One funder's part of an organisation's (or a cluster's) money."""

    fund: str
    name: str
    amount: float
    grants: int
    share: float

    def as_dict(self) -> dict[str, Any]:
        return {"fund": self.fund, "name": self.name, "amount": self.amount, "grants": self.grants,
                "share": round(self.share, 6)}


@dataclass(frozen=True)
class Dependency:
    """How an organisation's money is spread over its funders; ``share`` is the largest funder's."""

    organisation: str
    name: str
    total: float
    funders: tuple[FunderShare, ...]

    @property
    def largest(self) -> FunderShare | None:
        return self.funders[0] if self.funders else None

    @property
    def share(self) -> float:
        return self.funders[0].share if self.funders else 0.0

    @property
    def herfindahl(self) -> float:
        return herfindahl(f.amount for f in self.funders)

    @property
    def reason_nl(self) -> str:
        if not self.funders:
            return "Geen geregistreerde financiering."
        return (f"{percent(self.share, 'nl')} van het geld komt van {self.funders[0].name} "
                f"({len(self.funders)} {'fonds' if len(self.funders) == 1 else 'fondsen'} in totaal).")

    @property
    def reason_en(self) -> str:
        if not self.funders:
            return "No recorded funding."
        return (f"{percent(self.share, 'en')} of the money comes from {self.funders[0].name} "
                f"({len(self.funders)} {'fund' if len(self.funders) == 1 else 'funds'} in all).")

    def as_dict(self) -> dict[str, Any]:
        largest = self.largest
        return {
            "organisation": self.organisation, "name": self.name, "total": self.total,
            "largest_fund": largest.fund if largest else None,
            "largest_fund_name": largest.name if largest else None,
            "share": round(self.share, 6), "herfindahl": round(self.herfindahl, 6),
            "funders": [f.as_dict() for f in self.funders],
            "reason_nl": self.reason_nl, "reason_en": self.reason_en,
        }


def _dependency(snapshot: Snapshot, org: str, period: Period | None) -> Dependency:
    amounts: dict[str, float] = {}
    counts: dict[str, int] = {}
    for fund, props in snapshot.into("FUNDS", org):
        if not counts_as_funding(props) or (period is not None and not period.overlaps(*grant_years(props))):
            continue
        amounts[fund] = amounts.get(fund, 0.0) + grant_amount(props)
        counts[fund] = counts.get(fund, 0) + 1
    total = sum(amounts.values())
    shares = [FunderShare(f, snapshot.name(f), a, counts[f], a / total if total else 0.0)
              for f, a in amounts.items()]
    shares.sort(key=lambda s: (-s.amount, s.name.casefold(), s.fund))
    return Dependency(org, snapshot.name(org), total, tuple(shares))


def organisation_dependency(snapshot: Snapshot, org_id: str, *,
                            period: str | Period | None = None) -> Dependency:
    """How much of one organisation's money comes from its largest funder.

    Money is the grants that count as funding (:func:`~queries.grants.counts_as_funding`):
    pending, rejected and withdrawn grants change neither the shares nor the Herfindahl index.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    org_id : str
        The organisation.
    period : str or Period, optional
        Only grants overlapping these years (``"2024"``, ``"2023-2025"``).

    Raises
    ------
    NotFound
        When there is no such organisation.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> nodes = [Node("o", "Organisation", {"name": "O"}), Node("f", "Fund", {"name": "F"}),
    ...          Node("g", "Fund", {"name": "G"})]
    >>> rels = [Relationship("FUNDS", "f", "o", {"amount": 8000}, "g1"),
    ...         Relationship("FUNDS", "g", "o", {"amount": 2000}, "g2")]
    >>> dep = organisation_dependency(Snapshot(graph_data([*nodes, *rels])), "o")
    >>> dep.largest.fund, dep.share, dep.herfindahl, dep.reason_nl
    ('f', 0.8, 0.68, '80 % van het geld komt van F (2 fondsen in totaal).')
    """
    snapshot.node(org_id, "Organisation")
    return _dependency(snapshot, org_id, parse_period(period))


def dependency_on_largest_funder(snapshot: Snapshot, *, period: str | Period | None = None,
                                 min_share: float = 0.0) -> list[Dependency]:
    """Every funded organisation with the share of its money that comes from its largest funder.

    An organisation whose only grants are pending, rejected or withdrawn is not funded.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    period : str or Period, optional
        Only grants overlapping these years.
    min_share : float
        Leave out organisations whose largest funder gives less than this share (0–1).

    Returns
    -------
    list of Dependency
        Organisations with money in the period, most dependent first, then by total, then name.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> nodes = [Node("o", "Organisation", {"name": "O"}), Node("p", "Organisation", {"name": "P"}),
    ...          Node("f", "Fund", {"name": "F"})]
    >>> rels = [Relationship("FUNDS", "f", "o", {"amount": 500, "year": 2024}, "g1")]
    >>> [(d.organisation, d.share) for d in dependency_on_largest_funder(Snapshot(graph_data([*nodes, *rels])))]
    [('o', 1.0)]
    """
    if not 0.0 <= min_share <= 1.0:
        raise InvalidInput("min_share must be between 0 and 1.")
    p = parse_period(period)

    def build(snap: Snapshot) -> list[Dependency]:
        found = (_dependency(snap, o, p) for o in snap.labelled("Organisation") if snap.into("FUNDS", o))
        return sorted((d for d in found if d.total > 0),
                      key=lambda d: (-d.share, -d.total, d.name.casefold(), d.organisation))

    # cached per snapshot: the dashboard, its export and the API ask for the same list
    ranked = snapshot.derived(f"funding-dependency:{p}", build)
    return [d for d in ranked if d.share >= min_share]




@dataclass(frozen=True)
class Flow:
    """Money from one fund to one district (or wijk) or one theme in a period."""

    fund: str
    fund_name: str
    target: str
    target_name: str
    amount: float
    grants: int
    organisations: int

    def as_dict(self) -> dict[str, Any]:
        return {"fund": self.fund, "fund_name": self.fund_name, "target": self.target,
                "target_name": self.target_name, "amount": round(self.amount, 2),
                "grants": self.grants, "organisations": self.organisations}


@dataclass(frozen=True)
class FundingFlows:
    """Where the money of one fund (or of all funds) goes: to areas and to themes.

    ``pending_grants`` / ``pending_amount``: applications in the period still waiting for a
    decision, which are not in the money (nor are rejected and withdrawn grants).
    """

    fund: str | None
    period: Period | None
    level: str
    total: float
    grants: int
    to_areas: tuple[Flow, ...]
    to_themes: tuple[Flow, ...]
    pending_grants: int = 0
    pending_amount: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"fund": self.fund, "period": str(self.period) if self.period else None,
                "level": self.level, "total": round(self.total, 2), "grants": self.grants,
                "pending_grants": self.pending_grants, "pending_amount": round(self.pending_amount, 2),
                "to_areas": [f.as_dict() for f in self.to_areas],
                "to_themes": [f.as_dict() for f in self.to_themes]}


class _Tally:
    """Amounts, grant counts and recipients per (fund, target)."""

    def __init__(self) -> None:
        self.amount: dict[tuple[str, str], float] = defaultdict(float)
        self.grants: dict[tuple[str, str], int] = defaultdict(int)
        self.orgs: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, fund: str, parts: dict[str, float], amount: float, org: str) -> None:
        total = sum(parts.values())
        for target, weight in parts.items():
            key = (fund, target)
            self.amount[key] += amount * weight / total
            self.grants[key] += 1
            self.orgs[key].add(org)

    def flows(self, snapshot: Snapshot, unknown: str) -> tuple[Flow, ...]:
        rows = [Flow(f, snapshot.name(f), t, snapshot.name(t) if t else unknown, a,
                     self.grants[(f, t)], len(self.orgs[(f, t)]))
                for (f, t), a in self.amount.items()]
        return tuple(sorted(rows, key=lambda r: (-r.amount, r.fund_name.casefold(), r.target)))


def _targets(snapshot: Snapshot, org: str, level: str) -> tuple[dict[str, float], dict[str, float]]:
    """The organisation's areas (equal parts) and themes (by WORKS_ON weight); "" when none."""
    levels = area_levels(snapshot)
    pick = 0 if level == "wijk" else 1
    areas = {levels[a][pick] for a in snapshot.targets("ACTIVE_IN", org) if a in levels}
    themes = {t: float(stored_weight(p.get("weight"), 1)) for t, p in snapshot.out("WORKS_ON", org)}
    return ({a: 1.0 for a in areas} or {"": 1.0}), (themes or {"": 1.0})


def funding_flows(snapshot: Snapshot, fund_id: str | None = None, *,
                  period: str | Period | None = None, level: str = "district") -> FundingFlows:
    """Money from funds to areas and to themes.

    Only grants that count as funding (:func:`~queries.grants.counts_as_funding`) are money;
    pending applications are counted apart (``pending_grants``, ``pending_amount``), rejected
    and withdrawn grants left out. A grant to an organisation active in two districts counts half in each; a grant to an
    organisation working on two themes is split by their ``WORKS_ON`` weights. So every view
    adds up to the money actually granted. Money to organisations without an area or a theme
    is listed under an empty target ("onbekend").

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    fund_id : str, optional
        One fund; all funds when None.
    period : str or Period, optional
        Only grants overlapping these years.
    level : {"district", "wijk"}
        The area level money is summed to.

    Raises
    ------
    NotFound
        When ``fund_id`` is not a fund.
    InvalidInput
        For a malformed period or level.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> nodes = [Node("o", "Organisation", {"name": "O"}), Node("f", "Fund", {"name": "F"}),
    ...          Node("t", "Interest", {"name": "Taal"}), Node("u", "Interest", {"name": "Werk"})]
    >>> rels = [Relationship("WORKS_ON", "o", "t", {"weight": 3}),
    ...         Relationship("WORKS_ON", "o", "u", {"weight": 1}),
    ...         Relationship("FUNDS", "f", "o", {"amount": 1000, "year": 2024}, "g1")]
    >>> flows = funding_flows(Snapshot(graph_data([*nodes, *rels])), "f")
    >>> flows.total, [(f.target, f.amount) for f in flows.to_themes]
    (1000.0, [('t', 750.0), ('u', 250.0)])
    """
    p = parse_period(period)
    if level not in ("district", "wijk"):
        raise InvalidInput(f"Parameter 'level' must be 'district' or 'wijk', not {level!r}.")
    funds = [fund_node(snapshot, fund_id).id] if fund_id else snapshot.labelled("Fund")
    areas, themes = _Tally(), _Tally()
    total, grants, pending, pending_amount = 0.0, 0, 0, 0.0
    for fund in funds:
        for org, props in snapshot.out("FUNDS", fund):
            if org not in snapshot.nodes or (p is not None and not p.overlaps(*grant_years(props))):
                continue
            amount = grant_amount(props)
            if not counts_as_funding(props):
                if is_pending(props):
                    pending, pending_amount = pending + 1, pending_amount + amount
                continue
            to_areas, to_themes = _targets(snapshot, org, level)
            areas.add(fund, to_areas, amount, org)
            themes.add(fund, to_themes, amount, org)
            total += amount
            grants += 1
    return FundingFlows(fund_id, p, level, total, grants, areas.flows(snapshot, "onbekend"),
                        themes.flows(snapshot, "onbekend"), pending, pending_amount)
