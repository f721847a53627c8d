"""Early signals per area, aggregated so that no single organisation can be traced.

For an area (and its sub-areas) the signals (:mod:`graphsvc.actions.signals`) are grouped per theme:
how many organisations signal it, the band of people (the sum of the organisations' lower
bounds, banded again: "at least"), the trend most of them report, and the months. Each
organisation counts once per group, with its latest signal.

**Fewer than three.** A group that fewer than :data:`MIN_ORGS` organisations report is shown to
everyone but admins only as "fewer than 3 organisations": no count, no band, no trend, no
community. A community is named only within a theme when at least three organisations report
it for that community. The signalling organisations are named only to admins; a member or a
coach sees which of its own organisations are in a group. Nobody sees a note here.

Each group also lists the **institutions** active in the area (or a sub-area, or an area it lies
in) that work on or prioritise the theme (or a broader theme it is part of), with the best rung between each and the signalling organisations, and flags a **gap**
("signaal zonder brug") when no signalling organisation has a tie at rung 2 or higher with any
of them (or when no institution there works on the theme at all).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from graphsvc.access.visibility import PUBLIC, Viewer
from graphsvc.errors import InvalidInput
from graphsvc.snapshot import Snapshot

__all__ = [
    "MIN_ORGS", "SignalRecord", "Institution", "SignalGroup", "AreaSignals", "signal_records",
    "organisation_signals", "area_signals", "parse_months", "recent_months", "band_of",
    "referral_suggestions",
]

MIN_ORGS: Final = 3
_BAND_LOW: Final = {"1-4": 1, "5-19": 5, "20-49": 20, "50+": 50}
_MONTH: Final = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class SignalRecord:
    """One stored signal, as its organisation (and its coach, and admins) see it."""

    id: str
    organisation: str
    theme: str
    areas: tuple[str, ...]
    community: str
    people: str
    period: str
    trend: str
    note: str
    updated_at: str

    def as_dict(self, snapshot: Snapshot | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "organisation": self.organisation, "theme": self.theme, "areas": list(self.areas),
            "community": self.community or None, "people": self.people, "period": self.period,
            "trend": self.trend, "note": self.note, "updated_at": self.updated_at}
        if snapshot is not None:
            out["theme_name"] = snapshot.name(self.theme)
            out["area_names"] = [snapshot.name(a) for a in self.areas]
            out["community_name"] = snapshot.name(self.community) if self.community else None
        return out


def _first(snapshot: Snapshot, rel: str, node: str) -> str:
    ends = sorted(snapshot.targets(rel, node))
    return ends[0] if ends else ""


def _records(snapshot: Snapshot) -> tuple[SignalRecord, ...]:
    out = []
    for sid in snapshot.labelled("Signal"):
        node = snapshot.nodes[sid]
        org, theme = _first(snapshot, "SIGNALLED_BY", sid), _first(snapshot, "SIGNAL_OF", sid)
        if not org or not theme:
            continue  # half a signal (e.g. from a partial import) is no signal
        props = node.props
        out.append(SignalRecord(sid, org, theme, tuple(sorted(snapshot.targets("SIGNAL_IN", sid))),
                                _first(snapshot, "SIGNAL_AMONG", sid), str(props.get("people", "")),
                                str(props.get("period", "")), str(props.get("trend", "")),
                                str(props.get("note", "")), node.updated_at or ""))
    return tuple(out)


def signal_records(snapshot: Snapshot) -> tuple[SignalRecord, ...]:
    """Every signal in the graph (cached per snapshot), notes included: filter before showing.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> signal_records(Snapshot(GraphData(1, [], [], [])))
    ()
    """
    return snapshot.derived("signal-records", _records)


def organisation_signals(snapshot: Snapshot, organisation: str) -> list[SignalRecord]:
    """One organisation's own signals, newest month first.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> organisation_signals(Snapshot(GraphData(1, [], [], [])), "o1")
    []
    """
    own = [r for r in signal_records(snapshot) if r.organisation == organisation]
    return sorted(own, key=lambda r: (r.period, r.updated_at, r.id), reverse=True)


def band_of(people: int) -> str:
    """The band a number of people falls in.

    Examples
    --------
    >>> band_of(3), band_of(15), band_of(60)
    ('1-4', '5-19', '50+')
    """
    return "50+" if people >= 50 else "20-49" if people >= 20 else "5-19" if people >= 5 else "1-4"


def _shift(month: str, by: int) -> str:
    year, mon = int(month[:4]), int(month[5:7]) - 1 + by
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def recent_months(count: int, today: date | None = None) -> tuple[str, str]:
    """The first and last month of the ``count`` months up to this one.

    Examples
    --------
    >>> recent_months(3, date(2026, 2, 10))
    ('2025-12', '2026-02')
    """
    day = today or date.today()
    last = f"{day.year:04d}-{day.month:02d}"
    return _shift(last, -(count - 1)), last


def parse_months(period: str | None) -> tuple[str, str] | None:
    """``2026-03``, ``2026`` or ``2026-01..2026-03`` as (first, last) month; None for no filter.

    Examples
    --------
    >>> parse_months("2026"), parse_months("2026-01..2026-03"), parse_months(None)
    (('2026-01', '2026-12'), ('2026-01', '2026-03'), None)
    """
    if not period:
        return None
    text = period.strip()
    first, _, last = text.partition("..")
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01", f"{text}-12"
    last = last or first
    if not (_MONTH.match(first) and _MONTH.match(last)) or first > last:
        raise InvalidInput(f"period: use a month (2026-03), a year (2026) or a range (2026-01..2026-03), "
                           f"not {text[:30]!r}.", errors=[f"period: {text[:30]!r}"])
    return first, last


@dataclass(frozen=True)
class Institution:
    """An institution in the area working on the theme, and its best rung with the signallers."""

    id: str
    name: str
    best_rung: int

    def as_dict(self, show_rung: bool = True) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, **({"best_rung": self.best_rung} if show_rung else {})}


@dataclass(frozen=True)
class SignalGroup:
    """One theme signalled in an area, with what the viewer may see of it."""

    theme: str
    theme_nl: str
    theme_en: str
    organisations: int
    people: str
    trend: str
    months: tuple[tuple[str, int], ...]
    communities: tuple[tuple[str, str, int], ...]
    institutions: tuple[Institution, ...]
    gap: bool
    signallers: tuple[str, ...]
    shown: bool
    signaller_names: tuple[str, ...] = ()

    @property
    def fewer_than_min(self) -> bool:
        return self.organisations < MIN_ORGS

    def as_dict(self) -> dict[str, Any]:
        """What the viewer may see: a small group without count, band, trend or community."""
        full = not self.fewer_than_min or self.shown
        return {
            "theme": self.theme, "theme_nl": self.theme_nl, "theme_en": self.theme_en,
            "organisations": self.organisations if full else None,
            "fewer_than_3": self.fewer_than_min,
            "people": self.people if full else None, "trend": self.trend if full else None,
            "months": [m for m, _ in self.months],
            # a month with one or two signallers says "fewer than 3" (None), as the heat table does
            "per_month": {m: n if self.shown or n >= MIN_ORGS else None for m, n in self.months}
            if full else None,
            "communities": [{"id": c, "name": n, "organisations": k} for c, n, k in self.communities],
            "institutions": [i.as_dict(full) for i in self.institutions],
            "gap": self.gap, "organisation_ids": list(self.signallers),
            "organisation_names": list(self.signaller_names),
        }


@dataclass(frozen=True)
class AreaSignals:
    """The signals of one area for one viewer."""

    area: str
    area_name: str
    period: tuple[str, str] | None
    groups: tuple[SignalGroup, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area, "area_name": self.area_name,
                "period": "..".join(self.period) if self.period else None,
                "min_organisations": MIN_ORGS, "groups": [g.as_dict() for g in self.groups]}


def _latest(records: list[SignalRecord]) -> dict[str, SignalRecord]:
    """Per organisation its latest signal (by month, then by when it was written)."""
    out: dict[str, SignalRecord] = {}
    for r in sorted(records, key=lambda r: (r.period, r.updated_at, r.id)):
        out[r.organisation] = r
    return out


def _upward(snapshot: Snapshot, node: str, label: str) -> set[str]:
    """The node and everything it is PART_OF, transitively (areas or themes)."""
    seen, todo = {node}, [node]
    while todo:
        for parent in snapshot.targets("PART_OF", todo.pop()):
            if parent not in seen and parent in snapshot.nodes and snapshot.nodes[parent].label == label:
                seen.add(parent)
                todo.append(parent)
    return seen


def _institutions(snapshot: Snapshot, area: str, theme: str, orgs: set[str]) -> tuple[Institution, ...]:
    """Institutions active in the area, a sub-area or an area it lies in (a district-wide
    service serves the wijk too) that work on or prioritise the theme or a broader one."""
    themes = _upward(snapshot, theme, "Interest")
    candidates = set(snapshot.actors_in(area))
    for outer in _upward(snapshot, area, "Neighbourhood") - {area}:
        candidates.update(a for a, _ in snapshot.into("ACTIVE_IN", outer))
    found = []
    for actor in sorted(candidates):
        if snapshot.nodes[actor].label != "Institution":
            continue
        if themes & (snapshot.targets("WORKS_ON", actor) | snapshot.targets("PRIORITISES", actor)):
            ties = snapshot.ties.get(actor, {})
            found.append(Institution(actor, snapshot.name(actor), max((ties.get(o, 0) for o in orgs), default=0)))
    return tuple(sorted(found, key=lambda i: (-i.best_rung, i.name.casefold(), i.id)))


def _communities(snapshot: Snapshot, latest: dict[str, SignalRecord], everything: bool) -> tuple[tuple[str, str, int], ...]:
    counts = Counter(r.community for r in latest.values() if r.community)
    return tuple(sorted(((c, snapshot.name(c), n) for c, n in counts.items() if everything or n >= MIN_ORGS),
                        key=lambda t: (-t[2], t[1].casefold())))


def _group(snapshot: Snapshot, area: str, theme: str, records: list[SignalRecord], viewer: Viewer) -> SignalGroup:
    latest = _latest(records)
    orgs = set(latest)
    admin = viewer.role == "admin"
    node = snapshot.nodes[theme]
    per_month = Counter(m for m, o in {(r.period, r.organisation) for r in records})
    trends = Counter(r.trend for r in latest.values())
    trend = sorted(trends.items(), key=lambda t: (-t[1], t[0]))[0][0] if trends else ""
    people = band_of(sum(_BAND_LOW.get(r.people, 1) for r in latest.values()))
    institutions = _institutions(snapshot, area, theme, orgs)
    gap = not any(i.best_rung >= 2 for i in institutions)
    own = orgs if admin else orgs & viewer.organisations if viewer.role in ("member", "coach") else set()
    return SignalGroup(theme, node.name, str(node.props.get("name_en") or node.name), len(orgs), people, trend,
                       tuple(sorted(per_month.items())), _communities(snapshot, latest, admin),
                       institutions, gap, tuple(sorted(own)), admin,
                       tuple(snapshot.name(o) for o in sorted(own)))


def area_signals(snapshot: Snapshot, area: str, viewer: Viewer = PUBLIC, *,
                 period: str | tuple[str, str] | None = None) -> AreaSignals:
    """The signals of an area (and its sub-areas) per theme, for ``viewer``.

    Parameters
    ----------
    snapshot : Snapshot
    area : str
        A Neighbourhood code or id.
    viewer : Viewer
        Decides what a small group shows and whose organisation ids are named.
    period : str or (first, last) or None
        Months to include (see :func:`parse_months`); None for all.

    Returns
    -------
    AreaSignals
        Groups with the most signalling organisations first, then by Dutch theme name.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("w", "Neighbourhood", {"name": "West", "code": "E"})], [], []))
    >>> area_signals(snap, "E").groups
    ()
    """
    months = parse_months(period) if isinstance(period, str) or period is None else period
    node = snapshot.area(area)
    within = snapshot.areas_within(node.id)
    by_theme: dict[str, list[SignalRecord]] = defaultdict(list)
    for r in signal_records(snapshot):
        if months and not months[0] <= r.period <= months[1]:
            continue
        if within.intersection(r.areas) and snapshot.nodes.get(r.theme) is not None:
            by_theme[r.theme].append(r)
    groups = [_group(snapshot, node.id, t, rs, viewer) for t, rs in by_theme.items()]
    groups.sort(key=lambda g: (-g.organisations, g.theme_nl.casefold(), g.theme))
    if viewer.role != "admin":  # the order must not tell a 1 from a 2: small groups by name only
        groups.sort(key=lambda g: (g.fewer_than_min, -g.organisations if not g.fewer_than_min else 0,
                                   g.theme_nl.casefold(), g.theme))
    return AreaSignals(node.id, node.name, months, tuple(groups))


def referral_suggestions(snapshot: Snapshot, organisation: str) -> list[dict[str, Any]]:
    """Institutions that could act on this organisation's signals and that it has no tie with at
    rung 2 or higher: per institution its theme(s) and area(s), the current rung first ascending.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> referral_suggestions(Snapshot(GraphData(1, [], [], [])), "o1")
    []
    """
    found: dict[str, dict[str, Any]] = {}
    ties = snapshot.ties.get(organisation, {})
    for record in organisation_signals(snapshot, organisation):
        for area in record.areas:
            if area not in snapshot.nodes:
                continue
            for inst in _institutions(snapshot, area, record.theme, {organisation}):
                if ties.get(inst.id, 0) >= 2:
                    continue
                entry = found.setdefault(inst.id, {"id": inst.id, "name": inst.name, "rung": ties.get(inst.id, 0),
                                                   "themes": [], "areas": []})
                for key, value in (("themes", snapshot.name(record.theme)), ("areas", snapshot.name(area))):
                    if value not in entry[key]:
                        entry[key].append(value)
    return sorted(found.values(), key=lambda e: (e["rung"], e["name"].casefold(), e["id"]))
