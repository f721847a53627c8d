"""Tie properties and the tie history of the read snapshot in columns (issue 20).

``Snapshot.tie_props`` held a read-only dict per tie (its properties with ``version`` and
``created_at``) and ``Snapshot.tie_events`` a tuple of :class:`~graphsvc.model.TieEvent`
records: together a third of a snapshot once its relationships and nodes were arrays. Here

* :class:`TieProps` is a read-only ``Mapping[(a, b), props]`` over CSR arrays of the pairs
  (ids interned as the relationships' are) and a :class:`~graphsvc.snapshot_csr.ColumnTable`
  of the property sets, plus an overlay of changed pairs (``None`` for a removed tie) that
  :meth:`Snapshot.apply <graphsvc.snapshot.Snapshot.apply>` writes on a copy;
* :class:`TieHistory` is a ``Sequence[TieEvent]`` over columns (ids and texts as indexes into
  lists of distinct strings, rungs and sequence numbers as arrays) plus a tail of events
  appended since, made into ``TieEvent`` records when read.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from graphsvc.model import TieEvent
from graphsvc.snapshot_csr import ColumnTable, Ids
from graphsvc.snapshot_strings import StrArray

__all__ = ["TieProps", "TieSets", "TieHistory"]

Pair = tuple[str, str]
_MISSING: Any = object()
_COMPACT_FLOOR = 1024  # overlay entries tolerated before a copy compacts, at least


class TieProps(Mapping[Pair, Mapping[str, Any]]):
    """Each tie's properties with its ``version`` and ``created_at``, by pair ``(a, b)``, ``a < b``.

    Iterates in pair order (as a full read of the store gives them).
    """

    __slots__ = ("ids", "offsets", "others", "table", "overlay", "_make", "_added")

    def __init__(self, ids: Ids, pairs: Sequence[Pair], sets: Iterable[Mapping[str, Any]],
                 make: Callable[..., Mapping[str, Any]], overlay: dict[Pair, Mapping[str, Any] | None] | None = None
                 ) -> None:
        """``pairs`` in order, ``sets`` their properties (read once, may be a generator);
        ``make`` (``FrozenProps``) makes the dicts."""
        index = ids.index
        starts = np.fromiter((index[a] for a, _ in pairs), dtype=np.int32, count=len(pairs))
        self.ids = ids
        self.others = np.fromiter((index[b] for _, b in pairs), dtype=np.int32, count=len(pairs))
        counts = np.bincount(starts, minlength=len(ids.names)) if len(pairs) else np.zeros(len(ids.names), np.int64)
        self.offsets = np.zeros(len(ids.names) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self.table: Sequence[Mapping[str, Any]] = ColumnTable(sets, make) if len(pairs) >= ColumnTable.MIN_ROWS \
            else list(sets)
        self._make = make
        self.overlay: dict[Pair, Mapping[str, Any] | None] = overlay if overlay is not None else {}
        self._added = 0

    @classmethod
    def from_arrays(cls, ids: Ids, starts: npt.NDArray[np.int32], others: npt.NDArray[np.int32],
                    sets: Sequence[Mapping[str, Any]], make: Callable[..., Mapping[str, Any]]) -> TieProps:
        """Over arrays of the pairs in pair order (``starts`` and ``others`` id indexes) and
        ``sets`` their properties by position (:class:`TieSets`: the TIE relationships' own)."""
        table = object.__new__(cls)
        table.ids, table.others, table.table, table._make = ids, others, sets, make
        counts = np.bincount(starts, minlength=len(ids.names)) if len(starts) else np.zeros(len(ids.names), np.int64)
        table.offsets = np.zeros(len(ids.names) + 1, dtype=np.int64)
        np.cumsum(counts, out=table.offsets[1:])
        table.overlay, table._added = {}, 0
        return table

    def _at(self, pair: Pair) -> int:
        i = self.ids.index.get(pair[0])
        j = self.ids.index.get(pair[1])
        if i is None or j is None or i + 1 >= len(self.offsets):
            return -1
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        at = lo + int(np.searchsorted(self.others[lo:hi], j))
        return at if at < hi and self.others[at] == j else -1

    def __getitem__(self, pair: Pair) -> Mapping[str, Any]:
        found = self.get(pair, _MISSING)
        if found is _MISSING:
            raise KeyError(pair)
        return found

    def get(self, pair: Pair, default: Any = None) -> Any:
        if self.overlay:
            props = self.overlay.get(pair, _MISSING)
            if props is not _MISSING:
                return default if props is None else props
        at = self._at(pair)
        return default if at < 0 else self.table[at]

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and self.get(pair, _MISSING) is not _MISSING

    def _base_pairs(self) -> Iterator[Pair]:
        names = self.ids.names
        starts = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))
        yield from zip(names.take(starts.tolist()), names.take(self.others.tolist()), strict=True)

    def __iter__(self) -> Iterator[Pair]:
        if not self.overlay:
            return self._base_pairs()
        overlay = self.overlay
        if not self._added:
            return (p for p in self._base_pairs() if overlay.get(p, True) is not None)
        return iter(sorted(p for p in {*self._base_pairs(), *overlay} if p in self))

    def items(self) -> Iterator[tuple[Pair, Mapping[str, Any]]]:  # type: ignore[override]
        if self.overlay:
            return ((p, self[p]) for p in self)
        return zip(self._base_pairs(), (self.table[i] for i in range(len(self.others))), strict=True)

    def values(self) -> Iterator[Mapping[str, Any]]:  # type: ignore[override]
        return (v for _, v in self.items())

    def __len__(self) -> int:
        gone = sum(1 for p, v in self.overlay.items() if v is None and self._at(p) >= 0)
        return len(self.others) + self._added - gone

    def __repr__(self) -> str:
        return f"TieProps({len(self)} ties, {len(self.overlay)} changed)"

    # -- changing (copies only, by graphsvc.snapshot_apply) -------------------------------------
    def __setitem__(self, pair: Pair, props: Mapping[str, Any]) -> None:
        if pair not in self.overlay and self._at(pair) < 0:
            self._added += 1
        self.overlay[pair] = props

    def pop(self, pair: Pair, default: Any = None) -> Any:
        found = self.get(pair, _MISSING)
        if found is _MISSING:
            return default
        if self._at(pair) < 0:
            del self.overlay[pair]
            self._added -= 1
        else:
            self.overlay[pair] = None
        return found

    def copy(self) -> TieProps:
        """A copy that shares the arrays; compacted into new ones when the overlay grew large."""
        if len(self.overlay) > max(_COMPACT_FLOOR, len(self.others) // 20) and \
                all(a in self.ids.index and b in self.ids.index for a, b in self.overlay):
            pairs = list(self)
            return TieProps(self.ids, pairs, [self[p] for p in pairs], self._make)
        table = object.__new__(TieProps)
        for slot in TieProps.__slots__:
            setattr(table, slot, getattr(self, slot))
        table.overlay = dict(self.overlay)
        return table


class TieSets(Sequence[Mapping[str, Any]]):
    """Each tie's properties with ``version`` and ``created_at``, read from the TIE relationships'
    own property sets (``base[props[i]]``, ``props`` None: all share ``base[0]``) and two arrays."""

    __slots__ = ("base", "props", "version", "created", "stamps", "_make")

    def __init__(self, base: Sequence[Mapping[str, Any]], props: npt.NDArray[np.int32] | None,
                 version: npt.NDArray[np.int64], created: npt.NDArray[np.int32], stamps: Sequence[str | None],
                 make: Callable[..., Mapping[str, Any]]) -> None:
        self.base, self.props, self.version, self.created, self.stamps = base, props, version, created, stamps
        self._make = make

    def __getitem__(self, i: int) -> Mapping[str, Any]:  # type: ignore[override]
        props = self.base[0 if self.props is None else int(self.props[i])]
        version = self.version[i]
        return self._make(props, version=version if version is None else int(version),
                          created_at=self.stamps[self.created[i]])

    def __len__(self) -> int:
        return len(self.version)


def _column_blocks(rows: Iterable[tuple[Any, ...]], chunk: int) -> Iterator[Sequence[Sequence[Any]]]:
    """Rows as blocks of columns: the store's own (``column_blocks``), or ``chunk`` rows transposed."""
    blocks = getattr(rows, "column_blocks", None)
    if blocks is not None:
        yield from blocks()
        return
    it = iter(rows)
    while block := list(islice(it, chunk)):
        yield list(zip(*block, strict=True))


class TieHistory(Sequence[TieEvent]):
    """The tie history in columns, oldest first, plus a tail of events appended since."""

    __slots__ = ("strings", "columns", "seq", "tail")

    _TEXTS = ("a", "b", "at", "source", "session", "declared_by")

    def __init__(self, events: Iterable[TieEvent] = ()) -> None:
        index: dict[str, int] = {}
        self.strings: list[str] = []
        cols: list[array[int]] = [array("i") for _ in self._TEXTS]
        rungs: list[array[int]] = [array("b"), array("b")]
        seq: array[int] = array("q")
        strings = self.strings
        for event in events:
            for col, text in zip(cols, (event.a, event.b, event.at, event.source, event.session,
                                        event.declared_by), strict=True):
                at = index.get(text)
                if at is None:
                    at = index[text] = len(strings)
                    strings.append(text)
                col.append(at)
            rungs[0].append(event.old_rung)
            rungs[1].append(event.new_rung)
            seq.append(event.seq)
        self.strings = StrArray(strings)  # type: ignore[assignment]  # one buffer: shared by forked workers
        self.columns: list[npt.NDArray[Any]] = [np.frombuffer(c, dtype=np.intc).astype(np.int32) if len(c)
                                                 else np.zeros(0, np.int32) for c in cols]
        self.columns += [np.frombuffer(r, dtype=np.int8).copy() for r in rungs]
        self.seq = np.frombuffer(seq, dtype=np.int64).copy() if len(seq) else np.zeros(0, np.int64)
        self.tail: tuple[TieEvent, ...] = ()

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[Any, ...]], canon: Mapping[str, str], texts: dict[str, str],
                  chunk: int = 4096) -> TieHistory:
        """From the store's rows (``TIE_EVENT_COLUMNS``; or their blocks of columns, when the
        store offers ``column_blocks``), column by column; ids share ``canon``'s strings, the
        other texts those in ``texts`` (added to it)."""
        index: dict[str, int] = {}
        cols: list[array[int]] = [array("i") for _ in range(6)]
        rungs: list[array[int]] = [array("b"), array("b")]
        seq: array[int] = array("q")
        for seqs, a, b, old, new, at, source, session, declared_by in _column_blocks(rows, chunk):
            seq.extend(seqs)
            rungs[0].extend(old)
            rungs[1].extend(new)
            for col, column in zip(cols, (a, b, at, source, session, declared_by), strict=True):
                col.extend([index.setdefault(t, len(index)) for t in column])
        history = cls()
        history.strings = StrArray(list(index))  # type: ignore[assignment]  # one buffer (``canon``, ``texts``: unused)
        history.columns = [np.frombuffer(c, dtype=np.intc).astype(np.int32) if len(c) else np.zeros(0, np.int32)
                           for c in cols]
        history.columns += [np.frombuffer(r, dtype=np.int8).copy() for r in rungs]
        history.seq = np.frombuffer(seq, dtype=np.int64).copy() if len(seq) else np.zeros(0, np.int64)
        return history

    def _event(self, i: int) -> TieEvent:
        s = self.strings
        a, b, at, source, session, declared_by, old, new = (int(c[i]) for c in self.columns)
        return TieEvent(s[a], s[b], old, new, s[at], s[source], s[session], s[declared_by], int(self.seq[i]))

    def __len__(self) -> int:
        return len(self.seq) + len(self.tail)

    @overload
    def __getitem__(self, i: int) -> TieEvent: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[TieEvent, ...]: ...

    def __getitem__(self, i: int | slice) -> TieEvent | tuple[TieEvent, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        n, base = len(self), len(self.seq)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("tie history index out of range")
        return self._event(i) if i < base else self.tail[i - base]

    def __iter__(self) -> Iterator[TieEvent]:
        s = self.strings
        lists = [c.tolist() for c in self.columns]
        for a, b, at, source, session, declared_by, old, new, seq in zip(*lists, self.seq.tolist(), strict=True):
            yield TieEvent(s[a], s[b], old, new, s[at], s[source], s[session], s[declared_by], seq)
        yield from self.tail

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(x == y for x, y in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TieHistory({len(self)} events)"

    def involving(self, ids: Container[str]) -> list[TieEvent]:
        """The events of ties with an end among ``ids``, oldest first (only those are made)."""
        hit = np.fromiter((s in ids for s in self.strings), dtype=bool, count=len(self.strings))
        rows: list[int] = np.flatnonzero(hit[self.columns[0]] | hit[self.columns[1]]).tolist() if len(self.seq) else []
        return [*map(self._event, rows), *(e for e in self.tail if e.a in ids or e.b in ids)]

    def extended(self, events: Sequence[TieEvent]) -> TieHistory:
        """The history with these events appended (shares the columns; compacts a long tail)."""
        if not events:
            return self
        tail = self.tail + tuple(events)
        if len(tail) > max(_COMPACT_FLOOR, len(self.seq) // 20):
            return TieHistory([*self, *events])
        new = object.__new__(TieHistory)
        new.strings, new.columns, new.seq, new.tail = self.strings, self.columns, self.seq, tail
        return new
