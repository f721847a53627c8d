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

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from graphsvc.model import Node, Relationship
from graphsvc.snapshot_csr import (
    Adjacency,
    Edge,
    Ids,
    adjacency_from_arrays,
    edge_order,
    intern_sets,
)
from graphsvc.snapshot_nodes import NodeTable, NodeTableBuilder
from graphsvc.snapshot_props import EMPTY_PROPS, FrozenProps, paused_gc
from graphsvc.snapshot_relprops import SharedProps, loads_many
from graphsvc.snapshot_strings import IdList, StrArray
from graphsvc.snapshot_tiemap import TieMap
from graphsvc.snapshot_ties import TieHistory, TieProps, TieSets
from graphsvc.store.base import GraphData
from graphsvc.store.rows import GraphRows, RelationshipBlocks

__all__ = [
    "Edge", "FrozenProps", "EMPTY_PROPS", "Parts", "build_parts", "parts_from_data", "incoming_index",
    "paused_gc", "edge_order",
]

T = TypeVar("T")
IntArray = npt.NDArray[np.int32]
_CHUNK = 4096


@dataclass
class Parts:
    """Everything a snapshot holds (see :class:`graphsvc.snapshot.Snapshot`).

    ``into`` holds the incoming lists of the relationship types built so far (see
    :func:`incoming_index`); ``out`` always holds every type.
    """

    revision: int
    nodes: NodeTable
    by_label: dict[str, Sequence[str]]
    out: dict[str, Mapping[str, list[Edge]]]
    into: dict[str, Mapping[str, list[Edge]]]
    ties: TieMap
    tie_props: TieProps
    relationship_count: int
    tie_events: TieHistory


def _chunks(rows: Iterable[T], size: int = _CHUNK) -> Iterator[list[T]]:
    fetch = getattr(rows, "fetchmany", None)
    if fetch is not None:  # a DB-API cursor: a chunk in one call
        while chunk := fetch(size):
            yield chunk
        return
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


class _TypeColumns:
    """One relationship type's rows as parallel columns: start and end index, props; for ties
    also the version and the index of the created_at text."""

    __slots__ = ("starts", "ends", "props", "versions", "created")

    def __init__(self) -> None:
        self.starts: array[int] = array("i")
        self.ends: array[int] = array("i")
        self.props: list[FrozenProps] = []
        self.versions: list[Any] = []
        self.created: array[int] = array("i")


