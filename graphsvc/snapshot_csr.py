"""Compact adjacency for the read snapshot: one relationship type as CSR arrays (issue 20).

A city-size snapshot held every relationship as an ``Edge`` tuple in a list per node in a dict
per type: about 180 bytes per relationship before its properties. Here a type is

* ``offsets`` (int32, one per interned id plus one) and ``targets`` (int32 indexes of the other
  ends), rows in id order and each row in the store's order (by the other end, then the key);
* ``props`` (int32, or None when every edge of the type has the same properties) indexing a
  ``table`` of the distinct read-only property dicts (:class:`~graphsvc.snapshot_build.FrozenProps`),
  so the shared ``{"weight": 2}`` is one object and one 4-byte number per edge;
* ids interned once per snapshot (:class:`Ids`, sorted, so index order is id order).

:class:`Adjacency` is a read-only ``Mapping[str, list[Edge]]`` over those arrays: what
:meth:`Snapshot.out` and :meth:`Snapshot.by_start` answered before, the lists made on demand.
:meth:`Snapshot.apply <graphsvc.snapshot.Snapshot.apply>` changes a copy through an overlay of
changed rows (a dict of lists, keyed by id), which :meth:`Adjacency.copy` folds back into fresh
arrays when it grows past a twentieth of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from graphsvc.snapshot_props import distinct_values, intern_column
from graphsvc.snapshot_strings import StrArray, StrIndex, str_array_or_list

__all__ = ["Edge", "edge_order", "Ids", "Adjacency", "ColumnTable", "build_adjacency", "adjacency_from_arrays",
           "intern_sets"]

IntArray = npt.NDArray[np.int32]
_MISSING: Any = object()
_COMPACT_FLOOR = 1024  # overlay rows tolerated before a copy compacts, at least


class Edge(tuple[str, Mapping[str, Any]]):
    """``(other_id, props)`` as :meth:`Snapshot.out <graphsvc.snapshot.Snapshot.out>` gives them."""

    __slots__ = ()

    @property
    def other(self) -> str:
        return self[0]

    @property
    def props(self) -> Mapping[str, Any]:
        return self[1]


def edge_order(edge: Edge) -> tuple[str, str]:
    """The order of an adjacency list: by the other end, then by key (the store's order)."""
    return edge[0], edge[1].get("key", "") if edge[1] else ""


class Ids(Mapping[str, str]):
    """The ids of a snapshot interned to integers: ``names[i]`` and ``index[name]``.

    ``names`` is a :class:`~graphsvc.snapshot_strings.StrArray` (one UTF-8 buffer) and ``index``
    a :class:`~graphsvc.snapshot_strings.StrIndex` (a hash table in an array), so forked workers
    share them however much they read. ``names`` are sorted, so index order is id order.
    """

    __slots__ = ("names", "index")

    def __init__(self, names: Sequence[str], index: StrIndex | None = None) -> None:
        self.names = names if isinstance(names, StrArray) else StrArray(names)
        self.index = index if index is not None else StrIndex(self.names)

    def __getitem__(self, name: str) -> str:
        return self.names[self.index[name]]

    def get(self, name: str, default: Any = None) -> Any:
        i = self.index.get(name)
        return default if i is None else self.names[i]

    def __contains__(self, name: object) -> bool:
        return name in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class Adjacency(Mapping[str, list[Edge]]):
    """One relationship type's edges by node, in CSR arrays plus an overlay of changed rows.

    Read-only for everyone but :mod:`graphsvc.snapshot_apply`, which changes only copies
    (:meth:`copy`) it owns. A lookup makes a new list of :class:`Edge` each time.
    """

    __slots__ = ("ids", "offsets", "targets", "props", "table", "overlay", "_rows", "_keys")

    def __init__(self, ids: Ids, offsets: IntArray, targets: IntArray, props: IntArray | None,
                 table: Sequence[Mapping[str, Any]], overlay: dict[str, list[Edge]] | None = None) -> None:
        self.ids = ids
        self.offsets = offsets
        self.targets = targets
        self.props = props
        self.table = table
        self.overlay: dict[str, list[Edge]] = overlay if overlay is not None else {}
        self._rows = len(offsets) - 1
        self._keys: int | None = None  # how many rows of the arrays have edges (counted once)

    # -- reading -------------------------------------------------------------------------------
    def _base(self, i: int) -> list[Edge]:
        a, b = self.offsets[i:i + 2].tolist()
        if a == b:
            return []
        others = self.ids.names.take(self.targets[a:b].tolist())
        if self.props is None:
            p = self.table[0]
            return [Edge((t, p)) for t in others]
        table = self.table
        return [Edge((t, table[p])) for t, p in zip(others, self.props[a:b].tolist(), strict=True)]

    def _base_index(self, node_id: str) -> int | None:
        i = self.ids.index.get(node_id)
        return i if i is not None and i < self._rows else None

    def get(self, node_id: str, default: Any = None) -> Any:
        if self.overlay:
            edges = self.overlay.get(node_id)
            if edges is not None:
                return edges if edges else default
        i = self._base_index(node_id)
        if i is None:
            return default
        return self._base(i) or default

    def __getitem__(self, node_id: str) -> list[Edge]:
        if self.overlay and node_id in self.overlay:  # (an emptied row only while apply works)
            return self.overlay[node_id]
        edges = self.get(node_id, _MISSING)
        if edges is _MISSING:
            raise KeyError(node_id)
        return edges

    def __contains__(self, node_id: object) -> bool:
        if not isinstance(node_id, str):
            return False
        if self.overlay and node_id in self.overlay:
            return bool(self.overlay[node_id])
        i = self._base_index(node_id)
        return i is not None and bool(self.offsets[i] != self.offsets[i + 1])

    def targets_of(self, node_id: str) -> list[str]:
        """The other ends of the node's edges (what ``[e[0] for e in adj.get(id, [])]`` gives)."""
        if self.overlay:
            edges = self.overlay.get(node_id)
            if edges is not None:
                return [e[0] for e in edges]
        i = self._base_index(node_id)
        if i is None:
            return []
        a, b = self.offsets[i:i + 2].tolist()
        return self.ids.names.take(self.targets[a:b].tolist())

    def _base_keys(self) -> npt.NDArray[np.intp]:
        return np.flatnonzero(np.diff(self.offsets))

    def __iter__(self) -> Iterator[str]:
        overlay = self.overlay
        for name in self.ids.names.take(self._base_keys().tolist()):
            if not overlay or name not in overlay:
                yield name
        for name, edges in list(overlay.items()):
            if edges:
                yield name

    def __bool__(self) -> bool:  # (Mapping's would count every row)
        return len(self.targets) > 0 or any(self.overlay.values()) if self.overlay else len(self.targets) > 0

    def __len__(self) -> int:
        if self._keys is None:
            self._keys = len(self._base_keys())
        count = self._keys
        for name, edges in self.overlay.items():
            i = self._base_index(name)
            had = i is not None and self.offsets[i] != self.offsets[i + 1]
            count += bool(edges) - bool(had)
        return count

    def __repr__(self) -> str:
        return f"Adjacency({len(self)} nodes, {len(self.targets)} edges in arrays, {len(self.overlay)} changed)"

    @property
    def edge_count(self) -> int:
        return len(self.targets) + sum(len(e) - len(self._base(i)) if (i := self._base_index(n)) is not None
                                       else len(e) for n, e in self.overlay.items())

    # -- changing (copies only, by graphsvc.snapshot_apply) -------------------------------------
    def __setitem__(self, node_id: str, edges: list[Edge]) -> None:
        self.overlay[node_id] = edges

    def __delitem__(self, node_id: str) -> None:
        self.overlay[node_id] = []

    def copy(self) -> Adjacency:
        """A copy that shares the arrays; compacted into new arrays when the overlay grew large."""
        if len(self.overlay) > max(_COMPACT_FLOOR, self._rows // 20):
            compact = self.compacted()
            if compact is not None:
                return compact
        return Adjacency(self.ids, self.offsets, self.targets, self.props, self.table, dict(self.overlay))

    def compacted(self) -> Adjacency | None:
        """The same edges in fresh arrays without an overlay; None when the overlay names ids
        the arrays cannot hold (nodes made after the snapshot was read)."""
        index = self.ids.index
        if any(n not in index or any(e[0] not in index for e in edges) for n, edges in self.overlay.items()):
            return None
        starts: list[int] = []
        ends: list[int] = []
        props: list[Mapping[str, Any]] = []
        for name in sorted(self, key=index.__getitem__):
            edges = self[name]
            i = index[name]
            starts += [i] * len(edges)
            ends += [index[e[0]] for e in edges]
            props += [e[1] for e in edges]
        make = self.table._make if isinstance(self.table, ColumnTable) else None
        return build_adjacency(self.ids, starts, ends, props, ordered=True, make=make)

    # -- the other direction ----------------------------------------------------------------------
    def transposed(self) -> Adjacency:
        """The incoming edges: for each node, ``(start, props)`` ordered by (start, key), as the
        store reads them."""
        n = self._rows
        starts = np.repeat(np.arange(n, dtype=np.int32), np.diff(self.offsets))
        order = np.argsort(self.targets, kind="stable")
        offsets = _offsets(self.targets, len(self.ids.names))
        props = self.props[order] if self.props is not None else None
        base = Adjacency(self.ids, offsets, starts[order].astype(np.int32), props, self.table)
        if not self.overlay:
            return base
        # rows whose outgoing edges changed: take their old edges out of the incoming lists and
        # put the new ones in
        changed = set(self.overlay)
        touched: dict[str, list[Edge]] = {}
        for start in changed:
            i = self._base_index(start)
            old_targets = self.targets_of_base(i) if i is not None else []
            for end in old_targets:
                if end not in touched:
                    touched[end] = [e for e in base.get(end, []) if e[0] not in changed]
        for start, edges in self.overlay.items():
            for end, props_ in edges:
                if end not in touched:
                    touched[end] = [e for e in base.get(end, []) if e[0] not in changed]
                touched[end].append(Edge((start, props_)))
        for edges in touched.values():
            edges.sort(key=edge_order)
        base.overlay = touched
        return base

    def targets_of_base(self, i: int) -> list[str]:
        a, b = self.offsets[i:i + 2].tolist()
        return self.ids.names.take(self.targets[a:b].tolist())

    def nbytes(self) -> int:
        """Bytes held by the arrays (not the shared property dicts)."""
        table = self.table.nbytes() if isinstance(self.table, ColumnTable) else 0
        return self.offsets.nbytes + self.targets.nbytes + (self.props.nbytes if self.props is not None else 0) + table


class ColumnTable(Sequence[Mapping[str, Any]]):
    """Many distinct property sets (every tie, every grant has its own) kept as columns.

    A row per set: which keys it has (a *shape*, in its own key order) and, per key, the index
    of its value among that key's distinct values, so a date or a source shared by thousands of
    ties is kept once and each tie costs a few bytes per key. ``table[i]`` makes the set's
    read-only dict (:class:`~graphsvc.snapshot_build.FrozenProps`) again, equal to the one read.
    """

    __slots__ = ("keys", "shapes", "shape_of", "matrix", "values", "_make")

    #: property sets a type must have before its table becomes columns
    MIN_ROWS = 2048

    def __init__(self, sets: Iterable[Mapping[str, Any]], make: Any) -> None:
        """``sets`` are read column by column (a generator is made a list first)."""
        self._make = make  # FrozenProps, passed in (snapshot_build imports this module)
        rows = sets if isinstance(sets, list) else list(sets)
        shapes: dict[tuple[str, ...], int] = {}
        shape_of = [shapes.setdefault(tuple(p), len(shapes)) for p in rows]
        keys = {k: j for j, k in enumerate(dict.fromkeys(k for shape in shapes for k in shape))}
        self.matrix = np.zeros((len(rows), len(keys)), dtype=np.int32)
        self.values: list[Sequence[Any]] = []
        for j, key in enumerate(keys):  # per key, the index of each set's value among the distinct ones
            having = [i for i, shape in enumerate(shapes) if key in shape]
            seen: dict[Any, int] = {}
            if len(having) == len(shapes):
                self.matrix[:, j] = intern_column([p[key] for p in rows], seen)
            else:
                has = np.isin(np.array(shape_of, dtype=np.int32), having)
                at = np.flatnonzero(has)
                self.matrix[at, j] = intern_column([rows[i][key] for i in at.tolist()], seen)
            self.values.append(str_array_or_list(distinct_values(seen)))  # many texts: one buffer
        self.keys = list(keys)
        # each shape as (its keys, the columns they are in)
        self.shapes = [(shape, [keys[k] for k in shape]) for shape in shapes]
        self.shape_of = np.array(shape_of, dtype=np.int32)

    def __getitem__(self, i: int) -> Mapping[str, Any]:  # type: ignore[override]
        shape, cols = self.shapes[self.shape_of[i]]
        if not shape:
            return self._make()
        row = self.matrix[i].tolist()
        values = self.values
        return self._make(zip(shape, [values[j][row[j]] for j in cols], strict=True))

    def __len__(self) -> int:
        return len(self.shape_of)

    def nbytes(self) -> int:
        return self.matrix.nbytes + self.shape_of.nbytes


def _offsets(starts: IntArray, rows: int) -> IntArray:
    counts = np.bincount(starts, minlength=rows) if len(starts) else np.zeros(rows, dtype=np.int64)
    offsets = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets.astype(np.int32) if offsets[-1] < 2**31 else offsets  # type: ignore[return-value]


def intern_sets(props: Sequence[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], IntArray | None]:
    """The distinct property objects (by identity, in first-seen order) and each edge's index
    among them (None when there is only one)."""
    if not props:
        return [], None
    first = props[0]
    if all(p is first for p in props):
        return [first], None
    keys = np.fromiter(map(id, props), dtype=np.int64, count=len(props))
    _, first_at, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first_at, kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    table = [props[i] for i in first_at[order].tolist()]
    return table, (rank[inverse.reshape(-1)] if len(table) > 1 else None)


def build_adjacency(ids: Ids, starts: Iterable[int], ends: Iterable[int], props: Sequence[Mapping[str, Any]],
                    *, ordered: bool, by_key: bool = False, make: Any = None) -> Adjacency:
    """One type's arrays from its edges as parallel columns (start index, end index, props).

    ``ordered``: the edges come by start, each start's edges in the order to keep. Otherwise they
    are put in order by start, keeping their order within a start, or (``by_key``) by start,
    end and key, the store's order. ``make`` (``FrozenProps``): keep a type with thousands of
    distinct property sets in columns (:class:`ColumnTable`), made into dicts on reading.
    """
    start_arr = np.fromiter(starts, dtype=np.int32)
    end_arr = np.fromiter(ends, dtype=np.int32)
    table, prop_arr = intern_sets(props)
    return adjacency_from_arrays(ids, start_arr, end_arr, prop_arr, table, ordered=ordered, by_key=by_key,
                                 make=make)[0]


def adjacency_from_arrays(ids: Ids, start_arr: IntArray, end_arr: IntArray, prop_arr: IntArray | None,
                          table: list[Mapping[str, Any]], *, ordered: bool, by_key: bool = False,
                          make: Any = None) -> tuple[Adjacency, npt.NDArray[np.intp] | None]:
    """:func:`build_adjacency` from arrays and the distinct property sets (:func:`intern_sets`);
    also the order the edges were put in (None: as they came)."""
    sets: Sequence[Mapping[str, Any]] = table
    if len(table) >= ColumnTable.MIN_ROWS and make is not None:
        sets = ColumnTable(table, make)
    order = None
    if not ordered and len(start_arr):
        if by_key:
            keys = [str(p.get("key", "")) if p else "" for p in table]
            rank = {k: r for r, k in enumerate(sorted(set(keys)))}
            key_of_table = np.array([rank[k] for k in keys], dtype=np.int32)
            key_arr = key_of_table[prop_arr] if prop_arr is not None else np.zeros(len(start_arr), np.int32)
            order = np.lexsort((key_arr, end_arr, start_arr))
        else:
            order = np.argsort(start_arr, kind="stable")
        start_arr, end_arr = start_arr[order], end_arr[order]
        if prop_arr is not None:
            prop_arr = prop_arr[order]
    if not sets:
        sets = [{}]
    return Adjacency(ids, _offsets(start_arr, len(ids.names)), end_arr, prop_arr, sets), order
