"""Building a snapshot's structures in one pass over plain rows: shared properties, interned ids.

A city-size graph has about a million relationships, most of them with one of a handful of
property sets (``{}``, ``{"weight": 2}``). Building :class:`~graphsvc.model.Relationship` records
first and copying their properties for every edge made the snapshot cost seconds and gigabytes,
so the builder reads the store's rows directly:

* one read-only :class:`FrozenProps` per distinct JSON text (and key), shared by every edge
  that has it; texts that are not shared are decoded many per ``json.loads`` call, so their keys
  (``"rung"``, ``"since"``) are one string object each instead of one per relationship;
* every id is the node's own string object, not a copy per row that mentions it;
* the cyclic garbage collector is paused while the millions of new objects are made (none of
  them form cycles; each collection would rescan all of them).

The structures are those :class:`graphsvc.snapshot.Snapshot` keeps; see its docstring.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

import numpy as np

from graphsvc.model import Node, Relationship, TieEvent
from graphsvc.snapshot_csr import Adjacency, Edge, Ids, build_adjacency, edge_order
from graphsvc.snapshot_nodes import NodeTable, NodeTableBuilder
from graphsvc.snapshot_props import EMPTY_PROPS, FrozenProps, paused_gc
from graphsvc.snapshot_ties import TieHistory, TieProps
from graphsvc.store.base import GraphData
from graphsvc.store.rows import GraphRows

__all__ = [
    "Edge", "FrozenProps", "EMPTY_PROPS", "Parts", "build_parts", "parts_from_data", "incoming_index",
    "event_from_row", "paused_gc", "edge_order",
]

T = TypeVar("T")
_CHUNK = 4096
_CACHE_LIMIT = 20_000  # distinct props texts remembered at once (most repeat within a type)
_SHORT = 40  # property values up to this length are shared between relationships


@dataclass
class Parts:
    """Everything a snapshot holds (see :class:`graphsvc.snapshot.Snapshot`).

    ``into`` holds the incoming lists of the relationship types built so far (see
    :func:`incoming_index`); ``out`` always holds every type.
    """

    revision: int
    nodes: NodeTable
    by_label: dict[str, list[str]]
    out: dict[str, Mapping[str, list[Edge]]]
    into: dict[str, Mapping[str, list[Edge]]]
    ties: dict[str, dict[str, int]]
    tie_props: TieProps
    relationship_count: int
    tie_events: TieHistory


def _chunks(rows: Iterable[T], size: int = _CHUNK) -> Iterator[list[T]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _loads_many(texts: list[str]) -> list[Any]:
    """Decode many JSON objects in one call: the decoder then shares their key strings."""
    return json.loads("[" + ",".join(t or "{}" for t in texts) + "]") if texts else []


class _Builder:
    """One pass over the rows; see the module docstring."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.node_rows = NodeTableBuilder()
        self.nodes: NodeTable | None = None
        self.by_label: dict[str, list[str]] = {}
        self.names: list[str] = []  # interned ids: the nodes' own string objects, then others
        self.index: dict[str, int] = {}
        self.canon: Mapping[str, str] = {}  # id -> the node's own string object (after build)
        self.texts: dict[str, str] = {}  # timestamps and other repeated short strings
        # per type, parallel columns in row order: start index, end index, props
        self.cols: dict[str, tuple[array[int], array[int], list[Mapping[str, Any]]]] = {}
        self.out: dict[str, Mapping[str, list[Edge]]] = {}
        self.into: dict[str, Mapping[str, list[Edge]]] = {}
        self.ties: dict[str, dict[str, int]] = {}
        self.tie_props: dict[tuple[str, str], tuple[Mapping[str, Any], int, str | None]] = {}
        self.count = 0
        self._props: dict[tuple[str, str], FrozenProps] = {}
        self._decoded: dict[Any, FrozenProps] = {}  # the same for maps decoded by the store

    # -- nodes ---------------------------------------------------------------------------------
    def add_node_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """``(id, label, props_json, version, created_at, updated_at)`` rows (``props_json`` may
        also be the decoded property map): straight into columns, no ``Node`` per row."""
        add = self.node_rows.add
        for chunk in _chunks(rows):
            decoded = bool(chunk) and type(chunk[0][2]) is not str
            props_list = [r[2] for r in chunk] if decoded else _loads_many([r[2] for r in chunk])
            for row, props in zip(chunk, props_list, strict=True):
                add(row[0], row[1], props, row[3], row[4], row[5])

    def add_node(self, node: Node) -> None:
        self.node_rows.add(node.id, node.label, node.props, node.version, node.created_at, node.updated_at)

    def finish_nodes(self, *, ordered: bool) -> None:
        nodes = self.nodes = self.node_rows.finish(ordered=ordered)
        self.node_rows = NodeTableBuilder()
        self.by_label = {label: [] for label in nodes.labels}
        lists = list(self.by_label.values())
        for node_id, at in zip(nodes.ids, nodes.label_of.tolist(), strict=True):
            lists[at].append(node_id)
        self.names = list(nodes.ids)
        self.index = {name: i for i, name in enumerate(self.names)}

    def _intern(self, node_id: str) -> int:
        """The index of an id that is no node's (a relationship to a missing node)."""
        i = self.index[node_id] = len(self.names)
        self.names.append(node_id)
        return i

    # -- relationships -------------------------------------------------------------------------
    def _chunk_props(self, chunk: list[tuple[Any, ...]]) -> list[FrozenProps]:
        """The shared properties of every row: a row with the text and key of the row before
        gets the same object (no lookup); others come from a cache of distinct texts, and the
        texts it lacks are decoded in one call."""
        get = self._props.get
        found: list[FrozenProps | None] = []
        last_text = last_key = last = None
        for row in chunk:
            text, key = row[4], row[3]
            if text != last_text or key != last_key:
                last_text, last_key, last = text, key, get((text, key))
            found.append(last)
        if None not in found:
            return found  # type: ignore[return-value]
        wanted = list(dict.fromkeys((r[4], r[3]) for r, p in zip(chunk, found, strict=True) if p is None))
        if len(self._props) + len(wanted) > _CACHE_LIMIT:
            self._props.clear()
        cache, same = self._props, self.texts.setdefault
        for (text, key), props in zip(wanted, _loads_many([t for t, _ in wanted]), strict=True):
            for k, v in props.items():
                # properties that are not shared (ties, grants) still repeat their short values
                # ("self-report", "2024-01-01"): one string object each
                if type(v) is str and len(v) <= _SHORT:
                    props[k] = same(v, v)
            if key:
                props["key"] = key
            cache[(text, key)] = FrozenProps(props) if props else EMPTY_PROPS
        return [p if p is not None else cache[(r[4], r[3])] for r, p in zip(chunk, found, strict=True)]

    def add_relationship_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """``(type, start, end, key, props_json, version, created_at)`` rows (version and
        created_at are only read for ties; ``props_json`` may also be the decoded map)."""
        for chunk in _chunks(rows):
            decoded = bool(chunk) and type(chunk[0][4]) is not str
            self._add(chunk, self._decoded_props(chunk) if decoded else self._chunk_props(chunk))

    def _decoded_props(self, chunk: list[tuple[Any, ...]]) -> list[FrozenProps]:
        """Shared properties for rows whose maps are decoded already: one object per distinct
        map of hashable values (and key), short texts shared."""
        cache, same = self._decoded, self.texts.setdefault
        out: list[FrozenProps] = []
        last: Any = None
        last_key = ""
        shared = EMPTY_PROPS
        for row in chunk:
            props, key = row[4], row[3]
            if props is last and key == last_key:  # a run of rows sharing one map: no hashing
                out.append(shared)
                continue
            last, last_key = props, key
            try:
                # with the types: 1, 1.0 and True are equal keys, but not the same value
                ident: Any = (tuple(props.items()), tuple(map(type, props.values())), key)
                found = cache.get(ident)
            except TypeError:  # a list value: not shared
                ident = found = None
            if found is None:
                fresh = {k: same(v, v) if type(v) is str and len(v) <= _SHORT else v
                         for k, v in props.items()}
                if key:
                    fresh["key"] = key
                found = FrozenProps(fresh) if fresh else EMPTY_PROPS
                if ident is not None:
                    if len(cache) >= _CACHE_LIMIT:
                        cache.clear()
                    cache[ident] = found
            out.append(found)
            shared = found
        return out

    def add_relationships(self, rels: Iterable[Relationship]) -> None:
        """Records whose properties are already decoded (a :class:`GraphData`)."""
        def props_of(props: Mapping[str, Any], key: str) -> FrozenProps:
            if key:
                return FrozenProps({**props, "key": key})
            return FrozenProps(props) if props else EMPTY_PROPS

        rows = ((r.type, r.start, r.end, r.key, r.props, r.version, r.created_at) for r in rels)
        for chunk in _chunks(rows):
            self._add(chunk, [props_of(r[4], r[3]) for r in chunk])

    def _add(self, chunk: list[tuple[Any, ...]], props_list: list[FrozenProps]) -> None:
        index, names, intern = self.index, self.names, self._intern
        last_type = last_start = None
        start_i = 0
        add_start = add_end = add_props = None
        for row, props in zip(chunk, props_list, strict=True):
            rel_type, start, end = row[0], row[1], row[2]
            if rel_type != last_type:
                last_type, last_start = rel_type, None
                cols = self.cols.get(rel_type) or self.cols.setdefault(rel_type, (array("i"), array("i"), []))
                add_start, add_end, add_props = cols[0].append, cols[1].append, cols[2].append
            if start != last_start:  # rows of one start come together: look it up once
                last_start = start
                start_i = index.get(start, -1)
                if start_i < 0:
                    start_i = intern(start)
            end_i = index.get(end, -1)
            if end_i < 0:
                end_i = intern(end)
            add_start(start_i)  # type: ignore[misc]
            add_end(end_i)  # type: ignore[misc]
            add_props(props)  # type: ignore[misc]
            if rel_type == "TIE":
                created = row[6]
                self.add_tie(names[start_i], names[end_i], props, row[5],
                             created if created is None else self.texts.setdefault(created, created))
        self.count += len(chunk)

    def finish_relationships(self, *, ordered: bool, by_key: bool, incoming: bool) -> None:
        """The columns as CSR arrays (:mod:`graphsvc.snapshot_csr`), ids interned in id order.

        ``ordered``: rows came by (type, start, end, key); else they are put in the store's
        order (``by_key``) or kept in the order they came within each start (records).
        ``incoming``: also the incoming arrays, in the order the rows came.
        """
        names = self.names
        remap = None
        if any(a >= b for a, b in zip(names, names[1:], strict=False)):
            order = sorted(range(len(names)), key=names.__getitem__)
            remap = np.empty(len(names), dtype=np.int32)
            remap[order] = np.arange(len(names), dtype=np.int32)
            names = [names[i] for i in order]
        ids = Ids(names)
        for rel_type, (starts_col, ends_col, props) in self.cols.items():
            starts = np.frombuffer(starts_col, dtype=np.intc).astype(np.int32)
            ends = np.frombuffer(ends_col, dtype=np.intc).astype(np.int32)
            if remap is not None:
                starts, ends = remap[starts], remap[ends]
            self.out[rel_type] = build_adjacency(ids, starts, ends, props, ordered=ordered,
                                                 by_key=by_key, make=FrozenProps)
            if incoming:
                self.into[rel_type] = build_adjacency(ids, ends, starts, props, ordered=False, make=FrozenProps)
        self.cols = {}
        self.names, self.index, self.canon = names, ids.index, ids
        if self.nodes is not None and names == self.nodes.ids:
            self.nodes.index = ids.index  # the same ids in the same order: one dict, not two

    def add_tie(self, a: str, b: str, props: Mapping[str, Any], version: int, created_at: str | None) -> None:
        rung = int(props.get("rung", 0))
        ties = self.ties
        (ties.get(a) or ties.setdefault(a, {}))[b] = rung
        (ties.get(b) or ties.setdefault(b, {}))[a] = rung
        # the tie's shared props and its own version and time: its dict is made only as it goes
        # into the columns (a dict per tie kept until then would fragment the heap)
        self.tie_props[(a, b)] = (props, version, created_at)

    def sort_ties(self) -> None:
        """For rows that came in another order: the ties as ordered rows make them (partners
        in id order, ``tie_props`` by pair)."""
        self.tie_props = {pair: self.tie_props[pair] for pair in sorted(self.tie_props)}
        ties: dict[str, dict[str, int]] = {}
        rungs = self.ties
        for a, b in self.tie_props:
            rung = rungs[a][b]
            (ties.get(a) or ties.setdefault(a, {}))[b] = rung
            (ties.get(b) or ties.setdefault(b, {}))[a] = rung
        self.ties = ties

    def parts(self, tie_events: Iterable[TieEvent]) -> Parts:
        """The structures, ties and tie history in columns (after :meth:`finish_relationships`)."""
        assert self.nodes is not None and isinstance(self.canon, Ids), "finish the nodes and relationships first"
        pairs = list(self.tie_props)
        if any(p >= q for p, q in zip(pairs, pairs[1:], strict=False)):
            pairs.sort()
        rows = self.tie_props
        sets = (FrozenProps(props, version=version, created_at=created)
                for props, version, created in map(rows.__getitem__, pairs))
        tie_props = TieProps(self.canon, pairs, sets, FrozenProps)
        self.tie_props = {}
        return Parts(self.revision, self.nodes, self.by_label, self.out, self.into, self.ties,
                     tie_props, self.count, TieHistory(tie_events))


