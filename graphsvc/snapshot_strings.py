"""Strings of the read snapshot in flat buffers, and an id → position table in arrays (issue 20).

A forked server worker shares its master's memory page by page for as long as it writes to none
of them, and CPython writes an object's reference count every time the object is used: a list of
a hundred thousand ids or names, or a dict from id to position, becomes the worker's own page by
page as requests read it. Here strings live in one UTF-8 ``bytes`` buffer with ``int64`` offsets
(:class:`StrArray`, decoded on each read) and an id's position is found through an
open-addressing hash table in one ``int32`` array (:class:`StrIndex`: CRC-32 of the UTF-8 text,
linear probing), so reading touches no shared object but the few containers themselves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, overload
from zlib import crc32

import numpy as np
import numpy.typing as npt

__all__ = ["StrArray", "JsonArray", "StrIndex", "IdList", "str_array_or_list"]

#: distinct values a column must have before they are kept in a buffer (fewer stay a list)
MIN_BUFFERED = 64
#: lookups remembered per id table and process (a worker's own, small: made after the fork)
RECENT = 1024


class StrArray(Sequence[Any]):
    """Strings (and ``None``) in one UTF-8 buffer plus offsets; ``arr[i]`` decodes a new ``str``.

    Examples
    --------
    >>> names = StrArray(["Buurtvrouwen", None, "Ayşe"])
    >>> names[0], names[1], names[-1], len(names), list(names)
    ('Buurtvrouwen', None, 'Ayşe', 3, ['Buurtvrouwen', None, 'Ayşe'])
    """

    __slots__ = ("buf", "offsets", "nulls", "_at", "_plain")

    def __init__(self, texts: Iterable[str | None]) -> None:
        texts = texts if isinstance(texts, list) else list(texts)
        nulls = [i for i, t in enumerate(texts) if t is None]
        encoded = [t.encode("utf-8", "surrogatepass") if t is not None else b"" for t in texts]
        self.buf = b"".join(encoded)
        self.offsets: npt.NDArray[np.int64] = np.zeros(len(encoded) + 1, dtype=np.int64)
        if encoded:
            np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=self.offsets[1:])
        self.nulls: frozenset[int] | None = frozenset(nulls) if nulls else None
        self._at = self.offsets.data  # reads one value faster than numpy does (same buffer)
        self._plain = type(self) is StrArray  # a read is a slice and a decode

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def _text(self, i: int) -> str | None:
        if self.nulls is not None and i in self.nulls:
            return None
        at = self._at
        return self.buf[at[i]:at[i + 1]].decode("utf-8", "surrogatepass")

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if self._plain and type(i) is int and i >= 0:  # the hot path (the memoryview checks the end)
            if self.nulls is not None and i in self.nulls:
                return None
            at = self._at
            return self.buf[at[i]:at[i + 1]].decode("utf-8", "surrogatepass")
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("string index out of range")
        return self._text(i)

    def take(self, positions: Iterable[int]) -> list[Any]:
        """The strings at these positions (no bounds check beyond the buffer's), in one pass.

        >>> StrArray(["a", "b", "c"]).take([2, 0])
        ['c', 'a']
        """
        if not self._plain or self.nulls is not None:
            return [self._text(i) for i in positions]
        at, buf = self._at, self.buf
        return [buf[at[i]:at[i + 1]].decode("utf-8", "surrogatepass") for i in positions]

    def __iter__(self) -> Iterator[Any]:
        if self._plain and self.nulls is None:
            at, buf = self.offsets.tolist(), self.buf
            for a, b in zip(at, at[1:], strict=False):
                yield buf[a:b].decode("utf-8", "surrogatepass")
            return
        for i in range(len(self)):
            yield self._text(i)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} strings, {len(self.buf)} bytes)"

    def nbytes(self) -> int:
        return len(self.buf) + self.offsets.nbytes


class JsonArray(StrArray):
    """JSON texts in a buffer: ``arr[i]`` decodes the value (a fresh list or dict each read).

    Examples
    --------
    >>> JsonArray(['{"a":[1,2]}', "[]"])[0]
    {'a': [1, 2]}
    """

    __slots__ = ()

    def _text(self, i: int) -> Any:
        text = super()._text(i)
        return None if text is None else json.loads(text)


def str_array_or_list(values: list[Any], json_type: type | None = None) -> Sequence[Any]:
    """``values`` in a :class:`StrArray` when they are many and all ``str`` (or ``None``), in a
    :class:`JsonArray` when all are ``json_type`` (JSON text kept as a ``str`` subclass), else
    the list as it is.

    Examples
    --------
    >>> type(str_array_or_list([f"n{i}" for i in range(100)])).__name__, str_array_or_list(["a", 1])
    ('StrArray', ['a', 1])
    """
    if len(values) < MIN_BUFFERED:
        return values
    types = {type(v) for v in values} - {type(None)}
    if types == {str}:
        return StrArray(values)
    if json_type is not None and types == {json_type}:
        return JsonArray(values)
    return values


class StrIndex(Mapping[str, int]):
    """Text → position in a :class:`StrArray` of distinct texts, through a hash table in arrays.

    Examples
    --------
    >>> index = StrIndex(StrArray(["b", "a"]))
    >>> index["a"], index.get("c"), "b" in index, len(index), list(index)
    (1, None, True, 2, ['b', 'a'])
    """

    __slots__ = ("texts", "table", "_mask", "_slots", "_recent")

    def __init__(self, texts: StrArray) -> None:
        self.texts = texts
        size = 1 << max(3, (2 * len(texts) - 1).bit_length())  # at most half full
        self._mask = mask = size - 1
        table = np.full(size, -1, dtype=np.int32)
        buf, offsets = texts.buf, texts.offsets.tolist()
        hashes = np.fromiter((crc32(buf[a:b]) & mask for a, b in zip(offsets, offsets[1:], strict=False)),
                             dtype=np.int64, count=len(texts))
        _fill(table, hashes, mask)
        self.table = table
        self._slots = table.data
        # texts looked up lately, per process (a request asks for the same few ids many times)
        self._recent = lru_cache(maxsize=RECENT)(self._find)

    def _find(self, key: str) -> int:
        return self._probe(key.encode("utf-8", "surrogatepass"))

    def _probe(self, raw: bytes) -> int:
        """The position of the UTF-8 text ``raw``, or -1."""
        slots, mask, at_of, buf = self._slots, self._mask, self.texts._at, self.texts.buf
        size = len(raw)
        slot = crc32(raw) & mask
        while True:
            at = slots[slot]
            if at < 0:
                return -1
            start = at_of[at]
            if at_of[at + 1] - start == size and buf.startswith(raw, start):
                return at
            slot = (slot + 1) & mask

    def __getitem__(self, key: str) -> int:
        at: int = self._recent(key) if type(key) is str else -1
        if at < 0:
            raise KeyError(key)
        return at

    def get(self, key: str, default: Any = None) -> Any:
        if type(key) is not str:
            return default
        at = self._recent(key)
        return default if at < 0 else at

    def __contains__(self, key: object) -> bool:
        return type(key) is str and self._recent(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def __len__(self) -> int:
        return len(self.texts)

    def nbytes(self) -> int:
        return self.table.nbytes


def _fill(table: npt.NDArray[np.int32], hashes: npt.NDArray[np.int64], mask: int) -> None:
    """Put position ``i`` at the first free slot from ``hashes[i]`` on (linear probing), in order,
    a round of vectorised placements at a time."""
    pending = np.arange(len(hashes), dtype=np.int64)
    slot = hashes.copy()
    while len(pending):
        free = table[slot] < 0
        # of the pending positions at a free slot, the first of each slot wins it this round
        cand = np.flatnonzero(free)
        if len(cand):
            _, first = np.unique(slot[cand], return_index=True)
            won = cand[first]
            table[slot[won]] = pending[won]
            lost = np.ones(len(pending), dtype=bool)
            lost[won] = False
            pending, slot = pending[lost], slot[lost]
        slot = (slot + np.where(table[slot] >= 0, 1, 0)) & mask


class IdList(Sequence[str]):
    """Some of a :class:`StrArray`'s strings, by sorted position: the ids of one label, read as a
    list is (``len`` without decoding, membership through the :class:`StrIndex`).

    Examples
    --------
    >>> names = StrArray(["a", "b", "c"])
    >>> ids = IdList(names, np.array([0, 2]), StrIndex(names))
    >>> ids, len(ids), ids[1], "c" in ids, "b" in ids, ids == ["a", "c"]
    (['a', 'c'], 2, 'c', True, False, True)
    """

    __slots__ = ("names", "positions", "lookup")

    def __init__(self, names: StrArray, positions: npt.NDArray[Any], lookup: StrIndex) -> None:
        self.names = names
        self.positions = np.ascontiguousarray(positions, dtype=np.int32)
        self.lookup = lookup

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return self.names.take(self.positions[i].tolist())
        return self.names[int(self.positions[i])]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names.take(self.positions.tolist()))

    def __contains__(self, name: object) -> bool:
        at = self.lookup.get(name) if isinstance(name, str) else None
        if at is None:
            return False
        k = int(np.searchsorted(self.positions, at))
        return k < len(self.positions) and int(self.positions[k]) == at

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))
