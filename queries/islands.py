"""Islands: organisations without a tie at or above a rung of the binding ladder (docs/design.md §4).

An **island** is an ``Organisation`` with no tie at rung ``min_rung`` (default 2, *ontmoeten*) or
higher. Institutions are never islands themselves, but a tie *to* an institution counts as a tie:
an organisation that refers people to the health centre is not working alone.

With an ``area`` the question is asked *inside* that area: only organisations active in the area
(or one of its sub-areas) are considered, and only ties to actors also active there count. A tie
to an organisation across the city does not rescue an island in its own neighbourhood, because the
neighbourhood meeting is about working together *here*.

Each :class:`Island` carries its best rung and its weaker ties, so the fully isolated (best rung
0) and those who only know of others (best rung 1) can be told apart. A **near-island** is an
organisation that is *not* an island but hangs on exactly one tie at ``min_rung`` or higher: lose
that tie and it is an island again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_carry import carries_over

__all__ = [
    "Partner",
    "Island",
    "islands",
    "number_of_islands",
    "is_island",
    "near_islands",
    "check_rung",
]


@dataclass(frozen=True)
class Partner:
    """One end of a tie as seen from the other end: who, what kind of actor, at which rung."""

    id: str
    name: str
    label: str
    rung: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "label": self.label, "rung": self.rung}


@dataclass(frozen=True)
class Island:
    """An organisation with no tie at ``min_rung`` or higher (or, as a near-island, exactly one).

    ``partners`` are its ties below ``min_rung``, strongest first; ``anchor`` is the one tie at
    ``min_rung`` or higher of a near-island (``None`` for an island).
    """

    id: str
    name: str
    best_rung: int
    min_rung: int
    partners: tuple[Partner, ...] = ()
    anchor: Partner | None = None

    @property
    def isolated(self) -> bool:
        """True when it has no counted tie at all, not even 'knowing of' someone."""
        return self.best_rung == 0

    @property
    def reason_nl(self) -> str:
        if self.anchor is not None:
            return f"Heeft maar één band op trede {self.min_rung} of hoger: met {self.anchor.name}."
        if self.isolated:
            return "Heeft nog geen enkele band."
        return (f"Geen band op trede {self.min_rung} of hoger; kent {_count_nl(len(self.partners))} "
                f"op een lagere trede.")

    @property
    def reason_en(self) -> str:
        if self.anchor is not None:
            return f"Has only one tie at rung {self.min_rung} or higher: with {self.anchor.name}."
        if self.isolated:
            return "Has no ties yet."
        return (f"No tie at rung {self.min_rung} or higher; knows {_count_en(len(self.partners))} "
                f"at a lower rung.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "best_rung": self.best_rung,
            "min_rung": self.min_rung,
            "isolated": self.isolated,
            "partners": [p.as_dict() for p in self.partners],
            "anchor": self.anchor.as_dict() if self.anchor else None,
            "reason_nl": self.reason_nl,
            "reason_en": self.reason_en,
        }


def _count_nl(n: int) -> str:
    return "1 actor" if n == 1 else f"{n} actoren"


def _count_en(n: int) -> str:
    return "1 actor" if n == 1 else f"{n} actors"


def check_rung(value: object, name: str = "min_rung") -> int:
    """Return ``value`` as a rung 1–5 or raise InvalidInput naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(f"{name} must be a whole number from 1 to 5, not {value!r}.")
    return value


def members_of(snapshot: Snapshot, area: str | None) -> frozenset[str] | None:
    """The actors active in ``area`` (None: everyone counts); raises NotFound for an unknown area."""
    if area is None:
        return None
    area_id = snapshot.area(area).id
    # cached per snapshot: a map page asks is_island once per organisation on it
    return snapshot.derived(f"area-members:{area_id}", lambda s: frozenset(s.actors_in(area_id)))


def counted_partners(snapshot: Snapshot, actor_id: str, members: Collection[str] | None) -> list[Partner]:
    """The actor's ties to ``members`` (all ties when None), strongest first, then by name."""
    partners = [
        Partner(other, snapshot.name(other), snapshot.label(other), rung)
        for other, rung in snapshot.ties.get(actor_id, {}).items()
        if other in snapshot.nodes and (members is None or other in members)
    ]
    return sorted(partners, key=lambda p: (-p.rung, p.name.casefold(), p.id))


def _candidates(snapshot: Snapshot, members: frozenset[str] | None) -> list[str]:
    if members is None:
        return list(snapshot.labelled("Organisation"))
    # an area holds a few hundred actors, a city tens of thousands: walk the area
    return sorted(o for o in members if snapshot.label(o) == "Organisation")


def _classify(snapshot: Snapshot, org: str, members: frozenset[str] | None, min_rung: int) -> Island:
    partners = counted_partners(snapshot, org, members)
    strong = [p for p in partners if p.rung >= min_rung]
    weak = tuple(p for p in partners if p.rung < min_rung)
    best = partners[0].rung if partners else 0
    anchor = strong[0] if len(strong) == 1 else None
    # best_rung of an island is below min_rung; a near-island's is its anchor's rung
    return Island(org, snapshot.name(org), best, min_rung, weak, anchor)


