"""Per-actor rows of the matching index held in flat numpy arrays, read as small Python values.

A forked server worker shares its master's memory page by page for as long as it writes to none of
them, and CPython writes an object's reference count every time the object is used. So the
matching index keeps nothing per actor as a Python object: actor ids are one UTF-8 byte array,
themes, offers, needs, communities, areas and strong partners are CSR rows (``offsets`` into one
array of interned integer codes or positions). Reading a row makes a new small dict, frozenset or
array view for the request; the shared pages are only read. The vocabularies (interests,
capabilities, communities, areas: a few thousand names) stay Python strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import overload
from zlib import crc32

import numpy as np
from numpy.typing import NDArray

__all__ = ["ActorIds", "Positions", "CodeRows", "ThemeRows", "PartnerRows", "Interner", "csr"]

Offsets = NDArray[np.int64]
#: Rows kept per row set and process once read (a worker's own, small: made after the fork).
RECENT_ROWS = 256


def csr(rows: Iterable[Iterable[int]], count: int) -> tuple[Offsets, NDArray[np.int32]]:
    """``count`` rows of integers as (offsets, values): row ``i`` is ``values[offsets[i]:offsets[i + 1]]``.

    Examples
    --------
    >>> offsets, values = csr([[3, 1], [], [2]], 3)
    >>> offsets.tolist(), values.tolist()
    ([0, 2, 2, 3], [3, 1, 2])
    """
    offsets = np.zeros(count + 1, dtype=np.int64)
    flat: list[int] = []
    for i, row in enumerate(rows):
        flat.extend(row)
        offsets[i + 1] = len(flat)
    return offsets, np.array(flat, dtype=np.int32)


class Interner:
    """Names to dense integer codes, in order of first sight.

    Examples
    --------
    >>> vocab = Interner()
    >>> [vocab.code(x) for x in ["b", "a", "b"]], vocab.names()
    ([0, 1, 0], ('b', 'a'))
    """

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}

    def code(self, name: str) -> int:
        return self._codes.setdefault(name, len(self._codes))

    def names(self) -> tuple[str, ...]:
        return tuple(self._codes)


class ActorIds(Sequence[str]):
    """The actors' ids in position order, held as one UTF-8 byte array.

    Examples
    --------
    >>> ids = ActorIds(["a", "b"])
    >>> ids[1], list(ids), len(ids)
    ('b', ['a', 'b'], 2)
    """

    def __init__(self, ids: Sequence[str]) -> None:
        self.raw: NDArray[np.bytes_] = np.array([i.encode() for i in ids], dtype=np.bytes_)
        if not len(ids):
            self.raw = np.zeros(0, dtype="S1")

    def __len__(self) -> int:
        return len(self.raw)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [b.decode() for b in self.raw[i].tolist()]
        return self.raw.item(i).decode()

    def __iter__(self) -> Iterator[str]:
        return (b.decode() for b in self.raw.tolist())


class Positions(Mapping[str, int]):
    """Actor id → position through an open-addressing hash table in one ``int32`` array (CRC-32 of
    the UTF-8 id, linear probing), so a lookup reads arrays only: no dict of all ids.

    Examples
    --------
    >>> pos = Positions(ActorIds(["b", "a"]))
    >>> pos["a"], pos.get("c"), "b" in pos, len(pos), sorted(pos)
    (1, None, True, 2, ['a', 'b'])
    """

    def __init__(self, ids: ActorIds) -> None:
        self._ids = ids.raw
        size = 1 << max(3, (2 * len(ids) - 1).bit_length())  # at most half full
        self._mask = size - 1
        table = np.full(size, -1, dtype=np.int32)
        for i, raw in enumerate(ids.raw.tolist()):
            slot = crc32(raw) & self._mask
            while table[slot] >= 0:
                slot = (slot + 1) & self._mask
            table[slot] = i
        self._table = table

    def __getitem__(self, key: str) -> int:
        at = self._probe(key.encode()) if isinstance(key, str) else -1
        if at < 0:
            raise KeyError(key)
        return at

    def _probe(self, raw: bytes) -> int:
        """The position of the UTF-8 id ``raw``, or -1."""
        table, ids, mask = self._table, self._ids, self._mask
        slot = crc32(raw) & mask
        while True:
            at: int = table.item(slot)
            # numpy keeps no trailing NULs: a key that ends in one never matches
            if at < 0 or ids.item(at) == raw:
                return at
            slot = (slot + 1) & mask

    def find(self, keys: Iterable[str]) -> list[int]:
        """The positions of ``keys``, -1 for an id that is not an actor's.

        Examples
        --------
        >>> Positions(ActorIds(["b", "a"])).find(["a", "x", "b"])
        [1, -1, 0]
        """
        probe = self._probe
        return [probe(key.encode()) for key in keys]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._probe(key.encode()) >= 0

    def __iter__(self) -> Iterator[str]:
        return (b.decode() for b in self._ids.tolist())

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True, eq=False)
class CodeRows(Sequence[frozenset[str]]):
    """Per actor a set of names (offers, needs, communities, areas) as CSR rows of codes."""

    offsets: Offsets
    codes: NDArray[np.int32]
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def codes_of(self, i: int) -> NDArray[np.int32]:
        start, end = self.offsets[i:i + 2].tolist()
        return self.codes[start:end]

    def __post_init__(self) -> None:
        # Rows read lately, per process (a match reads its actor's rows once per candidate).
        object.__setattr__(self, "_recent", lru_cache(maxsize=RECENT_ROWS)(self._row))
        # memoryviews read single values and slices faster than numpy does (same buffers)
        object.__setattr__(self, "_at", self.offsets.data)
        object.__setattr__(self, "_codes", self.codes.data)

    def __getitem__(self, i: int) -> frozenset[str]:  # type: ignore[override]
        return self._recent(int(i))  # type: ignore[attr-defined]

    def _row(self, i: int) -> frozenset[str]:
        at: memoryview = self._at  # type: ignore[attr-defined]
        return frozenset(map(self.names.__getitem__, self._codes[at[i]:at[i + 1]]))  # type: ignore[attr-defined]


@dataclass(frozen=True, eq=False)
class ThemeRows(Sequence[dict[str, float]]):
    """Per actor its themes (interest → weight), in the order they were found."""

    offsets: Offsets
    codes: NDArray[np.int32]
    weights: NDArray[np.float64]
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "_recent", lru_cache(maxsize=RECENT_ROWS)(self._row))
        object.__setattr__(self, "_at", self.offsets.data)
        object.__setattr__(self, "_codes", self.codes.data)
        object.__setattr__(self, "_weights", self.weights.data)

    def __getitem__(self, i: int) -> dict[str, float]:  # type: ignore[override]
        return dict(self._recent(int(i)))  # type: ignore[attr-defined]  # a copy: callers own it

    def _row(self, i: int) -> dict[str, float]:
        at: memoryview = self._at  # type: ignore[attr-defined]
        start, end = at[i], at[i + 1]
        return dict(zip(map(self.names.__getitem__, self._codes[start:end]),  # type: ignore[attr-defined]
                        self._weights[start:end], strict=True))  # type: ignore[attr-defined]


@dataclass(frozen=True, eq=False)
class PartnerRows(Sequence[NDArray[np.int32]]):
    """Per actor the sorted positions of its strong partners; ``changed`` rows (after tie changes)
    are read before the shared base, which is never written."""

    offsets: Offsets
    targets: NDArray[np.int32]
    changed: Mapping[int, NDArray[np.int32]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> NDArray[np.int32]:  # type: ignore[override]
        i = int(i)
        row = self.changed.get(i) if self.changed else None
        if row is not None:
            return row
        at: memoryview = self._at  # type: ignore[attr-defined]
        return self.targets[at[i]:at[i + 1]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_at", self.offsets.data)

    def with_rows(self, rows: Mapping[int, NDArray[np.int32]]) -> PartnerRows:
        """These rows replaced; the base arrays are kept (shared), only the overlay grows."""
        return PartnerRows(self.offsets, self.targets, {**self.changed, **rows})
