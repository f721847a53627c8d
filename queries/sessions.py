"""What moved at a ladder session: new ties, rung changes up and down, removed ties, found partners.

A ``Session`` is a neighbourhood meeting; every tie change recorded during it carries the session
id in its history event (``TieEvent.session``). The diff is read from that history:

* **Moves** are net per pair over the session's events: a tie recorded at rung 2 and corrected to
  3 is one new tie at rung 3; a tie recorded and undone in the same evening is no move at all.
* **Before** is the tie network just before the session's first event and **after** the network
  just after its last one, both reached by rolling the current ties back through the history
  (so ties written without history still count as they are).
* An organisation **found a partner** when it was an island before (no tie at ``min_rung`` or
  higher), is not one after, and one of the session's moves involves it. When the session has an
  area (``HELD_IN`` or its ``area`` property), islands are judged inside that area, as on the
  meeting's map (see :mod:`queries.islands`); otherwise across the whole network.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import NotFound
from graphsvc.model import TieEvent, tie_pair
from graphsvc.snapshot import Snapshot
from queries.islands import Partner, check_rung, members_of

__all__ = ["TieMove", "FoundPartner", "SessionDiff", "session_diff"]

_Pair = tuple[str, str]


@dataclass(frozen=True)
class TieMove:
    """The net change of one tie during the session (rung 0: no tie)."""

    a: str
    a_name: str
    b: str
    b_name: str
    old_rung: int
    new_rung: int
    at: str

    @property
    def kind(self) -> str:
        """``new``, ``up``, ``down`` or ``removed``."""
        if self.old_rung == 0:
            return "new"
        if self.new_rung == 0:
            return "removed"
        return "up" if self.new_rung > self.old_rung else "down"

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "a_name": self.a_name, "b": self.b, "b_name": self.b_name,
                "old_rung": self.old_rung, "new_rung": self.new_rung, "at": self.at,
                "kind": self.kind}


@dataclass(frozen=True)
class FoundPartner:
    """An organisation that was an island before the session and is not after it."""

    id: str
    name: str
    partners: tuple[Partner, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "partners": [p.as_dict() for p in self.partners]}


@dataclass(frozen=True)
class SessionDiff:
    """Everything that moved at one session."""

    id: str
    name: str
    date: str
    area: str | None
    moves: tuple[TieMove, ...]
    found_partner: tuple[FoundPartner, ...]

    def _of(self, kind: str) -> tuple[TieMove, ...]:
        return tuple(m for m in self.moves if m.kind == kind)

    @property
    def new_ties(self) -> tuple[TieMove, ...]:
        return self._of("new")

    @property
    def climbs(self) -> tuple[TieMove, ...]:
        return self._of("up")

    @property
    def drops(self) -> tuple[TieMove, ...]:
        return self._of("down")

    @property
    def removed(self) -> tuple[TieMove, ...]:
        return self._of("removed")

    @property
    def summary_nl(self) -> str:
        new, found = len(self.new_ties), len(self.found_partner)
        return (f"{new} {'nieuwe band' if new == 1 else 'nieuwe banden'}, {len(self.climbs)} omhoog, "
                f"{len(self.drops)} omlaag, {len(self.removed)} verbroken; "
                f"{found} {'eiland vond' if found == 1 else 'eilanden vonden'} een partner.")

    @property
    def summary_en(self) -> str:
        new, found = len(self.new_ties), len(self.found_partner)
        return (f"{new} new {'tie' if new == 1 else 'ties'}, {len(self.climbs)} up, {len(self.drops)} down, "
                f"{len(self.removed)} removed; {found} {'island' if found == 1 else 'islands'} found a partner.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "date": self.date, "area": self.area,
            "new_ties": [m.as_dict() for m in self.new_ties],
            "climbs": [m.as_dict() for m in self.climbs],
            "drops": [m.as_dict() for m in self.drops],
            "removed": [m.as_dict() for m in self.removed],
            "found_partner": [f.as_dict() for f in self.found_partner],
            "summary_nl": self.summary_nl, "summary_en": self.summary_en,
        }


def _session_area(snapshot: Snapshot, session_id: str) -> str | None:
    """The session's area id: its HELD_IN target, else its ``area`` property if that resolves."""
    held_in = sorted(snapshot.targets("HELD_IN", session_id))
    if held_in:
        return held_in[0]
    code = snapshot.nodes[session_id].props.get("area")
    if not isinstance(code, str) or not code:
        return None
    try:
        return snapshot.area(code).id
    except NotFound:
        return None  # an area deleted since the meeting: judge islands city-wide instead


