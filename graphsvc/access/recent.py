"""Login sessions and API tokens looked up a moment ago, kept per process for read requests."""

from __future__ import annotations

import threading
import time
from typing import Final, Generic, TypeVar

__all__ = ["RecentLookups"]

V = TypeVar("V")
_MOST: Final = 10_000  # entries before the expired ones are swept out


class RecentLookups(Generic[V]):
    """What the store answered for a key (a session or token hash) within the last ``seconds``.

    Only read requests use an entry (a state-changing request always asks the store); logout,
    disable, a new password and token revocation through this process drop entries at once.

    Examples
    --------
    >>> recent = RecentLookups[str](60)
    >>> asked = recent.asking()  # before the store is asked
    >>> recent.put("s:abc", "ayse", user_id=1, asked=asked)
    >>> recent.get("s:abc")
    'ayse'
    >>> recent.drop_user(1)
    >>> recent.get("s:abc") is None
    True
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, seconds)
        self._entries: dict[str, tuple[float, int, V]] = {}
        self._lock = threading.Lock()
        self._drops = 0  # entries dropped so far: an answer asked before a drop is not kept

    def asking(self) -> tuple[float, int]:
        """Call before asking the store; pass the result to :meth:`put` with the answer."""
        return time.monotonic(), self._drops

    def get(self, key: str) -> V | None:
        """The value put for ``key`` less than ``seconds`` ago, else None."""
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] >= self.seconds:
            return None
        return entry[2]

    def put(self, key: str, value: V, *, user_id: int, asked: tuple[float, int]) -> None:
        """Remember the store's answer for ``key``, unless an entry was dropped since it was
        asked (a logout on another thread may have ended what the answer says)."""
        if not self.seconds:
            return
        with self._lock:
            if asked[1] != self._drops:
                return
            if len(self._entries) >= _MOST:
                now = time.monotonic()
                self._entries = {k: e for k, e in self._entries.items() if now - e[0] < self.seconds}
            self._entries[key] = (asked[0], user_id, value)

    def drop(self, key: str) -> None:
        """Forget an entry this process ended (a logout): answers asked before now are not kept."""
        with self._lock:
            self._drops += 1
            self._entries.pop(key, None)

    def forget(self, key: str) -> None:
        """Forget an entry the store no longer confirms (without the care of :meth:`drop`)."""
        if key in self._entries:
            with self._lock:
                self._entries.pop(key, None)

    def drop_user(self, user_id: int) -> None:
        """Forget every entry of one account (its sessions and tokens)."""
        with self._lock:
            self._drops += 1
            self._entries = {k: e for k, e in self._entries.items() if e[1] != user_id}

    def clear(self) -> None:
        with self._lock:
            self._drops += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"RecentLookups(seconds={self.seconds!r}, entries={len(self)})"
