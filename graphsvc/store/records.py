"""The plain records and helpers under the store contract: the acting actor, the change-log
helpers, relationship idents and a consistent read of a whole store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from graphsvc.model import ChangeEvent, Node, Relationship, TieEvent, tie_pair

if TYPE_CHECKING:
    from graphsvc.store.base import GraphStore

__all__ = [
    "GraphData", "read_consistent", "SCHEMA_VERSION", "acting_as", "current_actor", "prop_changes",
    "Rewrite", "change_from_row", "stamp_or_none", "replayable", "json_key", "RelIdent",
    "relationships_by_ident", "dump_props",
]

SCHEMA_VERSION = 2  # 2: the change log

_ACTOR: ContextVar[str] = ContextVar("graphsvc_actor", default="")

RelIdent = tuple[str, str, str, str]
"""A relationship's ``(type, start, end, key)``."""

Rewrite = Callable[[ChangeEvent], "tuple[Mapping[str, Any], Mapping[str, Any]] | None"]
"""For :meth:`~graphsvc.store.base.Transaction.rewrite_changes`: an entry's new ``(old, new)``, or None to keep it."""


@contextmanager
def acting_as(actor: str) -> Iterator[str]:
    """Attribute the changes of every transaction opened inside to ``actor`` (unless a
    transaction names its own): the web app sets the account per request, the CLI ``cli:<user>``.

    Examples
    --------
    >>> with acting_as("ayse"):
    ...     current_actor("import:orgs.csv")
    'ayse'
    >>> current_actor("import:orgs.csv")
    'import:orgs.csv'
    """
    token = _ACTOR.set(actor)
    try:
        yield actor
    finally:
        _ACTOR.reset(token)


def current_actor(source: str = "") -> str:
    """Who the changes are by: the :func:`acting_as` name, else the transaction's ``source``."""
    return _ACTOR.get() or source


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def dump_props(props: Mapping[str, Any]) -> str:
    """Properties as the canonical JSON text both stores keep and compare: keys sorted, compact.

    Examples
    --------
    >>> dump_props({"b": 1, "a": "é"}), dump_props({})
    ('{"a":"é","b":1}', '{}')
    """
    return _ENCODE(dict(props)) if props else "{}"


def _same(a: Any, b: Any) -> bool:
    # 1 == 1.0 == True in Python but not in the stored JSON: the log follows the JSON
    if type(a) is not type(b) or a != b:
        return False
    return not isinstance(a, dict | list) or _ENCODE(a) == _ENCODE(b)


def prop_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The properties that differ, as a change-log entry holds them: ``(old values, new values)``.

    A key only in the old values was removed, one only in the new values was added.

    Examples
    --------
    >>> prop_changes({"name": "A", "kvk": "1", "year": 2020}, {"name": "B", "year": 2020, "x": 1})
    ({'name': 'A', 'kvk': '1'}, {'name': 'B', 'x': 1})
    """
    before = {k: v for k, v in old.items() if k not in new or not _same(v, new[k])}
    after = {k: v for k, v in new.items() if k not in old or not _same(old[k], v)}
    return before, after


def json_key(name: str) -> str:
    """A property name as it stands as a key in stored JSON text: ``"name":``. A quote inside a
    string value is escaped, so this never matches inside a value."""
    return _ENCODE(name) + ":"


def relationships_by_ident(
    idents: Iterable[RelIdent], fetch: Callable[[list[RelIdent]], Iterable[Relationship]],
) -> dict[RelIdent, Relationship]:
    """What :meth:`~graphsvc.store.base.GraphStore.get_relationships` answers, from ``fetch(keys)``: the stored
    relationships of ``keys``, the distinct idents asked with a TIE's ends in stored order.

    Examples
    --------
    >>> tie = Relationship("TIE", "org-a", "org-b", {"rung": 2})
    >>> found = relationships_by_ident([("TIE", "org-b", "org-a", ""), ("TIE", "org-a", "x", "")],
    ...                                lambda keys: [tie] if tie.ident in keys else [])
    >>> list(found)
    [('TIE', 'org-b', 'org-a', '')]
    """
    stored = {}
    for ident in idents:
        rel_type, start, end, key = ident
        stored[ident] = (rel_type, *tie_pair(start, end), key) if rel_type == "TIE" else ident
    found = {r.ident: r for r in fetch(sorted(set(stored.values())))} if stored else {}
    return {ident: found[key] for ident, key in stored.items() if key in found}


def stamp_or_none(stamp: str, at: str) -> str | None:
    """A change's record timestamp as the stores keep it: None (nothing stored) when it is ``at``."""
    return None if stamp == at else stamp


def change_from_row(row: Any) -> ChangeEvent:
    """A :class:`ChangeEvent` from ``[seq, revision, at, actor, source, op, kind, label, start,
    end, key, old_json, new_json, version, created_at, updated_at]`` (a timestamp None: ``at``)."""
    (seq, revision, at, actor, source, op, kind, label, start, end, key, old_json, new_json,
     version, created_at, updated_at) = row
    return ChangeEvent(seq, revision, at, actor, source, op, kind, label, start, end, key,
                       json.loads(old_json), json.loads(new_json), version,
                       at if created_at is None else created_at,
                       at if updated_at is None else updated_at)


def replayable(revision: int, current: int, events: list[ChangeEvent], limit: int) -> list[ChangeEvent] | None:
    """What ``changes_since(revision)`` answers, given the first ``limit + 1`` entries after it
    (oldest first) and the store's revision read with them: None unless every revision in between
    is in the log."""
    if current < revision or len(events) > limit:
        return None
    events = [e for e in events if e.revision <= current]  # a commit that landed meanwhile
    if {e.revision for e in events} != set(range(revision + 1, current + 1)):
        return None
    return events


class GraphData:
    """Everything in a store at one revision: what a snapshot, a dump or a migration reads."""

    def __init__(
        self,
        revision: int,
        nodes: list[Node],
        relationships: list[Relationship],
        tie_events: list[TieEvent],
    ) -> None:
        self.revision = revision
        self.nodes = nodes
        self.relationships = relationships
        self.tie_events = tie_events


def read_consistent(store: GraphStore, attempts: int = 5) -> GraphData:
    """Read the whole graph at one revision, re-reading when a write slipped in between.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> data = read_consistent(open_store("sqlite:///:memory:"))
    >>> data.revision, len(data.nodes)
    (0, 0)
    """
    own = getattr(store, "read_all", None)
    if own is not None:  # a backend that can read everything inside one read transaction
        return own()
    for _ in range(attempts):
        before = store.revision()
        nodes = list(store.iter_nodes())
        rels = list(store.iter_relationships())
        events = store.tie_history()
        if store.revision() == before:
            return GraphData(before, nodes, rels, events)
    from graphsvc.errors import StoreUnavailable

    raise StoreUnavailable("The graph kept changing while it was being read; try again.")
