"""The indexes a snapshot keeps, in one table: what each family of keys is computed from, and
whether it outlives a meeting's tie changes.

A snapshot keeps derived structures (indexes for the questions, cached answers) under string
keys: a family name, then the arguments, joined by ``:`` (``islands:<area>:<rung>``). Every
family is declared once in :data:`FAMILIES`; :meth:`graphsvc.snapshot.Snapshot.derived` refuses
a key of an undeclared family. When only ties and a meeting's bookkeeping changed
(:func:`tie_changes`), :meth:`graphsvc.snapshot.Snapshot.apply` asks the carrier of each carried
family for the index of the new snapshot; every other index starts empty and is built again on
first use. A carrier is registered beside the code that builds the index, with
:func:`carries_over`; ``tests/test_snapshot_carry.py`` checks that every carried family has one,
and the property test in ``tests/queries/test_carry_property.py`` that a carried index equals a
fresh build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphsvc.model import SESSION, ChangeEvent

if TYPE_CHECKING:
    from graphsvc.snapshot import Snapshot

__all__ = ["Carrier", "Family", "FAMILIES", "family_of", "carries_over", "carrier_for",
           "carriers", "tie_changes"]

#: ``carrier(value, new, ends)`` gives the index for the snapshot ``new``, or None to build it
#: anew; ``ends`` are the actors at either end of a changed tie.
Carrier = Callable[[Any, "Snapshot", frozenset[str]], Any]


@dataclass(frozen=True)
class Family:
    """A family of derived keys: its name (lower-case words joined by ``-``), what its values
    are computed from, and whether a carrier keeps it over tie-only changes."""

    name: str
    reads: str
    carried: bool = False

    def key(self, *parts: object) -> str:
        """The key for these arguments: ``name:part:part``.

        >>> FAMILIES["islands"].key("WK0363FD", 2)
        'islands:WK0363FD:2'
        """
        return ":".join([self.name, *(str(p) for p in parts)])


_TABLE = (
    # carried over a meeting's tie changes
    Family("islands", "ties of the area's actors (per area and lowest rung)", carried=True),
    Family("area-members", "who is active in an area", carried=True),
    Family("matching-index", "interests, needs, offers, areas and ties of every actor",
           carried=True),
    Family("api-json-cache", "each answer names the actors whose ties it read", carried=True),
    # built again after any change
    Family("area-codes", "area nodes and their codes"),
    Family("brokers", "ties inside an area"),
    Family("clusters", "every tie (Leiden, per seed and resolution)"),
    Family("cluster-tracker", "every tie, for one cluster tracker"),
    Family("cluster-profiles", "clusters, interests, areas and grants"),
    Family("cluster-index", "clusters and their members' relationships"),
    Family("coach-last-tie-events", "the tie events"),
    Family("funders-area-choices", "areas and where grants went"),
    Family("funding-dependency", "grants in a period"),
    Family("grants-area-levels", "grants and the areas of their recipients"),
    Family("map-area-layout", "ties of the area's actors; positions kept across revisions by "
                              "visualisations.map_layout"),
    Family("map-payloads", "everything a map view shows"),
    Family("matching-fund-index", "funds, their grants and interests"),
    Family("signal-records", "signals and their areas"),
    Family("signals-heat", "signals of an area in a period"),
)

#: Every family of derived keys, by name.
FAMILIES: dict[str, Family] = {f.name: f for f in _TABLE}

_CARRIERS: dict[str, Carrier] = {}

#: What recording ties at a meeting writes besides the ties: the session and who attended.
_MEETING_NODE_LABELS = frozenset({SESSION})
_MEETING_REL_TYPES = frozenset({"ATTENDED", "HELD_IN"})


def family_of(key: str) -> Family:
    """The declared family of a derived key; KeyError naming the key when there is none.

    >>> family_of("islands:WK0363FD:2").carried
    True
    """
    try:
        return FAMILIES[key.partition(":")[0]]
    except KeyError:
        raise KeyError(f"derived key {key!r}: its family is not declared in "
                       "graphsvc.snapshot_carry.FAMILIES") from None


def carries_over(name: str) -> Callable[[Carrier], Carrier]:
    """Register the carrier of the carried family ``name`` (a decorator).

    A carrier must give exactly what building the index on the new snapshot would give, or None.
    """
    family = FAMILIES.get(name)
    if family is None or not family.carried:
        raise ValueError(f"{name!r} is not a carried family of graphsvc.snapshot_carry.FAMILIES")

    def register(carrier: Carrier) -> Carrier:
        _CARRIERS[name] = carrier
        return carrier
    return register


def carrier_for(key: str) -> Carrier | None:
    """The carrier of a key's family, None when its index is built again."""
    return _CARRIERS.get(key.partition(":")[0])


def carriers() -> dict[str, Carrier]:
    """The carriers registered so far, by family (for tests)."""
    return dict(_CARRIERS)


def tie_changes(changes: Iterable[ChangeEvent]) -> frozenset[tuple[str, str]] | None:
    """The ties (canonical pairs) these changes touch, when ties and a meeting's bookkeeping
    (its session node, who attended, where it was held) are all they touch; else None.

    Examples
    --------
    >>> tie = ChangeEvent(1, 2, "", "", "", "update", "relationship", "TIE", "a", "b")
    >>> sorted(tie_changes([tie]))
    [('a', 'b')]
    >>> rename = ChangeEvent(2, 3, "", "", "", "update", "node", "Organisation", "a")
    >>> tie_changes([tie, rename]) is None
    True
    """
    pairs = set()
    for change in changes:
        if change.is_node:
            if change.label not in _MEETING_NODE_LABELS:
                return None
        elif change.label == "TIE":
            pairs.add((change.start, change.end))
        elif change.label not in _MEETING_REL_TYPES:
            return None
    return frozenset(pairs)
