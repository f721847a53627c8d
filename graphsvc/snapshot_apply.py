"""Applying change-log entries to a snapshot's structures, copy-on-write.

A tie change at city size should not re-read a million relationships. :func:`apply_changes`
makes the structures of the next revision from those of the current one: everything a change
does not touch is shared (the node records, the adjacency lists of other nodes and types, the
props), and every container it does touch is copied before it is changed, so the old snapshot
stays exactly as it was for the requests still reading it.

The result equals what a full read of the store at the newer revision gives (the tests check
this against both stores): lists stay in the store's order, properties in sorted key order,
timestamps and versions as the change log records them. Changes that do not fit the snapshot
(a create of something that exists, an update or delete of something missing) raise
:class:`NotApplicable`; the caller then reads the whole graph again.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphsvc.model import ChangeEvent, Node, TieEvent
from graphsvc.snapshot_build import EMPTY_PROPS, Edge, FrozenProps, Parts, edge_order, paused_gc
from graphsvc.snapshot_csr import Adjacency
from graphsvc.snapshot_nodes import NodeTable
from graphsvc.snapshot_tiemap import TieMap
from graphsvc.snapshot_ties import TieHistory, TieProps

Index = dict[str, Any]  # relationship type -> a dict or an Adjacency of edges by node id

__all__ = ["NotApplicable", "apply_changes"]


class NotApplicable(Exception):
    """The changes do not fit the snapshot (it is not the one they were made on)."""


def _sorted_props(props: Mapping[str, Any], key: str = "") -> FrozenProps:
    """Relationship properties as a full read makes them: keys sorted, ``key`` last."""
    items = dict(sorted(props.items()))
    if key:
        items["key"] = key
    return FrozenProps(items) if items else EMPTY_PROPS


def _merged(current: Mapping[str, Any], change: ChangeEvent) -> dict[str, Any]:
    """``current`` with the change's diff applied (a key only in ``old`` was removed)."""
    removed = change.old.keys() - change.new.keys()
    merged = {k: v for k, v in current.items() if k not in removed}
    merged.update(change.new)
    return dict(sorted(merged.items()))


def _stamp(change: ChangeEvent, name: str) -> str:
    # the change log keeps a record's own timestamps when they differ from the change time
    # (an import of a dump); older logs have none, and then it is the change time
    return str(getattr(change, name, "") or change.at)


def _copy_index(by_node: dict[str, list[Edge]] | Adjacency) -> dict[str, list[Edge]] | Adjacency:
    return by_node.copy()