def _sort_key(island: Island) -> tuple[int, str, str]:
    return (island.best_rung, island.name.casefold(), island.id)


def islands(snapshot: Snapshot, area: str | None = None, min_rung: int = 2) -> list[Island]:
    """Organisations with no tie at ``min_rung`` or higher, fully isolated ones first.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    area : str, optional
        A Neighbourhood code or id. When given, only organisations active in the area (or its
        sub-areas) are considered and only ties to actors active there count.
    min_rung : int
        The lowest rung that counts as a real tie (1–5, default 2: *ontmoeten*).

    Returns
    -------
    list of Island
        Sorted by best rung (0 first), then name.

    Raises
    ------
    NotFound
        When the area does not exist.
    InvalidInput
        When ``min_rung`` is not 1–5.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     for i in ("a", "b", "c"):
    ...         _ = tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
    ...     _ = tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 1}))
    >>> [(i.id, i.best_rung) for i in islands(Snapshot.from_store(store))]
    [('c', 0), ('a', 1), ('b', 1)]
    """
    min_rung = check_rung(min_rung)
    area_id = snapshot.area(area).id if area is not None else None
    key = f"islands:{area_id or ''}:{min_rung}"
    return list(snapshot.derived(key, lambda s: _found(s, area_id, min_rung)).islands)


@dataclass(frozen=True)
class _Found:
    """The islands of one area and rung, cached with the snapshot, with the actors they read."""

    members: frozenset[str] | None
    islands: tuple[Island, ...]


def _found(snapshot: Snapshot, area_id: str | None, min_rung: int) -> _Found:
    members = members_of(snapshot, area_id)
    return _Found(members, _islands(snapshot, members, min_rung))


def _islands(snapshot: Snapshot, members: frozenset[str] | None, min_rung: int) -> tuple[Island, ...]:
    found = [_classify(snapshot, o, members, min_rung) for o in _candidates(snapshot, members)]
    return tuple(sorted((i for i in found if i.best_rung < min_rung), key=_sort_key))


@carries_over("islands")
def _carry_islands(found: _Found, new: Snapshot, ends: frozenset[str]) -> _Found | None:
    """An area's islands stay as they were after tie changes between actors outside it."""
    if found.members is None or not found.members.isdisjoint(ends):
        return None
    return found


@carries_over("area-members")
def _carry_members(members: frozenset[str], new: Snapshot, ends: frozenset[str]) -> frozenset[str]:
    """Who is active in an area does not depend on ties."""
    return members


def number_of_islands(snapshot: Snapshot, area: str | None = None, min_rung: int = 2) -> int:
    """How many islands :func:`islands` finds.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> number_of_islands(Snapshot.from_store(open_store("sqlite:///:memory:")))
    0
    """
    return len(islands(snapshot, area, min_rung))


def is_island(snapshot: Snapshot, actor_id: str, area: str | None = None, min_rung: int = 2) -> bool:
    """True when the actor is one of :func:`islands` for this area and rung.

    An institution is never an island, and neither is an organisation that is not active in the
    given area (it is not on that area's map at all).

    Raises
    ------
    NotFound
        When the actor or the area does not exist.

    Examples
    --------
    >>> from graphsvc.model import Node
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("a", "Organisation", {"name": "A"}))
    >>> is_island(Snapshot.from_store(store), "a")
    True
    """
    min_rung = check_rung(min_rung)
    node = snapshot.nodes.get(actor_id)
    if node is None or node.label not in ("Organisation", "Institution"):
        raise NotFound(f"There is no organisation or institution with id {actor_id!r}.")
    members = members_of(snapshot, area)
    if node.label != "Organisation" or (members is not None and actor_id not in members):
        return False
    return _classify(snapshot, actor_id, members, min_rung).best_rung < min_rung


def near_islands(snapshot: Snapshot, area: str | None = None, min_rung: int = 2) -> list[Island]:
    """Organisations that hang on exactly one tie at ``min_rung`` or higher.

    They are not islands, but losing that one tie (``anchor``) would make them one. Parameters,
    area rule and errors are those of :func:`islands`; sorted by the anchor's rung, then name.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     for i in ("a", "b"):
    ...         _ = tx.upsert_node(Node(i, "Organisation", {"name": i.upper()}))
    ...     _ = tx.upsert_relationship(Relationship("TIE", "a", "b", {"rung": 3}))
    >>> [(i.id, i.anchor.id) for i in near_islands(Snapshot.from_store(store))]
    [('a', 'b'), ('b', 'a')]
    """
    min_rung = check_rung(min_rung)
    members = members_of(snapshot, area)
    found = [_classify(snapshot, o, members, min_rung) for o in _candidates(snapshot, members)]
    return sorted((i for i in found if i.anchor is not None), key=_sort_key)