class _Builder:
    """One pass over the rows; see the module docstring."""

    def __init__(self, revision: int) -> None:
        self.revision = revision
        self.node_rows = NodeTableBuilder()
        self.nodes: NodeTable | None = None
        self.by_label: dict[str, Sequence[str]] = {}
        self.names: list[str] = []  # interned ids: the nodes' own string objects, then others
        self.index: dict[str, int] = {}
        self.canon: Mapping[str, str] = {}  # id -> the node's own string object (after build)
        self.texts: dict[str, str] = {}  # timestamps and other repeated short strings
        self.cols: dict[str, _TypeColumns] = {}  # per type, in row order
        self.tie_stamps: dict[str | None, int] = {}  # the ties' created_at texts
        self.out: dict[str, Mapping[str, list[Edge]]] = {}
        self.into: dict[str, Mapping[str, list[Edge]]] = {}
        self.ties: TieMap | None = None
        self._node_ids: list[str] = []  # the nodes' ids in id order (a list while building)
        self.tie_props: TieProps | None = None
        self.count = 0
        self.rel_props = SharedProps(self.texts)

    # -- nodes ---------------------------------------------------------------------------------
    def add_node_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """``(id, label, props_json, version, created_at, updated_at)`` rows (``props_json`` may
        also be the decoded property map): straight into columns, a chunk at a time."""
        add = self.node_rows.add_many
        for chunk in _chunks(rows):
            ids, labels, props, versions, created, updated = zip(*chunk, strict=True)
            decoded = type(props[0]) is not str
            add(ids, labels, props if decoded else loads_many(list(props)), versions, created, updated)

    def add_nodes(self, nodes: Iterable[Node]) -> None:
        self.node_rows.add_all(nodes)

    def finish_nodes(self, *, ordered: bool) -> None:
        nodes = self.nodes = self.node_rows.finish(ordered=ordered)
        node_ids = self._node_ids = self.node_rows.ids  # (nodes.ids is a buffer: read the list)
        self.node_rows = NodeTableBuilder()
        label_of = np.frombuffer(nodes.label_of, dtype=np.uint8)  # each label's ids: positions in the buffer
        self.by_label = {label: IdList(nodes.ids, np.flatnonzero(label_of == at), nodes.index)
                         for at, label in enumerate(nodes.labels)}
        self.names = list(node_ids)
        self.index = {name: i for i, name in enumerate(self.names)}

    def _intern(self, node_id: str) -> int:
        """The index of an id that is no node's (a relationship to a missing node)."""
        i = self.index[node_id] = len(self.names)
        self.names.append(node_id)
        return i

    # -- relationships -------------------------------------------------------------------------
    def _chunk_props(self, chunk: list[tuple[Any, ...]]) -> list[FrozenProps]:
        return self.rel_props.of_texts([r[4] for r in chunk], [r[3] for r in chunk])

    def add_relationship_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """``(type, start, end, key, props_json, version, created_at)`` rows (version and
        created_at are only read for ties; ``props_json`` may also be the decoded map)."""
        for chunk in _chunks(rows):
            decoded = bool(chunk) and type(chunk[0][4]) is not str
            self._add(chunk, self.rel_props.of_maps(chunk) if decoded else self._chunk_props(chunk))

    def add_relationship_blocks(self, rows: RelationshipBlocks) -> None:
        """Relationships as columns, a type's rows at a time (:class:`TypeBlock`), their
        properties decoded by :meth:`SharedProps.by_text`."""
        for b in rows.blocks(self.rel_props.by_text):
            if b.starts:
                self._extend(b.type, self._indexes(b.starts), self._indexes(b.ends), self.rel_props.keyed(b.props, b.keys),
                             b.versions or (), b.created or ())
                self.count += len(b.starts)

    def add_relationships(self, rels: Iterable[Relationship]) -> None:
        """Records whose properties are already decoded (a :class:`GraphData`)."""
        def props_of(props: Mapping[str, Any], key: str) -> FrozenProps:
            if key:
                return FrozenProps({**props, "key": key})
            return FrozenProps(props) if props else EMPTY_PROPS

        rows = ((r.type, r.start, r.end, r.key, r.props, r.version, r.created_at) for r in rels)
        for chunk in _chunks(rows):
            self._add(chunk, [props_of(r[4], r[3]) for r in chunk])

    def _indexes(self, ids: Sequence[str]) -> list[int]:
        """The interned index of each id (ids of no node are interned after the nodes')."""
        found: list[int | None] = list(map(self.index.get, ids))
        if None in found:
            index = self.index
            found = [i if i is not None else index[name] if name in index else self._intern(name)
                     for i, name in zip(found, ids, strict=True)]
        return found  # type: ignore[return-value]

    def _add(self, chunk: list[tuple[Any, ...]], props_list: list[FrozenProps]) -> None:
        """A chunk of rows into its types' columns, column by column (no loop per row)."""
        types, starts, ends, _, _, versions, created = zip(*chunk, strict=True)
        start_i, end_i = self._indexes(starts), self._indexes(ends)
        if types.count(types[0]) == len(types):
            self._extend(types[0], start_i, end_i, props_list, versions, created)
        else:
            runs: dict[str, list[int]] = {}
            for k, rel_type in enumerate(types):
                (runs.get(rel_type) or runs.setdefault(rel_type, [])).append(k)
            for rel_type, at in runs.items():
                self._extend(rel_type, [start_i[k] for k in at], [end_i[k] for k in at],
                             [props_list[k] for k in at], [versions[k] for k in at], [created[k] for k in at])
        self.count += len(chunk)

    def _extend(self, rel_type: str, starts: list[int], ends: list[int], props: list[FrozenProps],
                versions: Sequence[Any], created: Sequence[str | None]) -> None:
        cols = self.cols.get(rel_type) or self.cols.setdefault(rel_type, _TypeColumns())
        cols.starts.extend(starts)
        cols.ends.extend(ends)
        cols.props.extend(props)
        if rel_type == "TIE":
            stamps = self.tie_stamps
            cols.versions.extend(versions)
            same = self.texts.setdefault  # the strings the tie history shares
            cols.created.extend([stamps.setdefault(same(c, c) if c else c, len(stamps)) for c in created])

    def finish_relationships(self, *, ordered: bool, by_key: bool, incoming: bool) -> None:
        """The columns as CSR arrays (:mod:`graphsvc.snapshot_csr`), ids interned in id order.

        ``ordered``: rows came by (type, start, end, key); else they are put in the store's
        order (``by_key``) or kept in the order they came within each start (records).
        ``incoming``: also the incoming arrays, in the order the rows came. The ties
        (``ties``, ``tie_props``) are made from the TIE columns.
        """
        names = self.names
        remap = None
        if any(a >= b for a, b in zip(names, names[1:], strict=False)):
            order = sorted(range(len(names)), key=names.__getitem__)
            remap = np.empty(len(names), dtype=np.int32)
            remap[order] = np.arange(len(names), dtype=np.int32)
            names = [names[i] for i in order]
        same = self.nodes is not None and names == self._node_ids  # then one id buffer and table, not two
        ids = Ids(self.nodes.ids, self.nodes.index) if same and self.nodes is not None else Ids(names)
        for rel_type, cols in self.cols.items():
            starts = np.frombuffer(cols.starts, dtype=np.intc).astype(np.int32)
            ends = np.frombuffer(cols.ends, dtype=np.intc).astype(np.int32)
            if remap is not None:
                starts, ends = remap[starts], remap[ends]
            table, prop_arr = intern_sets(cols.props)
            cols.props = []
            in_order = ordered and _in_order(starts, ends)
            self.out[rel_type], _ = adjacency_from_arrays(ids, starts, ends, prop_arr, table, ordered=in_order,
                                                          by_key=by_key, make=FrozenProps)
            if incoming:
                self.into[rel_type], _ = adjacency_from_arrays(ids, ends, starts, prop_arr, table, ordered=False,
                                                               make=FrozenProps)
            if rel_type == "TIE":
                self._ties(ids, starts, ends, prop_arr, table, cols)
        self.cols = {}
        self.names, self.index, self.canon = names, {}, ids
        self._node_ids = []

    def _ties(self, ids: Ids, starts: IntArray, ends: IntArray, prop_arr: IntArray | None,
              table: list[Mapping[str, Any]], cols: _TypeColumns) -> None:
        """``ties`` and ``tie_props`` from the TIE columns: pairs in order (the last row of a
        pair wins), the properties the TIE adjacency's own sets plus version and time."""
        order = np.lexsort((ends, starts))
        starts, ends = starts[order], ends[order]
        last = np.ones(len(order), dtype=bool)
        last[:-1] = (starts[:-1] != starts[1:]) | (ends[:-1] != ends[1:])
        order, starts, ends = order[last], starts[last], ends[last]
        props = prop_arr[order] if prop_arr is not None else None
        try:
            versions: npt.NDArray[Any] = np.array(cols.versions, dtype=np.int64)[order]
        except TypeError:  # a version missing (None)
            versions = np.array(cols.versions, dtype=object)[order]
        created = np.frombuffer(cols.created, dtype=np.intc).astype(np.int32)[order]
        out = self.out["TIE"]
        sets = out.table if isinstance(out, Adjacency) and len(table) > 1 else table
        self.tie_props = TieProps.from_arrays(ids, starts, ends, TieSets(
            sets, props, versions, created, StrArray(list(self.tie_stamps)), FrozenProps), FrozenProps)
        rung_of = np.array([int(p.get("rung", 0)) for p in table], dtype=np.int8)
        rungs = rung_of[props] if props is not None else np.full(len(starts), rung_of[0], dtype=np.int8)
        # both directions, each actor's partners in id order
        one, other = np.concatenate((starts, ends)), np.concatenate((ends, starts))
        by_one = np.lexsort((other, one))
        self.ties = TieMap(ids, one[by_one], other[by_one], np.concatenate((rungs, rungs))[by_one])

    def parts(self, tie_events: TieHistory) -> Parts:
        """The structures, ties and tie history in columns (after :meth:`finish_relationships`)."""
        assert self.nodes is not None and isinstance(self.canon, Ids), "finish the nodes and relationships first"
        tie_props = self.tie_props if self.tie_props is not None else TieProps(self.canon, [], [], FrozenProps)
        none = np.zeros(0, dtype=np.int32)
        ties = self.ties if self.ties is not None else TieMap(self.canon, none, none, none)
        return Parts(self.revision, self.nodes, self.by_label, self.out, self.into, ties,
                     tie_props, self.count, tie_events)


