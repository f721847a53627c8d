"""The domain model: node labels, relationship types and the records the stores exchange."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from graphsvc.errors import InvalidInput
from graphsvc.node_props import (
    CONFIDENTIAL_KEYS,
    declared_rel_properties,
    undeclared_keys,
    undeclared_rel_keys,
)
from graphsvc.rel_props import property_problems

__all__ = [
    "ACTOR_LABELS",
    "LABELS",
    "REL_TYPES",
    "Node",
    "Relationship",
    "TieEvent",
    "ChangeEvent",
    "tie_pair",
    "validate_node",
    "validate_relationship",
    "CONFIDENTIAL_FIELDS",
    "PRIVATE_LABELS",
    "SIGNAL",
    "SIGNAL_PROPS",
]

ORGANISATION: Final = "Organisation"
INSTITUTION: Final = "Institution"
FUND: Final = "Fund"
INTEREST: Final = "Interest"
NEIGHBOURHOOD: Final = "Neighbourhood"
COMMUNITY: Final = "Community"
CAPABILITY: Final = "Capability"
AGENDA_ITEM: Final = "AgendaItem"
SESSION: Final = "Session"
# bookkeeping between two organisations: a proposed tie, an introduction (graphsvc/actions/tie_requests.py,
# graphsvc/actions/introductions.py); never on the map, in an export only for admins
TIE_REQUEST: Final = "TieRequest"
INTRODUCTION: Final = "Introduction"
SIGNAL: Final = "Signal"

LABELS: Final = (
    ORGANISATION,
    INSTITUTION,
    FUND,
    INTEREST,
    NEIGHBOURHOOD,
    COMMUNITY,
    CAPABILITY,
    AGENDA_ITEM,
    SESSION,
    TIE_REQUEST,
    INTRODUCTION,
    SIGNAL,
)
PRIVATE_LABELS: Final = frozenset({TIE_REQUEST, INTRODUCTION})
ACTOR_LABELS: Final = frozenset({ORGANISATION, INSTITUTION})
_ACTORS = ACTOR_LABELS

# relationship type -> (allowed start labels, allowed end labels)
REL_TYPES: Final[Mapping[str, tuple[frozenset[str], frozenset[str]]]] = MappingProxyType(
    {
        "ACTIVE_IN": (_ACTORS, frozenset({NEIGHBOURHOOD})),
        "WORKS_ON": (_ACTORS, frozenset({INTEREST})),
        "SERVES": (_ACTORS, frozenset({COMMUNITY})),
        "OFFERS": (_ACTORS, frozenset({CAPABILITY})),
        "NEEDS": (_ACTORS, frozenset({CAPABILITY})),
        "FUNDS": (frozenset({FUND}), frozenset({ORGANISATION})),
        "PRIORITISES": (frozenset({FUND, INSTITUTION}), frozenset({INTEREST})),
        "TIE": (_ACTORS, _ACTORS),
        "ABOUT": (frozenset({AGENDA_ITEM}), frozenset({INTEREST})),
        "FOR": (frozenset({AGENDA_ITEM}), frozenset({NEIGHBOURHOOD})),
        "COMMITS_TO": (_ACTORS, frozenset({AGENDA_ITEM})),
        "PART_OF": (frozenset({NEIGHBOURHOOD, INTEREST}), frozenset({NEIGHBOURHOOD, INTEREST})),
        "ATTENDED": (_ACTORS, frozenset({SESSION})),
        "HELD_IN": (frozenset({SESSION}), frozenset({NEIGHBOURHOOD})),
        # an early signal (graphsvc/actions/signals.py): who saw it, about what, where, among whom
        "SIGNALLED_BY": (frozenset({SIGNAL}), frozenset({ORGANISATION})),
        "SIGNAL_OF": (frozenset({SIGNAL}), frozenset({INTEREST})),
        "SIGNAL_IN": (frozenset({SIGNAL}), frozenset({NEIGHBOURHOOD})),
        "SIGNAL_AMONG": (frozenset({SIGNAL}), frozenset({COMMUNITY})),
    }
)

# Fields only the organisation itself, its coach and admins may see: the keys some label declares
# confidential (graphsvc/node_props.py, where every label's properties are declared).
CONFIDENTIAL_FIELDS: Final = CONFIDENTIAL_KEYS
#: The longest name a node may have, and the longest text a property may hold.
MAX_NAME_CHARS: Final = 200
MAX_TEXT_CHARS: Final = 10_000

# A Signal's declared properties (graphsvc/actions/signals.py checks them on every write): ``name`` (a
# fixed neutral label), ``period`` (month, YYYY-MM), ``people`` (band: 1-4, 5-19, 20-49, 50+),
# ``trend`` (new, growing, stable, shrinking) and ``note`` (confidential: only the organisation,
# its coach and admins). Its theme, areas, community and organisation are relationships.
SIGNAL_PROPS: Final = ("name", "period", "people", "trend", "note")

RUNGS: Final = (1, 2, 3, 4, 5)


# one read-only empty mapping for every record without properties (most relationships): no
# dict and proxy of their own for each of a million relationships
_NO_PROPS: Final[Mapping[str, Any]] = MappingProxyType({})


def _freeze(props: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(props)) if props else _NO_PROPS


@dataclass(frozen=True)
class Node:
    """One node: a stable id, a label from :data:`LABELS` and its properties (``name`` included)."""

    id: str
    label: str
    props: Mapping[str, Any] = field(default_factory=dict)
    version: int = 0
    created_at: str | None = None
    updated_at: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "props", _freeze(self.props))

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            **dict(self.props),
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Relationship:
    """One relationship, identified by ``(type, start, end, key)``.

    ``key`` separates parallel relationships of one type, e.g. two grants from one fund.
    A ``TIE`` is undirected and stored once per pair, with ``start < end``.
    """

    type: str
    start: str
    end: str
    props: Mapping[str, Any] = field(default_factory=dict)
    key: str = ""
    version: int = 0
    created_at: str | None = None
    updated_at: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "props", _freeze(self.props))
        if self.type == "TIE" and self.start > self.end:
            start, end = self.end, self.start
            object.__setattr__(self, "start", start)
            object.__setattr__(self, "end", end)

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.type, self.start, self.end, self.key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "key": self.key,
            **dict(self.props),
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class TieEvent:
    """One change of a tie's rung: ``old_rung`` 0 means it was created, ``new_rung`` 0 removed."""

    a: str
    b: str
    old_rung: int
    new_rung: int
    at: str
    source: str = ""
    session: str = ""
    declared_by: str = ""
    seq: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "old_rung": self.old_rung,
            "new_rung": self.new_rung,
            "at": self.at,
            "source": self.source,
            "session": self.session,
            "declared_by": self.declared_by,
        }


