"""The neighbourhood agenda: interests many organisations in an area share, and who could carry them.

"From an archipelago of interests to neighbourhood interests" (docs/design.md §1, §5): for one area, the
interests (themes) the most organisations active there work on, each with its **coalition** —
every organisation and institution in the area working on it, strongest commitment (``WORKS_ON``
weight) first — and the agenda items that already exist for it.

Rules, chosen so the list reads well at a meeting:

* Only ``Organisation`` nodes are counted to rank interests (the agenda is theirs); institutions
  working on the theme in the area do join the coalition, because they can help carry it.
* An interest counts only when at least two organisations share it — one is not an agenda.
* A theme counts only for organisations working on it directly; sub-themes are not rolled up into
  their parent, which would push the broad parents to the top of every area.
* A coalition member is marked ``tied`` when it has a tie at any rung with another member: it is
  already on the ladder with someone in the coalition.
* **Signals** (:mod:`queries.signals`) lift a theme: the organisations that signalled it in the
  area in the last ``signal_months`` months count towards its rank beside those working on it,
  and a theme at least three organisations signal joins the agenda even when fewer than two work
  on it. Smaller groups of signals do not count, so the order never tells a 1 from a 2.
* An existing ``AgendaItem`` is shown when it is ``ABOUT`` the interest and ``FOR`` the area or one
  of its sub-areas; members that ``COMMITS_TO`` it are marked ``committed``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from queries.signals import MIN_ORGS, area_signals, recent_months

__all__ = ["CoalitionMember", "AgendaItemRef", "AgendaTopic", "neighbourhood_agenda"]


@dataclass(frozen=True)
class CoalitionMember:
    """An actor working on the interest in the area, and how it stands with the rest."""

    id: str
    name: str
    label: str
    weight: int
    best_rung: int
    committed: bool

    @property
    def tied(self) -> bool:
        return self.best_rung >= 1

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "label": self.label, "weight": self.weight,
                "best_rung": self.best_rung, "tied": self.tied, "committed": self.committed}


@dataclass(frozen=True)
class AgendaItemRef:
    """An existing agenda item for the interest in the area."""

    id: str
    name: str
    status: str
    period: str
    committed: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "status": self.status, "period": self.period,
                "committed": list(self.committed)}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass(frozen=True)
class AgendaTopic:
    """One interest on the draft agenda of an area."""

    interest_id: str
    title_nl: str
    title_en: str
    area_name: str
    organisations: int
    coalition: tuple[CoalitionMember, ...]
    agenda_items: tuple[AgendaItemRef, ...] = ()
    signalled: int = 0

    @property
    def tied_members(self) -> int:
        return sum(1 for m in self.coalition if m.tied)

    def _members(self) -> tuple[int, int]:
        orgs = sum(1 for m in self.coalition if m.label == "Organisation")
        return orgs, len(self.coalition) - orgs

    @property
    def summary_nl(self) -> str:
        n, tied = self.organisations, self.tied_members
        orgs, insts = self._members()
        members = _count(orgs, "organisatie", "organisaties") + (
            f" en {_count(insts, 'instelling', 'instellingen')}" if insts else "")
        text = (f"{_count(n, 'organisatie', 'organisaties')} in {self.area_name} "
                f"{'werkt' if n == 1 else 'werken'} aan {self.title_nl}. In de coalitie: {members}; "
                f"{tied} daarvan {'heeft' if tied == 1 else 'hebben'} al een band met elkaar.")
        if self.signalled:
            text += (f" {_count(self.signalled, 'organisatie', 'organisaties')} "
                     f"{'signaleert' if self.signalled == 1 else 'signaleren'} het.")
        return text + (" Er is al een agendapunt." if self.agenda_items else "")

    @property
    def summary_en(self) -> str:
        n, tied = self.organisations, self.tied_members
        orgs, insts = self._members()
        members = _count(orgs, "organisation", "organisations") + (
            f" and {_count(insts, 'institution', 'institutions')}" if insts else "")
        text = (f"{_count(n, 'organisation', 'organisations')} in {self.area_name} "
                f"{'works' if n == 1 else 'work'} on {self.title_en}. In the coalition: {members}; "
                f"{tied} of them already {'has' if tied == 1 else 'have'} a tie with the others.")
        if self.signalled:
            text += (f" {_count(self.signalled, 'organisation', 'organisations')} "
                     f"{'signals' if self.signalled == 1 else 'signal'} it.")
        return text + (" There is already an agenda item." if self.agenda_items else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "interest_id": self.interest_id,
            "title_nl": self.title_nl,
            "title_en": self.title_en,
            "organisations": self.organisations,
            "coalition": [m.as_dict() for m in self.coalition],
            "agenda_items": [a.as_dict() for a in self.agenda_items],
            "signalled": self.signalled,
            "summary_nl": self.summary_nl,
            "summary_en": self.summary_en,
        }


def _workers(snapshot: Snapshot, actors: list[str]) -> dict[str, dict[str, int]]:
    """interest id -> {actor id: weight} for the actors given."""
    by_interest: dict[str, dict[str, int]] = defaultdict(dict)
    for actor in actors:
        for interest, props in snapshot.out("WORKS_ON", actor):
            weight = props.get("weight", 1)
            by_interest[interest][actor] = weight if isinstance(weight, int) else 1
    return by_interest


def _items(snapshot: Snapshot, areas: set[str], interest: str) -> tuple[AgendaItemRef, ...]:
    refs = []
    for item in sorted(snapshot.sources("ABOUT", interest)):
        if snapshot.targets("FOR", item) & areas:
            props = snapshot.nodes[item].props
            refs.append(AgendaItemRef(item, snapshot.name(item), str(props.get("status", "")),
                                      str(props.get("period", "")),
                                      tuple(sorted(snapshot.sources("COMMITS_TO", item)))))
    return tuple(refs)


def _coalition(
    snapshot: Snapshot, weights: dict[str, int], committed: set[str]
) -> tuple[CoalitionMember, ...]:
    members = []
    for actor, weight in weights.items():
        ties = snapshot.ties.get(actor, {})
        best = max((r for o, r in ties.items() if o in weights), default=0)
        members.append(CoalitionMember(actor, snapshot.name(actor), snapshot.label(actor),
                                       weight, best, actor in committed))
    members.sort(key=lambda m: (-m.weight, m.label != "Organisation", m.name.casefold(), m.id))
    return tuple(members)


def _topic(snapshot: Snapshot, area: Node, areas: set[str], interest: str,
           weights: dict[str, int], signalled: int) -> AgendaTopic:
    node = snapshot.nodes[interest]
    items = _items(snapshot, areas, interest)
    committed = {a for item in items for a in item.committed}
    orgs = sum(1 for a in weights if snapshot.label(a) == "Organisation")
    return AgendaTopic(interest, node.name, str(node.props.get("name_en") or node.name), area.name,
                       orgs, _coalition(snapshot, weights, committed), items, signalled)


def _signalled(snapshot: Snapshot, area: str, months: int) -> dict[str, int]:
    """theme -> organisations signalling it in the area lately, for groups of at least MIN_ORGS."""
    if months < 1:
        return {}
    groups = area_signals(snapshot, area, period=recent_months(months)).groups
    return {g.theme: g.organisations for g in groups if g.organisations >= MIN_ORGS}


def neighbourhood_agenda(snapshot: Snapshot, area: str, limit: int = 10, *,
                         signal_months: int = 3) -> list[AgendaTopic]:
    """The interests shared by the most organisations in an area, each with its coalition.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    area : str
        A Neighbourhood code or id; organisations active in it or a sub-area count.
    limit : int
        How many interests to return (at least 1).
    signal_months : int
        Count the signals of this many months up to now (0: leave signals out).

    Returns
    -------
    list of AgendaTopic
        Most organisations working on it or signalling it first, then most working on it,
        then the highest total weight, then the Dutch title.

    Raises
    ------
    NotFound
        When the area does not exist.
    InvalidInput
        When ``limit`` is below 1.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("w", "Neighbourhood", {"name": "West", "code": "E"}))
    ...     _ = tx.upsert_node(Node("eenzaamheid", "Interest", {"name": "Eenzaamheid"}))
    ...     for i in ("a", "b"):
    ...         _ = tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
    ...         _ = tx.upsert_relationship(Relationship("ACTIVE_IN", i, "w"))
    ...         _ = tx.upsert_relationship(Relationship("WORKS_ON", i, "eenzaamheid", {"weight": 2}))
    >>> [(t.interest_id, t.organisations) for t in neighbourhood_agenda(Snapshot.from_store(store), "E")]
    [('eenzaamheid', 2)]
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"limit must be a whole number of at least 1, not {limit!r}.")
    node = snapshot.area(area)
    areas = snapshot.areas_within(node.id)
    by_interest = _workers(snapshot, snapshot.actors_in(node.id))
    signalled = _signalled(snapshot, node.id, signal_months)
    for theme in signalled:
        by_interest.setdefault(theme, {})

    def rank(interest: str) -> tuple[int, int, int, str]:
        weights = by_interest[interest]
        orgs = [w for a, w in weights.items() if snapshot.label(a) == "Organisation"]
        return (-len(orgs) - signalled.get(interest, 0), -len(orgs), -sum(orgs),
                snapshot.name(interest).casefold())

    shared = [i for i in by_interest if snapshot.nodes.get(i) is not None
              and snapshot.label(i) == "Interest" and (-rank(i)[1] >= 2 or i in signalled)]
    top = sorted(shared, key=rank)[:limit]
    return [_topic(snapshot, node, areas, i, by_interest[i], signalled.get(i, 0)) for i in top]
