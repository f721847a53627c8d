"""Signalled but unfunded: themes organisations signal in an area where no grant reaches the theme.

For every area that has signals, every theme signalled there by at least
:data:`~queries.signals.MIN_ORGS` organisations (smaller groups are never shown to funders) is a
row when no organisation active in the area that works on the theme received a grant in the
period (:func:`queries.grants.counts_as_funding`: applications do not count). The period is one
of calendar years, as on the funders' dashboard; the signals are those of the same years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.snapshot import Snapshot
from queries.grants import Period, counts_as_funding, grant_years, parse_period
from queries.signals import MIN_ORGS, area_signals, signal_records

__all__ = ["UnfundedSignal", "signalled_unfunded"]


@dataclass(frozen=True)
class UnfundedSignal:
    """A theme signalled in an area with no grant to an organisation there working on it."""

    area: str
    area_name: str
    theme: str
    theme_nl: str
    theme_en: str
    organisations: int
    people: str
    workers: int

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area, "area_name": self.area_name, "theme": self.theme,
                "theme_nl": self.theme_nl, "theme_en": self.theme_en,
                "signalling_organisations": self.organisations, "people": self.people,
                "organisations_working_on_it": self.workers}


def _funded(snapshot: Snapshot, org: str, period: Period | None) -> bool:
    return any(counts_as_funding(props) and (period is None or period.overlaps(*grant_years(props)))
               for _, props in snapshot.into("FUNDS", org))


def signalled_unfunded(snapshot: Snapshot, *, period: str | Period | None = None,
                       area: str | None = None) -> list[UnfundedSignal]:
    """Themes signalled by enough organisations in an area with no grant for them there.

    Parameters
    ----------
    snapshot : Snapshot
    period : str or Period or None
        Calendar years (``"2026"``, ``"2025-2026"``); None for all signals and every grant.
    area : str or None
        Only this area (code or id) and the areas within it.

    Returns
    -------
    list of UnfundedSignal
        Most signalling organisations first, then by area and theme name.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> signalled_unfunded(Snapshot(GraphData(1, [], [], [])))
    []
    """
    years = parse_period(period)
    months = (f"{years.first:04d}-01", f"{years.last:04d}-12") if years else None
    within = snapshot.areas_within(snapshot.area(area).id) if area else None
    areas = sorted({a for r in signal_records(snapshot) for a in r.areas
                    if a in snapshot.nodes and (within is None or a in within)})
    rows = []
    for area in areas:
        node = snapshot.nodes[area]
        if node.label != "Neighbourhood":
            continue
        actors = snapshot.actors_in(area)
        for group in area_signals(snapshot, area, period=months).groups:
            if group.organisations < MIN_ORGS:
                continue
            workers = [a for a in actors if snapshot.label(a) == "Organisation"
                       and group.theme in snapshot.targets("WORKS_ON", a)]
            if any(_funded(snapshot, o, years) for o in workers):
                continue
            rows.append(UnfundedSignal(area, node.name, group.theme, group.theme_nl, group.theme_en,
                                       group.organisations, group.people, len(workers)))
    rows.sort(key=lambda r: (-r.organisations, r.area_name.casefold(), r.theme_nl.casefold()))
    return rows