@dataclass(frozen=True)
class ChangeEvent:
    """One committed change to a node or a relationship, as kept in the store's change log.

    ``old`` and ``new`` hold only the properties that changed: a key in ``old`` but not in
    ``new`` was removed, a key in ``new`` but not in ``old`` was added. A ``create`` has every
    property in ``new`` (``old`` empty); a ``delete`` has every property in ``old``.

    For a node, ``label`` is its label and ``start`` its id (``end`` and ``key`` empty). For a
    relationship, ``label`` is its type and ``start``/``end``/``key`` its identity (a TIE in
    canonical order). ``revision`` is the store revision the change's transaction committed as,
    so ``changes_since(r)`` gives what a snapshot at revision ``r`` lacks. ``actor`` is who made
    the change (an account name, ``cli:<user>``, ``import:<file>``), ``source`` the
    transaction's source. ``version`` is the node's or relationship's version after the change
    (0 after a delete). ``created_at`` and ``updated_at`` are the record's timestamps as the
    change set them (a create sets both, an update ``updated_at``; empty when not set): usually
    ``at``, but an import of a dump keeps the dump's.
    """

    seq: int
    revision: int
    at: str
    actor: str
    source: str
    op: str  # "create" | "update" | "delete"
    kind: str  # "node" | "relationship"
    label: str
    start: str
    end: str = ""
    key: str = ""
    old: Mapping[str, Any] = field(default_factory=dict)
    new: Mapping[str, Any] = field(default_factory=dict)
    version: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def is_node(self) -> bool:
        return self.kind == "node"

    @property
    def target(self) -> tuple[str, ...]:
        """What was changed: ``(node_id,)`` or a relationship's ``(type, start, end, key)``."""
        return (self.start,) if self.kind == "node" else (self.label, self.start, self.end, self.key)

    def touches(self, node_id: str) -> bool:
        """True when the change is to this node or to a relationship of it."""
        return node_id in (self.start, self.end)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "revision": self.revision, "at": self.at, "actor": self.actor,
            "source": self.source, "op": self.op, "kind": self.kind, "label": self.label,
            "start": self.start, "end": self.end, "key": self.key,
            "old": dict(self.old), "new": dict(self.new), "version": self.version,
            "created_at": self.created_at, "updated_at": self.updated_at,
        }


