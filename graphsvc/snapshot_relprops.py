"""Relationship properties shared between edges: one read-only map per distinct JSON text.

Most relationship types have one or a few property sets (``{}``, ``{"weight": 2}``) for
hundreds of thousands of edges; :class:`SharedProps` gives every edge of a set the same
:class:`~graphsvc.snapshot_props.FrozenProps`, decoding each distinct text once (many per
``json.loads`` call, so their keys are one string object each).
"""

from __future__ import annotations

import json
from typing import Any

from graphsvc.snapshot_props import EMPTY_PROPS, FrozenProps

__all__ = ["SharedProps", "loads_many"]

_CACHE_LIMIT = 20_000  # distinct props texts remembered at once (most repeat within a type)
_SHORT = 40  # property values up to this length are shared between relationships


def loads_many(texts: list[str]) -> list[Any]:
    """Decode many JSON objects in one call: the decoder then shares their key strings.

    >>> loads_many(['{"a":1}', "", "[2]"])
    [{'a': 1}, {}, [2]]
    """
    return json.loads("[" + ",".join(t or "{}" for t in texts) + "]") if texts else []


class SharedProps:
    """Caches of shared property maps, by text (and for maps a store decoded, by content).

    ``texts`` is the snapshot's pool of repeated short strings; shared values are taken from it.
    """

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts
        self.by_texts: dict[str, FrozenProps] = {}
        self.by_maps: dict[Any, FrozenProps] = {}

    def of_texts(self, texts: list[str], keys: list[str]) -> list[FrozenProps]:
        """The properties of every row: one shared object per distinct text (see
        :meth:`by_text`), with the row's key added where it has one (grants)."""
        n = len(texts)
        if keys.count("") == n:
            if n and texts.count(texts[0]) == n:  # a block of one text (most types): one lookup
                return self.by_text(texts[:1]) * n
            return self.by_text(texts)
        return self.keyed(self.by_text(texts), keys)

    @staticmethod
    def keyed(props: list[FrozenProps], keys: list[str]) -> list[FrozenProps]:
        """Each row's properties with its key added where it has one (grants)."""
        if keys.count("") == len(keys):
            return props
        return [p if not k else FrozenProps({**p, "key": k}) for p, k in zip(props, keys, strict=True)]

    def by_text(self, texts: list[str]) -> list[FrozenProps]:
        """The shared properties of each text, looked up in a cache of distinct texts; the
        texts it lacks are decoded in one call, their short values shared as one string object
        each (they repeat: "self-report", "2024-01-01"; a column table of many sets then
        finds them by identity)."""
        cache = self.by_texts
        found = list(map(cache.get, texts))
        if None not in found:
            return found  # type: ignore[return-value]
        wanted = list(dict.fromkeys(t for t, p in zip(texts, found, strict=True) if p is None))
        if len(cache) + len(wanted) > _CACHE_LIMIT:
            cache.clear()
        decoded = loads_many(wanted)
        same = self.texts.setdefault
        for props in decoded:
            for k, v in props.items():
                if type(v) is str and len(v) <= _SHORT:
                    props[k] = same(v, v)
        cache.update(zip(wanted, [FrozenProps(p) if p else EMPTY_PROPS for p in decoded], strict=True))
        return [p if p is not None else cache[t] for t, p in zip(texts, found, strict=True)]

    def of_maps(self, chunk: list[tuple[Any, ...]]) -> list[FrozenProps]:
        """Shared properties for rows whose maps are decoded already: one object per distinct
        map of hashable values (and key), short texts shared."""
        cache, same = self.by_maps, self.texts.setdefault
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

