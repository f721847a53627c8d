"""A process-wide bound on how old a remembered store answer (revision, login) may be on a read."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["Freshness", "NEO4J_FRESHNESS"]

#: The default bound on a server store: each revision question costs a Bolt round trip there.
NEO4J_FRESHNESS: Final = 0.25


class Freshness:
    """When the store was last asked: a remembered answer is used for ``seconds`` after that.

    The bound is lazy (no background thread: app servers fork): the first caller that finds the
    last ask too old asks again, while other threads keep using the remembered answer for up to
    twice the bound. A commit made through this process's ``store`` (its ``commits`` count moved)
    makes the next caller ask at once, so a writer always reads its own write. ``seconds`` 0 (or
    a store that does not count its commits) asks every time.

    Examples
    --------
    >>> class Store:
    ...     commits = 0
    >>> store = Store()
    >>> fresh = Freshness(store, 60)
    >>> fresh.recent()
    False
    >>> with fresh.asking():
    ...     pass  # ask the store here
    >>> fresh.recent()
    True
    >>> store.commits += 1
    >>> fresh.recent()
    False
    """

    def __init__(self, store: object, seconds: float) -> None:
        self.store = store
        self.seconds = max(0.0, seconds)
        self._last: tuple[float, int] | None = None  # (monotonic time before the ask, commits then)
        self._asking = threading.Lock()

    def _commits(self) -> int | None:
        commits = getattr(self.store, "commits", None)
        return commits if isinstance(commits, int) else None

    def recent(self) -> bool:
        """Whether a remembered answer may be used now instead of asking the store."""
        last = self._last
        if last is None or not self.seconds or last[1] != self._commits():
            return False
        age = time.monotonic() - last[0]
        if age < self.seconds:
            return True
        # stale: one thread asks; the others go on with the remembered answer meanwhile
        return age < 2 * self.seconds and self._asking.locked()

    @contextmanager
    def asking(self) -> Iterator[None]:
        """Around one question to the store: on success its answer counts from the moment it
        was asked (what was committed before then is in it)."""
        commits = self._commits()
        before = time.monotonic()
        held = self._asking.acquire(blocking=False)
        try:
            yield
            if commits is not None:
                self._last = (before, commits)
        finally:
            if held:
                self._asking.release()

    def forget(self) -> None:
        """Ask the store at the next call."""
        self._last = None