class _Writer:
    """The next revision's structures: shared with the old ones until first written."""

    def __init__(self, old: Parts) -> None:
        self.old = old
        self.nodes = old.nodes
        self.by_label = dict(old.by_label)
        self.out = dict(old.out)
        self.into = dict(old.into)
        self.ties = old.ties
        self.tie_props = old.tie_props
        self.count = old.relationship_count
        self._copied: set[int] = set()  # ids of the containers this writer made (and owns)
        self._keep: list[Any] = []  # ... kept alive, so no id is reused while it is in the set

    def _own(self, container: Any, copy: Any) -> Any:
        if id(container) in self._copied:
            return container
        return self._mine(copy(container))

    def _mine(self, container: Any) -> Any:
        self._copied.add(id(container))
        self._keep.append(container)
        return container

    # -- nodes ---------------------------------------------------------------------------------
    def _nodes(self) -> NodeTable:
        # a copy shares the columns; changed nodes go into its overlay
        self.nodes = self._own(self.nodes, NodeTable.copy)
        return self.nodes

    def _label_ids(self, label: str) -> list[str]:
        ids = self.by_label[label] = self._own(self.by_label.get(label, []), list)
        return ids

    def canon(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node.id if node is not None else node_id

    def node(self, change: ChangeEvent) -> None:
        node_id, current = change.start, self.nodes.get(change.start)
        if change.op == "create":
            if current is not None:
                raise NotApplicable(f"node {node_id!r} exists already")
            node = Node(node_id, change.label, dict(sorted(change.new.items())), change.version,
                        _stamp(change, "created_at"), _stamp(change, "updated_at"))
            self._nodes()[node_id] = node  # (a NodeTable is in id order, as the store reads it)
            insort(self._label_ids(change.label), node_id)
            return
        if current is None or current.label != change.label:
            raise NotApplicable(f"no {change.label} {node_id!r} to {change.op}")
        if change.op == "update":
            self._nodes()[node_id] = Node(current.id, current.label, _merged(current.props, change),
                                          change.version, current.created_at, _stamp(change, "updated_at"))
        elif change.op == "delete":
            # the log deletes a node's relationships first; the built indexes show what is left
            if node_id in self.ties or any(node_id in by_node for index in (self.out, self.into)
                                           for by_node in index.values()):
                raise NotApplicable(f"node {node_id!r} still has relationships")
            del self._nodes()[node_id]
            ids = self._label_ids(current.label)
            del ids[bisect_left(ids, node_id)]
            if not ids:
                del self.by_label[current.label]
        else:
            raise NotApplicable(f"unknown operation {change.op!r}")

    # -- relationships -------------------------------------------------------------------------
    def _edges(self, index: Index, rel_type: str, node_id: str) -> list[Edge]:
        # an Adjacency copies its overlay of changed rows and shares its arrays
        by_node = index[rel_type] = self._own(index.get(rel_type, {}), _copy_index)
        edges = by_node[node_id] = self._own(by_node.get(node_id, []), list)
        return edges

    def _drop_if_empty(self, index: Index, rel_type: str, node_id: str) -> None:
        by_node = index[rel_type]
        if not by_node[node_id]:
            del by_node[node_id]
            if not by_node:
                del index[rel_type]

    def _replace(self, index: Index, rel_type: str, node_id: str,
                 other: str, key: str, props: FrozenProps | None) -> Mapping[str, Any] | None:
        """Put, change (props) or remove (None) the edge to ``other`` with ``key``; the old props."""
        edges = self._edges(index, rel_type, node_id)
        at = bisect_left(edges, (other, key), key=edge_order)
        found = at < len(edges) and edge_order(edges[at]) == (other, key)
        before = edges[at][1] if found else None
        if props is None:
            if found:
                del edges[at]
            self._drop_if_empty(index, rel_type, node_id)
        elif found:
            edges[at] = Edge((other, props))
        else:
            edges.insert(at, Edge((other, props)))
        return before

    def relationship(self, change: ChangeEvent) -> None:
        rel_type, key = change.label, change.key
        start, end = self.canon(change.start), self.canon(change.end)
        edges = self.out.get(rel_type, {}).get(start, [])
        at = bisect_left(edges, (end, key), key=edge_order)
        current = edges[at][1] if at < len(edges) and edge_order(edges[at]) == (end, key) else None
        if change.op == "create":
            if current is not None:
                raise NotApplicable(f"{rel_type} {start!r}->{end!r} exists already")
            if start not in self.nodes or end not in self.nodes:
                raise NotApplicable(f"{rel_type} {start!r}->{end!r} has a missing end")
            props: FrozenProps | None = _sorted_props(change.new, key)
            self.count += 1
        elif current is None:
            raise NotApplicable(f"no {rel_type} {start!r}->{end!r} to {change.op}")
        elif change.op == "update":
            props = _sorted_props(_merged({k: v for k, v in current.items() if k != "key"}, change), key)
        elif change.op == "delete":
            props = None
            self.count -= 1
        else:
            raise NotApplicable(f"unknown operation {change.op!r}")
        self._replace(self.out, rel_type, start, end, key, props)
        if rel_type in self.into:  # incoming lists not built yet are built from the new state
            self._replace(self.into, rel_type, end, start, key, props)
        if rel_type == "TIE":
            self._tie(start, end, change, props)

    def _tie(self, a: str, b: str, change: ChangeEvent, props: FrozenProps | None) -> None:
        # a copy shares the arrays; the two actors' new partner rows go into its overlay
        self.ties = self._own(self.ties, TieMap.copy)
        self.tie_props = self._own(self.tie_props, TieProps.copy)
        for one, other in ((a, b), (b, a)):
            partners = dict(self.ties.get(one, {}))  # (a row may be shared with the old snapshot)
            if props is None:
                partners.pop(other, None)
            else:
                partners[other] = int(props.get("rung", 0))
            if partners:  # partners in id order, as a full read has them
                self.ties[one] = dict(sorted(partners.items()))
            elif one in self.ties:
                del self.ties[one]
        if props is None:
            self.tie_props.pop((a, b), None)
            return
        before = self.tie_props.get((a, b))
        created = before["created_at"] if before is not None else _stamp(change, "created_at")
        self.tie_props[(a, b)] = FrozenProps({**props, "version": change.version, "created_at": created})

    def parts(self, revision: int, tie_events: TieHistory) -> Parts:
        return Parts(revision, self.nodes, self.by_label, self.out, self.into, self.ties,
                     self.tie_props, self.count, tie_events)


def _new_events(old: TieHistory, new: Iterable[TieEvent], nodes: Mapping[str, Node]) -> TieHistory:
    last = old[-1].seq if old else 0
    added = []
    for event in new:
        if event.seq <= last:
            continue  # already in the snapshot
        a, b = nodes.get(event.a), nodes.get(event.b)
        added.append(TieEvent(a.id if a else event.a, b.id if b else event.b, event.old_rung,
                              event.new_rung, event.at, event.source, event.session, event.declared_by,
                              event.seq))
        last = event.seq
    return old.extended(added)


def apply_changes(old: Parts, changes: Sequence[ChangeEvent], tie_events: Iterable[TieEvent] = (),
                  *, revision: int | None = None) -> Parts:
    """The structures at the revision of the last change (or ``revision``), sharing what the
    changes leave alone with ``old``, which is not modified.

    ``changes`` are change-log entries oldest first; entries of revisions the snapshot already
    has are skipped. ``tie_events`` are the tie history entries recorded since the snapshot's
    last one (:meth:`GraphStore.tie_events_after`). Raises :class:`NotApplicable` when a change
    does not fit.
    """
    writer = _Writer(old)
    with paused_gc():
        for change in changes:
            if change.revision <= old.revision:
                continue
            if change.kind == "node":
                writer.node(change)
            elif change.kind == "relationship":
                writer.relationship(change)
            else:
                raise NotApplicable(f"unknown kind {change.kind!r}")
        target = revision if revision is not None else max((c.revision for c in changes), default=old.revision)
        return writer.parts(max(target, old.revision), _new_events(old.tie_events, tie_events, writer.nodes))
