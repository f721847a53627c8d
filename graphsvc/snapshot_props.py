"""Read-only property maps shared between a snapshot's edges, value interning and the GC pause for builds."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, NoReturn

__all__ = ["FrozenProps", "EMPTY_PROPS", "paused_gc", "intern_column", "distinct_values", "compact_json"]


class FrozenProps(dict[str, Any]):
    """A read-only dict: the properties of relationships in a snapshot, shared between edges.

    A dict (so ``json.dumps``, ``dict(p)`` and ``{**p}`` work as before) that refuses changes:
    one object may stand for the properties of a hundred thousand edges.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Snapshot properties are read-only; copy them with dict(props) first.")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenProps, (dict(self),))

    def __copy__(self) -> FrozenProps:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenProps:
        return self


EMPTY_PROPS = FrozenProps()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while making millions of objects that hold no cycles.

    Each time fresh objects trip the collector's thresholds, a full collection walks every live
    object (a city-size snapshot or import batch: millions), which made reading 100k organisations
    2–3 times slower. Used by snapshot builds, imports and cluster indexes; the collector runs
    again afterwards. The web app's ``SnapshotCache`` also freezes each snapshot (``gc.freeze()``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Box:
    """An unhashable value among a column's distinct values: kept by identity, never shared."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def intern_column(values: list[Any], seen: dict[Any, int]) -> list[int]:
    """Each value's index among the distinct values in ``seen``, new ones added in first-seen
    order (read them back with :func:`distinct_values`).

    A whole column in one comprehension (the builds' hot loop). 1, 1.0 and True are equal keys
    but not the same value, so values are keyed with their type (strings as themselves);
    unhashable values get an index of their own each.

    >>> seen: dict[Any, int] = {}
    >>> intern_column(["a", 1, "a", True, 1.0, 1], seen), distinct_values(seen)
    ([0, 1, 0, 2, 3, 1], ['a', 1, True, 1.0])
    """
    try:
        return [seen.setdefault(v if type(v) is str else (type(v), v), len(seen)) for v in values]
    except TypeError:  # an unhashable value: those seen so far are in ``seen`` already
        out: list[int] = []
        for v in values:
            ident: Any = v if type(v) is str else (type(v), v)
            try:
                out.append(seen.setdefault(ident, len(seen)))
            except TypeError:
                out.append(seen.setdefault(_Box(v), len(seen)))
        return out


def distinct_values(seen: dict[Any, int]) -> list[Any]:
    """The distinct values of :func:`intern_column`, by index."""
    return [k if type(k) is str else k.value if type(k) is _Box else k[1] for k in seen]


def _refuse(value: Any) -> Any:
    raise TypeError(f"not JSON: {type(value).__name__}")


_C_ENCODER = c_make_encoder(None, _refuse, encode_basestring, None, ":", ",", False, False, True) \
    if c_make_encoder is not None else None
_PY_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def compact_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` without its per-call set-up.

    >>> compact_json({"name": "Ayşe", "tags": [1, 2.5, True, None]})
    '{"name":"Ayşe","tags":[1,2.5,true,null]}'
    """
    return _PY_ENCODE(value) if _C_ENCODER is None else "".join(_C_ENCODER(value, 0))
