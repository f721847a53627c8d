"""Funding gaps: the themes a fund prioritises, crossed with areas, where few organisations work.

For a fund, every theme it ``PRIORITISES`` (with its sub-themes: an organisation working on
*mantelzorg* works on *zorg en gezondheid*) is crossed with every area at the chosen level that
has active organisations. Each cell counts the organisations there, those working on the theme,
how many would be expected if the theme were as common there as in the whole city, how many
this fund already supports, and which **other funders** already fund organisations in the cell.
Funding means grants that :func:`~queries.grants.counts_as_funding`: an application that is
pending, rejected or withdrawn makes no organisation funded.

A cell is a **gap** when the area has at least ``min_orgs`` organisations but fewer than
``few`` of them work on the theme: the fund cares about the theme, the area is organised, but
almost nobody there carries the theme. A cell where other funders already fund organisations
is an **overlap**: a place to co-fund rather than to start alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.snapshot import Snapshot
from queries.grants import (
    Period,
    area_levels,
    counts_as_funding,
    fund_node,
    grant_years,
    parse_period,
)

__all__ = ["OtherFunder", "GapCell", "GapMatrix", "funding_gaps"]


@dataclass(frozen=True)
class OtherFunder:
    """Another fund that funds organisations in a cell, and how many of them."""

    fund: str
    name: str
    organisations: int

    def as_dict(self) -> dict[str, Any]:
        return {"fund": self.fund, "name": self.name, "organisations": self.organisations}


@dataclass(frozen=True)
class GapCell:
    """One theme in one area."""

    theme: str
    theme_name: str
    area: str
    area_name: str
    area_organisations: int
    organisations: int
    expected: float
    funded_by_fund: int
    other_funders: tuple[OtherFunder, ...]
    gap: bool

    @property
    def overlap(self) -> bool:
        return bool(self.other_funders)

    @property
    def reason_nl(self) -> str:
        text = (f"In {self.area_name} werken {self.organisations} van de {self.area_organisations} "
                f"organisaties aan {self.theme_name.lower()} (verwacht: {self.expected:.0f}).")
        if self.other_funders:
            text += f" Andere fondsen hier: {', '.join(f.name for f in self.other_funders[:3])}."
        return text

    @property
    def reason_en(self) -> str:
        text = (f"In {self.area_name}, {self.organisations} of {self.area_organisations} "
                f"organisations work on {self.theme_name.lower()} (expected: {self.expected:.0f}).")
        if self.other_funders:
            text += f" Other funders here: {', '.join(f.name for f in self.other_funders[:3])}."
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme, "theme_name": self.theme_name, "area": self.area,
            "area_name": self.area_name, "area_organisations": self.area_organisations,
            "organisations": self.organisations, "expected": round(self.expected, 2),
            "funded_by_fund": self.funded_by_fund, "gap": self.gap, "overlap": self.overlap,
            "other_funders": [f.as_dict() for f in self.other_funders],
            "reason_nl": self.reason_nl, "reason_en": self.reason_en,
        }


@dataclass(frozen=True)
class GapMatrix:
    """Themes (rows) × areas (columns) for one fund; ``cells`` row by row."""

    fund: str
    fund_name: str
    period: Period | None
    level: str
    themes: tuple[tuple[str, str], ...]
    areas: tuple[tuple[str, str], ...]
    cells: tuple[GapCell, ...]

    @property
    def gaps(self) -> list[GapCell]:
        """The gap cells, biggest shortfall against the expectation first."""
        return sorted((c for c in self.cells if c.gap),
                      key=lambda c: (c.organisations - c.expected, c.theme_name, c.area_name))

    def cell(self, theme: str, area: str) -> GapCell:
        for c in self.cells:
            if c.theme == theme and c.area == area:
                return c
        raise KeyError((theme, area))

    def as_dict(self) -> dict[str, Any]:
        return {
            "fund": self.fund, "fund_name": self.fund_name,
            "period": str(self.period) if self.period else None, "level": self.level,
            "themes": [{"id": i, "name": n} for i, n in self.themes],
            "areas": [{"id": i, "name": n} for i, n in self.areas],
            "cells": [c.as_dict() for c in self.cells],
            "gaps": [c.as_dict() for c in self.gaps],
        }


def _with_subthemes(snapshot: Snapshot, theme: str) -> set[str]:
    seen, todo = {theme}, [theme]
    while todo:
        for child, _ in snapshot.into("PART_OF", todo.pop()):
            if child not in seen and snapshot.label(child) == "Interest":
                seen.add(child)
                todo.append(child)
    return seen


def _orgs_by_area(snapshot: Snapshot, level: str) -> dict[str, set[str]]:
    levels = area_levels(snapshot)
    pick = 0 if level == "wijk" else 1
    by_area: dict[str, set[str]] = defaultdict(set)
    for org in snapshot.labelled("Organisation"):
        for a in snapshot.targets("ACTIVE_IN", org):
            if a in levels:
                by_area[levels[a][pick]].add(org)
    return by_area


def _funders(snapshot: Snapshot, orgs: set[str], period: Period | None) -> Counter[str]:
    """Per fund, how many of these organisations it funds in the period (a pending, rejected or
    withdrawn grant is no funding)."""
    count: Counter[str] = Counter()
    for org in orgs:
        funds = {f for f, p in snapshot.into("FUNDS", org)
                 if counts_as_funding(p) and (period is None or period.overlaps(*grant_years(p)))}
        count.update(funds)
    return count


def _cell(snapshot: Snapshot, fund: str, theme: str, area: str, members: set[str],
          workers: set[str], share: float, period: Period | None, rules: tuple[int, int]) -> GapCell:
    few, min_orgs = rules
    here = members & workers
    funders = _funders(snapshot, here, period)
    others = sorted((OtherFunder(f, snapshot.name(f), n) for f, n in funders.items() if f != fund),
                    key=lambda o: (-o.organisations, o.name.casefold(), o.fund))
    return GapCell(theme, snapshot.name(theme), area, snapshot.name(area), len(members), len(here),
                   len(members) * share, funders.get(fund, 0), tuple(others),
                   len(members) >= min_orgs and len(here) < few)


def funding_gaps(snapshot: Snapshot, fund_id: str, *, period: str | Period | None = None,
                 level: str = "wijk", few: int = 2, min_orgs: int = 5) -> GapMatrix:
    """The themes a fund prioritises × the areas with organisations, with gaps and overlaps.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    fund_id : str
        The fund whose priorities (``PRIORITISES``) make the rows.
    period : str or Period, optional
        Only grants overlapping these years count as funding.
    level : {"wijk", "district"}
        The areas that make the columns.
    few : int
        A cell is a gap when fewer than this many organisations work on the theme there …
    min_orgs : int
        … while the area has at least this many active organisations.

    Raises
    ------
    NotFound
        When there is no such fund.
    InvalidInput
        For a malformed period, level, ``few`` or ``min_orgs``.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> orgs = [Node(f"o{i}", "Organisation", {"name": f"O{i}"}) for i in range(5)]
    >>> nodes = [*orgs, Node("f", "Fund", {"name": "F"}), Node("taal", "Interest", {"name": "Taal"}),
    ...          Node("w", "Neighbourhood", {"name": "Wijk W"})]
    >>> rels = [Relationship("PRIORITISES", "f", "taal")]
    >>> rels += [Relationship("ACTIVE_IN", o.id, "w") for o in orgs]
    >>> matrix = funding_gaps(Snapshot(graph_data([*nodes, *rels])), "f")
    >>> [(c.theme, c.area, c.organisations, c.gap) for c in matrix.gaps]
    [('taal', 'w', 0, True)]
    """
    fund = fund_node(snapshot, fund_id).id
    p = parse_period(period)
    if level not in ("district", "wijk"):
        raise InvalidInput(f"Parameter 'level' must be 'district' or 'wijk', not {level!r}.")
    if few < 1 or min_orgs < 1:
        raise InvalidInput("'few' and 'min_orgs' must be at least 1.")
    themes = sorted(snapshot.targets("PRIORITISES", fund), key=lambda t: (snapshot.name(t).casefold(), t))
    by_area = _orgs_by_area(snapshot, level)
    areas = sorted(by_area, key=lambda a: (snapshot.name(a).casefold(), a))
    n_orgs = max(1, len(snapshot.labelled("Organisation")))
    cells = []
    for theme in themes:
        subthemes = _with_subthemes(snapshot, theme)
        workers = {o for t in subthemes for o in snapshot.sources("WORKS_ON", t)
                   if snapshot.label(o) == "Organisation"}
        share = len(workers) / n_orgs
        cells += [_cell(snapshot, fund, theme, a, by_area[a], workers, share, p, (few, min_orgs))
                  for a in areas]
    return GapMatrix(fund, snapshot.name(fund), p, level,
                     tuple((t, snapshot.name(t)) for t in themes),
                     tuple((a, snapshot.name(a)) for a in areas), tuple(cells))
