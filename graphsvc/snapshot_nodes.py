"""Node records of the read snapshot in columns, made into ``Node`` objects on demand (issue 20).

A city-size snapshot held each node as a :class:`~graphsvc.model.Node` with a read-only proxy over
a dict of its own: about 1.4 kB per node, half of a snapshot after its relationships became
arrays. Here every label keeps its nodes' properties in columns (:class:`PropColumns`): per node
which keys it has (a *shape*, in its own key order) and, per key, the index of its value among that
key's distinct values, so a kind, a legal form or a language list shared by thousands of nodes is
kept once. Lists and maps (``contact_persons``, ``languages``) are kept as compact JSON text and
decoded when read. Ids, labels, versions and timestamps are arrays over the nodes in id order.

:class:`NodeTable` is a read-only ``Mapping[str, Node]``: ``snap.nodes[id]`` makes a ``Node``
equal to the one read, whose ``props`` (:class:`NodeProps`) reads the columns key by key.
:meth:`Snapshot.apply <graphsvc.snapshot.Snapshot.apply>` changes a copy through an overlay of
changed nodes (``None`` for a deleted one), folded into fresh columns when it grows large.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import numpy as np
import numpy.typing as npt

from graphsvc.model import Node
from graphsvc.snapshot_props import compact_json, distinct_values, intern_column
from graphsvc.snapshot_strings import StrArray, StrIndex, str_array_or_list

__all__ = ["NodeProps", "PropColumns", "NodeTable", "NodeTableBuilder"]

_MISSING: Any = object()
_new_node = object.__new__
_COMPACT_FLOOR = 1024  # overlay nodes tolerated before a copy compacts, at least


class _Json(str):
    """A list or map value kept as its JSON text: decoded (a fresh object) on each read."""

    __slots__ = ()


def _decoded(value: Any) -> Any:
    return json.loads(value) if type(value) is _Json else value


class PropColumns:
    """One label's node properties: shapes, a matrix of value indexes, distinct values per key."""

    __slots__ = ("shapes", "shape_of", "matrix", "values")

    def __init__(self, shapes: list[tuple[tuple[str, ...], dict[str, int]]], shape_of: array[int],
                 matrix: npt.NDArray[np.int32], values: list[Sequence[Any]]) -> None:
        self.shapes = shapes  # per shape: its keys in order, and the column of each
        self.shape_of = shape_of
        self.matrix = matrix
        self.values = values

    def nbytes(self) -> int:
        return len(self.shape_of) * self.shape_of.itemsize + self.matrix.nbytes


def _compact(value: Any) -> Any:
    """A list or map as its compact JSON text (a value of another type as it is)."""
    if isinstance(value, (list, dict)):
        try:
            return _Json(compact_json(value))
        except (TypeError, ValueError, RecursionError):  # not JSON (a driver's own type): kept as it is
            return value
    return value


class _LabelBuilder:
    """Collects one label's property maps into :class:`PropColumns`, a chunk of nodes at a time."""

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.seen: list[dict[Any, int]] = []  # per key, its distinct values (intern_column)
        self.cols: list[array[int]] = []
        self.shapes: dict[tuple[str, ...], int] = {}
        self.shape_of: array[int] = array("i")

    def add_many(self, props: list[Mapping[str, Any]]) -> int:
        """Rows for these maps, column by column; the first one's row number."""
        first = len(self.shape_of)
        shapes = self.shapes
        chunk_shapes = [shapes.setdefault(tuple(p), len(shapes)) for p in props]
        self.shape_of.extend(chunk_shapes)
        used = dict.fromkeys(chunk_shapes)
        shape_list = list(shapes)
        for key in dict.fromkeys(k for at in used for k in shape_list[at]):
            j = self.keys.get(key)
            if j is None:
                j = self.keys[key] = len(self.keys)
                self.seen.append({})
                self.cols.append(array("i"))
            having = [i for i, p in enumerate(props) if key in p] \
                if any(key not in shape_list[at] for at in used) else None
            values = [p[key] for p in props] if having is None else [props[i][key] for i in having]
            if any(isinstance(v, (list, dict)) for v in values):
                values = [_compact(v) for v in values]
            found = intern_column(values, self.seen[j])
            col = self.cols[j]
            if len(col) < first:
                col.extend(array("i", [0]) * (first - len(col)))
            if having is None:
                col.extend(found)
            else:
                full = [0] * len(props)
                for i, at in zip(having, found, strict=True):
                    full[i] = at
                col.extend(full)
        return first

    def finish(self) -> PropColumns:
        rows = len(self.shape_of)
        matrix = np.zeros((rows, len(self.cols)), dtype=np.int32)
        for j, col in enumerate(self.cols):
            matrix[:len(col), j] = np.frombuffer(col, dtype=np.intc) if len(col) else 0
        shapes = [(shape, {k: self.keys[k] for k in shape}) for shape in self.shapes]
        # many distinct texts (names, descriptions, contact lists) in one buffer per key
        values = [str_array_or_list(distinct_values(seen), _Json) for seen in self.seen]
        return PropColumns(shapes, self.shape_of, matrix, values)