def incoming_index(by_start: Mapping[str, list[Edge]]) -> Mapping[str, list[Edge]]:
    """The incoming lists of one relationship type from its outgoing ones.

    Starts are visited in sorted order and each outgoing list is ordered by (end, key), so every
    incoming list comes out ordered by (start, key): the order the store reads them in.
    """
    if isinstance(by_start, Adjacency):
        return by_start.transposed()
    into: dict[str, list[Edge]] = {}
    get = into.get
    with paused_gc():
        for start in sorted(by_start):
            for end, props in by_start[start]:
                edges = get(end)
                if edges is None:
                    into[end] = [Edge((start, props))]
                else:
                    edges.append(Edge((start, props)))
    return into


def event_from_row(row: tuple[Any, ...], canon: Mapping[str, str], seen: dict[str, str]) -> TieEvent:
    """A TieEvent from a store row, its strings shared with the snapshot's (ids) and each other."""
    seq, a, b, old, new, at, source, session, declared_by = row
    same = seen.setdefault
    return TieEvent(canon.get(a, a), canon.get(b, b), old, new, same(at, at), same(source, source),
                    same(session, session), same(declared_by, declared_by), seq)


def build_parts(rows: GraphRows) -> Parts:
    """The snapshot's structures from a store's rows (see :meth:`GraphStore.read_rows`).

    The incoming adjacency is left for :func:`incoming_index` to build per type on first use:
    most types are only ever followed from their start.
    """
    with paused_gc():
        builder = _Builder(rows.revision)
        builder.add_node_rows(rows.nodes)
        builder.finish_nodes(ordered=rows.ordered)
        builder.add_relationship_rows(rows.relationships)
        builder.finish_relationships(ordered=rows.ordered, by_key=True, incoming=False)
        if not rows.ordered:
            builder.sort_ties()
        return builder.parts(event_from_row(r, builder.canon, builder.texts) for r in rows.tie_events)


def parts_from_data(data: GraphData) -> Parts:
    """The snapshot's structures from records, both adjacencies in the order the records come."""
    with paused_gc():
        builder = _Builder(data.revision)
        for node in data.nodes:
            builder.add_node(node)
        builder.finish_nodes(ordered=True)
        builder.add_relationships(data.relationships)
        builder.finish_relationships(ordered=False, by_key=False, incoming=True)
        return builder.parts(data.tie_events)
