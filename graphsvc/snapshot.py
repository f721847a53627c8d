"""The read snapshot: an in-memory graph built from any store, rebuilt only when its revision changes.

Every question in ``queries/`` reads a :class:`Snapshot`, never a store, so the embedded and the
Neo4j deployments give the same answers by construction (docs/design.md §6, principle 2).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import networkx as nx

from graphsvc.errors import NotFound
from graphsvc.model import ACTOR_LABELS, ChangeEvent, Node, Relationship, TieEvent
from graphsvc.snapshot_apply import apply_changes
from graphsvc.snapshot_build import (
    Edge,
    Parts,
    build_parts,
    incoming_index,
    parts_from_data,
)
from graphsvc.snapshot_carry import carrier_for, family_of, tie_changes
from graphsvc.snapshot_csr import Adjacency
from graphsvc.snapshot_nodes import NodeTable
from graphsvc.snapshot_tiemap import TieMap
from graphsvc.snapshot_ties import TieHistory, TieProps
from graphsvc.store.base import GraphData, GraphStore, read_consistent

__all__ = ["Snapshot", "Edge"]

T = TypeVar("T")

def _trim_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing): a build's transient rows and dicts leave tens of megabytes free but held."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


class Snapshot:
    """An immutable in-memory view of the graph at one store revision.

    Read from a store in one pass over its rows (:meth:`from_store`, see
    :mod:`graphsvc.snapshot_build`), from records (``Snapshot(GraphData(...))``), or made from
    an older snapshot and the change log (:meth:`apply`). Adjacency lists are in the store's
    order (by the other end, then the key), ``ties[a]`` in partner id order; relationship
    properties are read-only dicts shared between edges.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> from graphsvc.model import Node
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Buurtvrouwen"}))
    >>> snap = Snapshot.from_store(store)
    >>> snap.node("o1").name, snap.labelled("Organisation")
    ('Buurtvrouwen', ['o1'])
    """

    def __init__(self, data: GraphData) -> None:
        self._take(parts_from_data(data))

    def _take(self, parts: Parts) -> None:
        self.revision = parts.revision
        self.nodes: NodeTable = parts.nodes
        self._by_label = parts.by_label
        self._out = parts.out
        self._in = parts.into
        self.ties: TieMap = parts.ties
        self.tie_props: TieProps = parts.tie_props
        self.relationship_count = parts.relationship_count
        self.tie_events: TieHistory = parts.tie_events
        self._derived: dict[str, Any] = {}
        # re-entrant: a builder may ask for another derived index while it is being built
        self._lock = threading.RLock()

    @classmethod
    def from_parts(cls, parts: Parts) -> Snapshot:
        """A snapshot holding these structures (they become the snapshot's: do not change them)."""
        snap = cls.__new__(cls)
        snap._take(parts)
        return snap

    def parts(self) -> Parts:
        """The structures this snapshot holds (shared, not copied: treat them as read-only)."""
        return Parts(self.revision, self.nodes, self._by_label, self._out, self._in, self.ties,
                     self.tie_props, self.relationship_count, self.tie_events)

    def apply(self, changes: Sequence[ChangeEvent], tie_events: Iterable[TieEvent] = (), *,
              revision: int | None = None) -> Snapshot:
        """The snapshot after these change-log entries, sharing what they leave alone with this
        one (which stays as it is, for whoever still reads it).

        ``changes`` come from :meth:`GraphStore.changes_since` (this snapshot's revision),
        ``tie_events`` from :meth:`GraphStore.tie_events_after` (its last tie event). The result
        is at ``revision`` (default: the last change's) and equals a full read of the store
        there. Derived indexes with a carrier (:func:`carries_over`) that says they survive the
        changes come along; the others are built anew on first use. Raises
        :class:`~graphsvc.snapshot_apply.NotApplicable` when a change does not fit this
        snapshot. See :mod:`graphsvc.snapshot_apply`.

        Examples
        --------
        >>> from graphsvc.model import ChangeEvent
        >>> from graphsvc.store import open_store
        >>> store = open_store("sqlite:///:memory:")
        >>> with store.transaction() as tx:
        ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Buurtvrouwen"}))
        >>> before = Snapshot.from_store(store)
        >>> rename = ChangeEvent(1, 2, "2025-01-01T00:00:00Z", "ayse", "", "update", "node",
        ...                      "Organisation", "o1", old={"name": "Buurtvrouwen"}, new={"name": "Vrouwen"}, version=2)
        >>> after = before.apply([rename])
        >>> after.revision, after.name("o1"), before.name("o1")
        (2, 'Vrouwen', 'Buurtvrouwen')
        """
        if not changes and revision is None:
            return self
        new = Snapshot.from_parts(apply_changes(self.parts(), changes, tie_events, revision=revision))
        new._carry_from(self, changes)
        return new

    def _carry_from(self, old: Snapshot, changes: Sequence[ChangeEvent]) -> None:
        """Take over ``old``'s derived indexes that a registered carrier says survive ``changes``."""
        pairs = tie_changes(changes)
        if pairs is None:
            return
        ends = frozenset(end for pair in pairs for end in pair)
        with old._lock:
            derived = [(k, v, c) for k, v in old._derived.items() if (c := carrier_for(k)) is not None]
        for key, value, carrier in derived:
            carried = carrier(value, self, ends)
            if carried is not None:
                self._derived[key] = carried

    @classmethod
    def from_store(cls, store: GraphStore) -> Snapshot:
        """The store's graph at one revision, read in one read transaction where the backend can."""
        read_rows = getattr(store, "read_rows", None)
        snap = cls(read_consistent(store)) if read_rows is None else cls.from_parts(read_rows(build_parts))
        _trim_heap()
        return snap

    # -- nodes -------------------------------------------------------------------------------
    def node(self, node_id: str, label: str | None = None) -> Node:
        """The node with this id (of this label); raises NotFound with a plain message."""
        node = self.nodes.get(node_id)
        if node is None or (label is not None and node.label != label):
            what = {"Organisation": "organisation", "Neighbourhood": "area"}.get(label or "", "node")
            raise NotFound(f"There is no {what} with id {node_id!r}.")
        return node

    def labelled(self, label: str) -> Sequence[str]:
        """Ids of all nodes with this label, sorted (a read-only sequence: copy it to change it)."""
        return self._by_label.get(label, [])

    def actors(self) -> list[str]:
        """Ids of organisations and institutions, sorted."""
        return sorted(i for lbl in ACTOR_LABELS for i in self.labelled(lbl))

    def name(self, node_id: str) -> str:
        return self.nodes.name(node_id)

    def label(self, node_id: str) -> str:
        """The node's label (what ``nodes[node_id].label`` gives, without making the node);
        raises KeyError when there is no such node, as ``nodes[node_id]`` does."""
        label = self.nodes.label(node_id)
        if label is None:
            raise KeyError(node_id)
        return label

    # -- relationships -----------------------------------------------------------------------
    def out(self, rel_type: str, node_id: str) -> list[Edge]:
        """Relationships of this type starting at the node."""
        by_start = self._out.get(rel_type)
        return by_start.get(node_id, []) if by_start else []

    def into(self, rel_type: str, node_id: str) -> list[Edge]:
        """Relationships of this type ending at the node."""
        by_end = self._in.get(rel_type)
        if by_end is None:
            by_end = self._incoming(rel_type)
        return by_end.get(node_id, [])

    def _incoming(self, rel_type: str) -> Mapping[str, list[Edge]]:
        """The incoming lists of one type, built on first use (most types are never followed
        backwards; a city's worth of them costs a second and a hundred megabytes)."""
        with self._lock:
            by_end = self._in.get(rel_type)
            if by_end is None:
                by_end = self._in[rel_type] = incoming_index(self._out.get(rel_type, {}))
            return by_end

    def by_start(self, rel_type: str) -> Mapping[str, list[Edge]]:
        """Every node with relationships of this type leaving it, and those (read-only): what
        :meth:`out` answers for each node, for indexes that read a whole type at once. The order
        of the nodes is not meaningful."""
        return self._out.get(rel_type, {})

    def by_end(self, rel_type: str) -> Mapping[str, list[Edge]]:
        """Every node with relationships of this type ending at it, and those (read-only): what
        :meth:`into` answers for each node. The order of the nodes is not meaningful."""
        by_end = self._in.get(rel_type)
        return by_end if by_end is not None else self._incoming(rel_type)

    def targets(self, rel_type: str, node_id: str) -> set[str]:
        by_start = self._out.get(rel_type)
        if isinstance(by_start, Adjacency):
            return set(by_start.targets_of(node_id))
        return {e[0] for e in self.out(rel_type, node_id)}

    def sources(self, rel_type: str, node_id: str) -> set[str]:
        by_end = self.by_end(rel_type)
        if isinstance(by_end, Adjacency):
            return set(by_end.targets_of(node_id))
        return {e[0] for e in self.into(rel_type, node_id)}

    def rung(self, a: str, b: str) -> int:
        """The rung of the tie between two actors; 0 when they have none."""
        return self.ties.get(a, {}).get(b, 0)

    def relationships(self, rel_type: str | None = None) -> Iterator[Relationship]:
        """Relationships as records (ties once per pair)."""
        types = [rel_type] if rel_type else sorted(self._out)
        for t in types:
            for start, edges in sorted(self._out.get(t, {}).items()):
                for end, props in edges:
                    clean = {k: v for k, v in props.items() if k != "key"}
                    yield Relationship(t, start, end, clean, str(props.get("key", "")))

    # -- areas -------------------------------------------------------------------------------
    def area(self, code_or_id: str) -> Node:
        """A Neighbourhood by its id or official code; raises NotFound ('no area …')."""
        index = self.derived("area-codes", lambda s: {
            str(s.nodes[i].props.get("code", "")).upper(): i for i in s.labelled("Neighbourhood")
        })
        node_id = code_or_id if code_or_id in self.nodes else index.get(code_or_id.upper(), "")
        if not node_id or self.label(node_id) != "Neighbourhood":
            raise NotFound(f"There is no area with code {code_or_id!r}.")
        return self.nodes[node_id]

    def areas_within(self, area_id: str) -> set[str]:
        """The area and every area PART_OF it, transitively."""
        seen = {area_id}
        todo = [area_id]
        while todo:
            for child, _ in self.into("PART_OF", todo.pop()):
                if child not in seen and self.label(child) == "Neighbourhood":
                    seen.add(child)
                    todo.append(child)
        return seen

    def actors_in(self, area: str | None) -> list[str]:
        """Actors ACTIVE_IN the area (or any sub-area); all actors when ``area`` is None."""
        if area is None:
            return self.actors()
        areas = self.areas_within(self.area(area).id)
        return sorted({a for ar in areas for a, _ in self.into("ACTIVE_IN", ar)})

    def districts_of(self, actor_id: str) -> set[str]:
        """The top-level areas (districts) the actor works in."""
        return {self.top_area(a) for a in self.targets("ACTIVE_IN", actor_id)}

    def top_area(self, area_id: str) -> str:
        seen = set()
        current = area_id
        while current not in seen:
            seen.add(current)
            parents = [p for p, _ in self.out("PART_OF", current)]
            if not parents:
                return current
            current = parents[0]
        return current

    # -- derived indexes -----------------------------------------------------------------------
    def derived(self, key: str, build: Callable[[Snapshot], T]) -> T:
        """A structure computed once per snapshot (indexes for queries), thread-safe; ``key``
        belongs to a family declared in :data:`graphsvc.snapshot_carry.FAMILIES`."""
        try:
            return self._derived[key]
        except KeyError:
            family_of(key)
        with self._lock:
            if key not in self._derived:
                self._derived[key] = build(self)
            return self._derived[key]

    def release(self) -> None:
        """Drop the derived indexes (called when a newer snapshot replaces this one)."""
        with self._lock:
            self._derived.clear()

    def to_networkx(self, labels: Iterable[str] | None = None) -> nx.MultiDiGraph:
        """A networkx copy (for algorithms and exchange formats)."""
        wanted = set(labels) if labels else None
        g = nx.MultiDiGraph()
        for n in self.nodes.values():
            if wanted is None or n.label in wanted:
                g.add_node(n.id, label=n.label, **dict(n.props))
        for r in self.relationships():
            if r.start in g and r.end in g:
                g.add_edge(r.start, r.end, key=f"{r.type}:{r.key}", type=r.type, **dict(r.props))
        return g