class NodeProps(Mapping[str, Any]):
    """A node's properties, read from its label's columns (read-only, in the order read)."""

    __slots__ = ("_columns", "_row", "_vals")

    def __init__(self, columns: PropColumns, row: int) -> None:
        self._columns = columns
        self._row = row
        self._vals: list[int] | None = None  # the row of value indexes, read on first use

    @property
    def _shape(self) -> tuple[tuple[str, ...], dict[str, int]]:
        columns = self._columns
        return columns.shapes[columns.shape_of[self._row]]

    def _value(self, j: int) -> Any:
        vals = self._vals
        if vals is None:
            vals = self._vals = self._columns.matrix[self._row].tolist()
        return _decoded(self._columns.values[j][vals[j]])

    def __getitem__(self, key: str) -> Any:
        return self._value(self._shape[1][key])

    def get(self, key: str, default: Any = None) -> Any:
        j = self._shape[1].get(key)
        return default if j is None else self._value(j)

    def __contains__(self, key: object) -> bool:
        return key in self._shape[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._shape[0])

    def __len__(self) -> int:
        return len(self._shape[0])

    def copy(self) -> dict[str, Any]:
        return dict(self.items())

    def __or__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return {**self, **other}

    def __ror__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return {**other, **self}

    def __repr__(self) -> str:
        return f"NodeProps({dict(self.items())!r})"


