"""Read-only property maps shared between a snapshot's edges, and the pause of the garbage collector for builds."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

__all__ = ["FrozenProps", "EMPTY_PROPS", "paused_gc"]


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
