"""``Snapshot.ties`` (each actor's partners and rungs) as CSR arrays plus an overlay (issue 20).

The ties were a dict of dicts: a hundred thousand small dicts at city size, whose pages a forked
worker made its own as soon as requests read them (CPython writes reference counts) and which
``Snapshot.apply`` copied whole after a tie change. :class:`TieMap` keeps, per interned id, the
positions of its partners in id order and their rungs in two flat arrays; ``ties[a]`` makes a
new ``{partner: rung}`` dict from them. Changed actors go into an overlay on a copy
(:meth:`TieMap.copy`), folded into fresh arrays once it grows past a twentieth of the actors.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from graphsvc.snapshot_csr import Ids

__all__ = ["TieMap"]

_MISSING: Any = object()
_COMPACT_FLOOR = 1024  # overlay actors tolerated before a copy compacts, at least
RECENT_ROWS = 256


class TieMap(Mapping[str, dict[str, int]]):
    """Actor id → ``{partner id: rung}`` (partners in id order) for every actor with a tie.

    Read-only for everyone but :mod:`graphsvc.snapshot_apply`, which changes only copies
    (:meth:`copy`) it owns: ``ties[a] = {...}`` or ``del ties[a]`` (no ties left).

    Examples
    --------
    >>> import numpy as np
    >>> ids = Ids(["a", "b", "c"])
    >>> ties = TieMap(ids, np.array([0, 0, 1, 2]), np.array([1, 2, 0, 0]), np.array([2, 1, 2, 1]))
    >>> ties["a"], ties.get("b"), "c" in ties, sorted(ties), len(ties)
    ({'b': 2, 'c': 1}, {'a': 2}, True, ['a', 'b', 'c'], 3)
    """

    __slots__ = ("ids", "offsets", "partners", "rungs", "overlay", "_at", "_recent")

    def __init__(self, ids: Ids, ones: npt.NDArray[Any], partners: npt.NDArray[Any], rungs: npt.NDArray[Any],
                 overlay: dict[str, dict[str, int] | None] | None = None) -> None:
        """``ones`` (sorted) and ``partners`` id positions, ``rungs`` the ties' rungs, partners in
        id order within each actor."""
        rows = len(ids.names)
        counts = np.bincount(ones, minlength=rows) if len(ones) else np.zeros(rows, dtype=np.int64)
        self.offsets = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self.ids = ids
        self.partners = np.ascontiguousarray(partners, dtype=np.int32)
        self.rungs = np.ascontiguousarray(rungs, dtype=np.int8)
        self.overlay: dict[str, dict[str, int] | None] = overlay if overlay is not None else {}
        self._at = self.offsets.data
        # rows read lately, per process (a match reads its actor's partners once per candidate);
        # shared by copies, which share the arrays. Callers must not change a row they get.
        self._recent = lru_cache(maxsize=RECENT_ROWS)(self._base)

    # -- reading -------------------------------------------------------------------------------
    def _base(self, i: int) -> dict[str, int] | None:
        at = self._at
        lo, hi = at[i], at[i + 1]
        if lo == hi:
            return None
        return dict(zip(self.ids.names.take(self.partners[lo:hi].tolist()), self.rungs[lo:hi].tolist(),
                        strict=True))

    def get(self, actor: str, default: Any = None) -> Any:
        if self.overlay:
            row = self.overlay.get(actor, _MISSING)
            if row is not _MISSING:
                return default if row is None else row
        i = self.ids.index.get(actor)
        if i is None or i >= len(self.offsets) - 1:
            return default
        row = self._recent(i)
        return default if row is None else row

    def __getitem__(self, actor: str) -> dict[str, int]:
        row = self.get(actor, _MISSING)
        if row is _MISSING:
            raise KeyError(actor)
        return row

    def __contains__(self, actor: object) -> bool:
        if not isinstance(actor, str):
            return False
        if self.overlay and actor in self.overlay:
            return self.overlay[actor] is not None
        i = self.ids.index.get(actor)
        return i is not None and i < len(self.offsets) - 1 and self._at[i] != self._at[i + 1]

    def _base_keys(self) -> list[str]:
        return self.ids.names.take(np.flatnonzero(np.diff(self.offsets)).tolist())

    def __iter__(self) -> Iterator[str]:
        if not self.overlay:
            return iter(self._base_keys())
        overlay = self.overlay
        kept = [a for a in self._base_keys() if a not in overlay]
        return iter(sorted([*kept, *(a for a, row in overlay.items() if row is not None)]))

    def __len__(self) -> int:
        count = int(np.count_nonzero(np.diff(self.offsets)))
        for actor, row in self.overlay.items():
            i = self.ids.index.get(actor)
            had = i is not None and i < len(self.offsets) - 1 and self._at[i] != self._at[i + 1]
            count += (row is not None) - had
        return count

    def __repr__(self) -> str:
        return f"TieMap({len(self)} actors, {len(self.partners)} ends in arrays, {len(self.overlay)} changed)"

    def nbytes(self) -> int:
        return self.offsets.nbytes + self.partners.nbytes + self.rungs.nbytes

    # -- changing (copies only, by graphsvc.snapshot_apply) -------------------------------------
    def __setitem__(self, actor: str, partners: dict[str, int]) -> None:
        self.overlay[actor] = partners if partners else None

    def __delitem__(self, actor: str) -> None:
        self.overlay[actor] = None

    def copy(self) -> TieMap:
        """A copy that shares the arrays; compacted into new arrays when the overlay grew large."""
        if len(self.overlay) > max(_COMPACT_FLOOR, (len(self.offsets) - 1) // 20):
            compact = self.compacted()
            if compact is not None:
                return compact
        table = object.__new__(TieMap)
        for slot in TieMap.__slots__:
            setattr(table, slot, getattr(self, slot))
        table.overlay = dict(self.overlay)
        return table

    def compacted(self) -> TieMap | None:
        """The same ties in fresh arrays; None when the overlay names ids the arrays cannot hold."""
        index = self.ids.index
        if any(a not in index or (row and any(b not in index for b in row)) for a, row in self.overlay.items()):
            return None
        ones: list[int] = []
        partners: list[int] = []
        rungs: list[int] = []
        for actor, row in self.items():
            ones += [index[actor]] * len(row)
            partners += [index[b] for b in row]
            rungs += row.values()
        return TieMap(self.ids, np.array(ones, dtype=np.int64), np.array(partners, dtype=np.int32),
                      np.array(rungs, dtype=np.int8))