class NodeTable(Mapping[str, Node]):
    """The snapshot's nodes by id, in id order: columns plus an overlay of changed nodes.

    Read-only for everyone but :mod:`graphsvc.snapshot_apply`, which changes only copies
    (:meth:`copy`) it owns. A lookup makes a new :class:`~graphsvc.model.Node` each time.
    """

    __slots__ = ("ids", "index", "names", "labels", "label_of", "row", "version", "created",
                 "updated", "stamps", "columns", "overlay", "_added")

    def __init__(self, ids: Sequence[str], labels: list[str], label_of: array[int],
                 row: array[int], version: array[int], created: array[int],
                 updated: array[int], stamps: Sequence[str | None], names: Sequence[str],
                 columns: list[PropColumns], overlay: dict[str, Node | None] | None = None,
                 index: StrIndex | None = None) -> None:
        # ids, names and timestamps in buffers, the id index a hash table in an array: pages a
        # forked worker reads without making them its own
        self.ids = ids if isinstance(ids, StrArray) else StrArray(ids)
        self.index = index if index is not None else StrIndex(self.ids)
        self.names = names if isinstance(names, StrArray) else StrArray(names)  # each node's name
        self.labels = labels
        self.label_of = label_of
        self.row = row
        self.version = version
        self.created = created
        self.updated = updated
        self.stamps = stamps if isinstance(stamps, StrArray) else StrArray(stamps)
        self.columns = columns  # per label number
        self.overlay: dict[str, Node | None] = overlay if overlay is not None else {}
        self._added = sum(1 for k in self.overlay if k not in self.index)

    # -- reading -------------------------------------------------------------------------------
    def _node(self, i: int, node_id: str | None = None) -> Node:
        label = self.label_of[i]
        node = _new_node(Node)
        vars(node).update(id=self.ids[i] if node_id is None else node_id, label=self.labels[label],
                          props=NodeProps(self.columns[label], self.row[i]),
                          version=self.version[i], created_at=self.stamps[self.created[i]],
                          updated_at=self.stamps[self.updated[i]])
        return node

    def __getitem__(self, node_id: str) -> Node:
        if self.overlay:
            node = self.overlay.get(node_id, _MISSING)
            if node is not _MISSING:
                if node is None:
                    raise KeyError(node_id)
                return node
        return self._node(self.index[node_id], node_id)

    def get(self, node_id: str, default: Any = None) -> Any:
        if self.overlay:
            node = self.overlay.get(node_id, _MISSING)
            if node is not _MISSING:
                return default if node is None else node
        i = self.index.get(node_id)
        return default if i is None else self._node(i, node_id)

    def __contains__(self, node_id: object) -> bool:
        if self.overlay and node_id in self.overlay:
            return self.overlay[node_id] is not None
        return node_id in self.index

    def name(self, node_id: str) -> str:
        """The node's name (its id when it has none, or when there is no such node)."""
        if self.overlay and node_id in self.overlay:
            node = self.overlay[node_id]
            return node.name if node is not None else node_id
        i = self.index.get(node_id)
        return node_id if i is None else self.names[i]

    def label(self, node_id: str) -> str | None:
        """The node's label; None when there is no such node."""
        if self.overlay and node_id in self.overlay:
            node = self.overlay[node_id]
            return node.label if node is not None else None
        i = self.index.get(node_id)
        return None if i is None else self.labels[self.label_of[i]]

    def prop(self, node_id: str, key: str, default: Any = None) -> Any:
        """``self[node_id].props.get(key, default)`` without making the node (KeyError as there)."""
        if self.overlay and node_id in self.overlay:
            return self[node_id].props.get(key, default)
        i = self.index[node_id]
        columns, row = self.columns[self.label_of[i]], self.row[i]
        j = columns.shapes[columns.shape_of[row]][1].get(key)
        return default if j is None else _decoded(columns.values[j][int(columns.matrix[row, j])])

    def __iter__(self) -> Iterator[str]:
        if not self.overlay:
            return iter(self.ids)
        if not self._added:
            overlay = self.overlay
            return (i for i in self.ids if overlay.get(i, True) is not None)
        return iter(sorted(k for k in {*self.ids, *self.overlay} if k in self))

    def __len__(self) -> int:
        if not self.overlay:
            return len(self.ids)
        gone = sum(1 for k, v in self.overlay.items() if v is None and k in self.index)
        return len(self.ids) + self._added - gone

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return len(self) == len(other) and all(other.get(k, _MISSING) == v for k, v in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"NodeTable({len(self)} nodes, {len(self.overlay)} changed)"

    def nbytes(self) -> int:
        """Bytes held by the arrays (not the distinct values)."""
        arrays = (self.label_of, self.row, self.version, self.created, self.updated)
        return sum(len(a) * a.itemsize for a in arrays) + sum(c.nbytes() for c in self.columns)

    # -- changing (copies only, by graphsvc.snapshot_apply) -------------------------------------
    def __setitem__(self, node_id: str, node: Node) -> None:
        if node_id not in self.index and self.overlay.get(node_id, _MISSING) is _MISSING:
            self._added += 1
        self.overlay[node_id] = node

    def __delitem__(self, node_id: str) -> None:
        if node_id not in self:
            raise KeyError(node_id)
        if node_id not in self.index:  # made after the columns: gone without a trace
            del self.overlay[node_id]
            self._added -= 1
        else:
            self.overlay[node_id] = None

    def copy(self) -> NodeTable:
        """A copy that shares the columns; compacted into new columns when the overlay grew large."""
        if len(self.overlay) > max(_COMPACT_FLOOR, len(self.ids) // 20):
            builder = NodeTableBuilder()
            builder.add_all(self.values())
            return builder.finish(ordered=True)
        table = object.__new__(NodeTable)
        for slot in NodeTable.__slots__:
            setattr(table, slot, getattr(self, slot))
        table.overlay = dict(self.overlay)
        return table


class NodeTableBuilder:
    """Collects nodes (as the store's rows give them) into a :class:`NodeTable`."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.names: list[str] = []
        self.labels: dict[str, int] = {}
        self.builders: list[_LabelBuilder] = []
        self.label_of: array[int] = array("B")
        self.row: array[int] = array("i")
        self.version: array[int] = array("q")
        self.created: array[int] = array("i")
        self.updated: array[int] = array("i")
        self.stamps: dict[str | None, int] = {None: 0}

    def add(self, node_id: str, label: str, props: Mapping[str, Any], version: int,
            created_at: str | None, updated_at: str | None) -> None:
        self.add_many([node_id], [label], [props], [version], [created_at], [updated_at])

    def add_many(self, ids: Sequence[str], labels: Sequence[str], props: Sequence[Mapping[str, Any]],
                 versions: Sequence[int], created: Sequence[str | None], updated: Sequence[str | None]) -> None:
        """Many nodes at once (parallel columns), column by column."""
        if not ids:
            return
        known = self.labels
        label_of = [known.get(label, -1) for label in labels]
        if -1 in label_of:
            for label in labels:
                if label not in known:
                    known[label] = len(known)
                    self.builders.append(_LabelBuilder())
            label_of = [known[label] for label in labels]
        self.ids.extend(ids)
        names = [p.get("name", i) for p, i in zip(props, ids, strict=True)]
        self.names.extend([n if type(n) is str else str(n) for n in names])
        self.label_of.extend(label_of)
        first = len(self.row)
        self.row.extend(array("i", [0]) * len(ids))
        if label_of.count(label_of[0]) == len(label_of):
            start = self.builders[label_of[0]].add_many(list(props))
            self.row[first:] = array("i", range(start, start + len(ids)))
        else:
            rows = np.zeros(len(ids), dtype=np.intc)
            at = np.array(label_of, dtype=np.intc)
            for number in dict.fromkeys(label_of):
                where = np.flatnonzero(at == number)
                start = self.builders[number].add_many([props[i] for i in where.tolist()])
                rows[where] = np.arange(start, start + len(where))
            self.row[first:] = array("i", rows.tobytes())
        self.version.extend(versions)
        stamps = self.stamps
        self.created.extend([stamps.setdefault(c, len(stamps)) for c in created])
        self.updated.extend([stamps.setdefault(u, len(stamps)) for u in updated])

    def add_all(self, nodes: Iterable[Node], chunk: int = 4096) -> None:
        it = iter(nodes)
        while block := list(islice(it, chunk)):
            self.add_many([n.id for n in block], [n.label for n in block], [n.props for n in block],
                          [n.version for n in block], [n.created_at for n in block], [n.updated_at for n in block])

    def finish(self, *, ordered: bool) -> NodeTable:
        """The table; ``ordered``: the nodes came in id order (else they are put in it)."""
        ids, names = self.ids, self.names
        arrays = [self.label_of, self.row, self.version, self.created, self.updated]
        if not ordered and any(a >= b for a, b in zip(ids, ids[1:], strict=False)):
            order = sorted(range(len(ids)), key=ids.__getitem__)
            ids, names = [ids[i] for i in order], [names[i] for i in order]
            arrays = [array(a.typecode, [a[i] for i in order]) for a in arrays]
        label_of, row, version, created, updated = arrays
        self.ids = ids  # (in id order: the snapshot's builder interns them from here)
        return NodeTable(ids, list(self.labels), label_of, row, version, created, updated,
                         list(self.stamps), names, [b.finish() for b in self.builders])