def _in_order(starts: IntArray, ends: IntArray) -> bool:
    """Whether the edges are ordered by (start, end): a check of a promise, cheaper than a sort."""
    if len(starts) < 2:
        return True
    step = starts[1:] - starts[:-1]
    return bool(np.all((step > 0) | ((step == 0) & (ends[1:] >= ends[:-1]))))


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


def build_parts(rows: GraphRows) -> Parts:
    """The snapshot's structures from a store's rows (see :meth:`GraphStore.read_rows`).

    The incoming adjacency is left for :func:`incoming_index` to build per type on first use:
    most types are only ever followed from their start.
    """
    with paused_gc():
        builder = _Builder(rows.revision)
        builder.add_node_rows(rows.nodes)
        builder.finish_nodes(ordered=rows.ordered)
        if isinstance(rows.relationships, RelationshipBlocks):
            builder.add_relationship_blocks(rows.relationships)
        else:
            builder.add_relationship_rows(rows.relationships)
        builder.finish_relationships(ordered=rows.ordered, by_key=True, incoming=False)
        return builder.parts(TieHistory.from_rows(rows.tie_events, builder.canon, builder.texts))


def parts_from_data(data: GraphData) -> Parts:
    """The snapshot's structures from records, both adjacencies in the order the records come."""
    with paused_gc():
        builder = _Builder(data.revision)
        builder.add_nodes(data.nodes)
        builder.finish_nodes(ordered=True)
        builder.add_relationships(data.relationships)
        builder.finish_relationships(ordered=False, by_key=False, incoming=True)
        return builder.parts(TieHistory(data.tie_events))
