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
from typing import overload

import numpy as np
from numpy.typing import NDArray

__all__ = ["ActorIds", "Positions", "CodeRows", "ThemeRows", "PartnerRows", "Interner", "csr"]

Offsets = NDArray[np.int64]


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
        return bytes(self.raw[i]).decode()

    def __iter__(self) -> Iterator[str]:
        return (b.decode() for b in self.raw.tolist())


class Positions(Mapping[str, int]):
    """Actor id → position, by binary search in the ids sorted as UTF-8 bytes (no dict of all ids).

    Examples
    --------
    >>> pos = Positions(ActorIds(["b", "a"]))
    >>> pos["a"], pos.get("c"), "b" in pos, len(pos)
    (1, None, True, 2)
    """

    def __init__(self, ids: ActorIds) -> None:
        self._order = np.argsort(ids.raw, kind="stable").astype(np.int32)
        self._sorted = ids.raw[self._order]

    def __getitem__(self, key: str) -> int:
        if not isinstance(key, str):
            raise KeyError(key)
        raw = key.encode()
        at = int(np.searchsorted(self._sorted, raw))
        if at < len(self._sorted) and self._sorted[at] == raw and not raw.endswith(b"\0"):
            return int(self._order[at])
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return (b.decode() for b in self._sorted.tolist())

    def __len__(self) -> int:
        return len(self._sorted)


@dataclass(frozen=True, eq=False)
class CodeRows(Sequence[frozenset[str]]):
    """Per actor a set of names (offers, needs, communities, areas) as CSR rows of codes."""

    offsets: Offsets
    codes: NDArray[np.int32]
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def codes_of(self, i: int) -> NDArray[np.int32]:
        return self.codes[self.offsets[i]:self.offsets[i + 1]]

    def __getitem__(self, i: int) -> frozenset[str]:  # type: ignore[override]
        names = self.names
        return frozenset(names[c] for c in self.codes_of(i).tolist())


@dataclass(frozen=True, eq=False)
class ThemeRows(Sequence[dict[str, float]]):
    """Per actor its themes (interest → weight), in the order they were found."""

    offsets: Offsets
    codes: NDArray[np.int32]
    weights: NDArray[np.float64]
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> dict[str, float]:  # type: ignore[override]
        start, end = self.offsets[i], self.offsets[i + 1]
        names = self.names
        return dict(zip([names[c] for c in self.codes[start:end].tolist()],
                        self.weights[start:end].tolist(), strict=True))


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
        row = self.changed.get(i)
        if row is not None:
            return row
        return self.targets[self.offsets[i]:self.offsets[i + 1]]

    def with_rows(self, rows: Mapping[int, NDArray[np.int32]]) -> PartnerRows:
        """These rows replaced; the base arrays are kept (shared), only the overlay grows."""
        return PartnerRows(self.offsets, self.targets, {**self.changed, **rows})