def _moves(snapshot: Snapshot, events: Sequence[TieEvent]) -> tuple[TieMove, ...]:
    first: dict[_Pair, TieEvent] = {}
    last: dict[_Pair, TieEvent] = {}
    for event in events:
        pair = tie_pair(event.a, event.b)
        first.setdefault(pair, event)
        last[pair] = event
    moves = [
        TieMove(a, snapshot.name(a), b, snapshot.name(b), first[(a, b)].old_rung,
                last[(a, b)].new_rung, last[(a, b)].at)
        for (a, b) in first
        if first[(a, b)].old_rung != last[(a, b)].new_rung
    ]
    return tuple(sorted(moves, key=lambda m: (m.at, m.a_name.casefold(), m.b_name.casefold())))


def _rolled_back(snapshot: Snapshot, events: Sequence[TieEvent], start: int) -> dict[_Pair, int]:
    """The tie rungs as they were just before ``events[start]`` (undo every later event)."""
    state = {pair: int(props.get("rung", 0)) for pair, props in snapshot.tie_props.items()}
    for event in reversed(events[start:]):
        state[tie_pair(event.a, event.b)] = event.old_rung
    return state


def _adjacent(state: dict[_Pair, int], actors: set[str]) -> dict[str, dict[str, int]]:
    adjacency: dict[str, dict[str, int]] = defaultdict(dict)
    for (a, b), rung in state.items():
        if rung and (a in actors or b in actors):
            adjacency[a][b] = rung
            adjacency[b][a] = rung
    return adjacency


def _found_partners(snapshot: Snapshot, moves: Sequence[TieMove], before: dict[_Pair, int],
                    after: dict[_Pair, int], members: frozenset[str] | None,
                    min_rung: int) -> tuple[FoundPartner, ...]:
    touched = {x for m in moves for x in (m.a, m.b)
               if x in snapshot.nodes and snapshot.nodes[x].label == "Organisation"
               and (members is None or x in members)}
    old, new = _adjacent(before, touched), _adjacent(after, touched)

    def strong(adj: dict[str, dict[str, int]], org: str) -> dict[str, int]:
        return {o: r for o, r in adj.get(org, {}).items()
                if r >= min_rung and (members is None or o in members)}

    found = []
    for org in sorted(touched, key=lambda o: (snapshot.name(o).casefold(), o)):
        if strong(old, org) or not strong(new, org):
            continue
        partners = tuple(Partner(o, snapshot.name(o), snapshot.nodes[o].label if o in snapshot.nodes
                                 else "", r) for o, r in sorted(strong(new, org).items()))
        found.append(FoundPartner(org, snapshot.name(org), partners))
    return tuple(found)


def session_diff(snapshot: Snapshot, session_id: str, min_rung: int = 2) -> SessionDiff:
    """What moved at a session: its tie moves and the islands that found a partner.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    session_id : str
        The id of a ``Session`` node.
    min_rung : int
        The lowest rung that lifts an organisation off its island (1–5, default 2).

    Returns
    -------
    SessionDiff
        ``new_ties``, ``climbs``, ``drops``, ``removed`` and ``found_partner``.

    Raises
    ------
    NotFound
        When there is no session with this id.
    InvalidInput
        When ``min_rung`` is not 1–5.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("s1", "Session", {"name": "Wijkavond", "date": "2024-03-01"}))
    ...     for i in ("a", "b"):
    ...         _ = tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
    ...     _ = tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 2, "session": "s1"}))
    >>> diff = session_diff(Snapshot.from_store(store), "s1")
    >>> [m.kind for m in diff.moves], [f.id for f in diff.found_partner]
    (['new'], ['a', 'b'])
    """
    min_rung = check_rung(min_rung)
    node = snapshot.nodes.get(session_id)
    if node is None or node.label != "Session":
        raise NotFound(f"There is no session with id {session_id!r}.")
    area = _session_area(snapshot, session_id)
    events = snapshot.tie_events
    mine = [i for i, e in enumerate(events) if e.session == session_id]
    moves = _moves(snapshot, [events[i] for i in mine])
    found: tuple[FoundPartner, ...] = ()
    if mine:
        before = _rolled_back(snapshot, events, mine[0])
        after = _rolled_back(snapshot, events, mine[-1] + 1)
        found = _found_partners(snapshot, moves, before, after, members_of(snapshot, area), min_rung)
    return SessionDiff(session_id, node.name, str(node.props.get("date", "")), area, moves, found)