def tie_pair(a: str, b: str) -> tuple[str, str]:
    """The canonical (sorted) order of a tie's two ends."""
    return (a, b) if a <= b else (b, a)


def validate_node(node: Node) -> None:
    """Raise InvalidInput when a node does not fit the model."""
    if node.label not in LABELS:
        raise InvalidInput(f"Unknown node label {node.label!r}; expected one of {', '.join(LABELS)}.")
    if not isinstance(node.id, str) or not node.id.strip():
        raise InvalidInput(f"A {node.label} needs a non-empty id.")
    if len(node.id) > 200:
        raise InvalidInput(f"Node id {node.id[:40]!r}… is longer than 200 characters.")
    name = node.props.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"{node.label} {node.id!r} needs a name.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"{node.label} {node.id!r}: the name is longer than {MAX_NAME_CHARS} characters.")
    unknown = undeclared_keys(node.label, node.props)
    if unknown:
        raise InvalidInput(f"{node.label} {node.id!r}: {', '.join(unknown)} is not a declared "
                           f"property of {node.label}.", errors=unknown)
    long = [k for k, v in node.props.items() if isinstance(v, str) and len(v) > MAX_TEXT_CHARS]
    if long:
        raise InvalidInput(f"{node.label} {node.id!r}: {', '.join(sorted(long))} is longer than "
                           f"{MAX_TEXT_CHARS:,} characters.", errors=long)


def check_declared_rel(rel: Relationship) -> None:
    """Raise InvalidInput naming every key a relationship's type does not declare."""
    if rel.props.keys() <= declared_rel_properties(rel.type):  # the common case, one set test
        return
    unknown = undeclared_rel_keys(rel.type, rel.props)
    what = f"{rel.type} {rel.start} → {rel.end}" + (f" ({rel.key})" if rel.key else "")
    raise InvalidInput(f"{what}: {', '.join(unknown)} is not a declared property of {rel.type} "
                       "(graphsvc/node_props.py).", errors=unknown)


def validate_relationship(rel: Relationship, start_label: str, end_label: str) -> None:
    """Raise InvalidInput when a relationship's type, ends, rung, declared or fixed properties do not fit.

    A key its type does not declare (:data:`graphsvc.node_props.REL_PROPS`) is refused, as on nodes.

    The fixed properties are a ``WORKS_ON`` weight and a ``FUNDS`` amount, year and status
    (:func:`graphsvc.rel_props.property_problems`); the message names the relationship and
    every field that is wrong.
    """
    allowed = REL_TYPES.get(rel.type)
    if allowed is None:
        raise InvalidInput(f"Unknown relationship type {rel.type!r}.")
    check_declared_rel(rel)
    starts, ends = allowed
    if rel.type == "TIE":
        if rel.start == rel.end:
            raise InvalidInput(f"A tie needs two different actors, not {rel.start!r} twice.")
        if start_label not in starts or end_label not in ends:
            raise InvalidInput(
                f"A tie joins organisations and institutions, not {start_label} and {end_label}."
            )
        rung = rel.props.get("rung")
        if not isinstance(rung, int) or isinstance(rung, bool) or rung not in RUNGS:
            raise InvalidInput(f"A tie's rung must be a whole number from 1 to 5, not {rung!r}.")
        return
    if start_label not in starts or end_label not in ends:
        raise InvalidInput(
            f"{rel.type} cannot go from {start_label} {rel.start!r} to {end_label} {rel.end!r}."
        )
    problems = property_problems(rel.type, rel.props)
    if problems:
        what = f"{rel.type} {rel.start} → {rel.end}" + (f" ({rel.key})" if rel.key else "")
        lines = [f"{p.field}: {p.en}" for p in problems]
        raise InvalidInput(f"{what}: {' '.join(p.en for p in problems)}", errors=lines)
