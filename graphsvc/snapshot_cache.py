"""The current snapshot of a store for an app process, renewed by the change log when the revision moves."""

from __future__ import annotations

import gc
import threading

from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_apply import NotApplicable
from graphsvc.snapshot_build import paused_gc
from graphsvc.store.base import GraphStore
from graphsvc.store.freshness import Freshness

__all__ = ["SnapshotCache"]


class SnapshotCache:
    """Hands out the current snapshot of a store, renewing it only after the revision changed.

    A newer revision is reached by applying the store's change log to the current snapshot
    (:meth:`Snapshot.apply`, milliseconds) when the log covers every revision in between;
    otherwise (no change log, a big import, a restore) the whole graph is read again.
    ``builds`` counts the snapshots made, ``updates`` those of them made by applying changes.
    """

    #: Tries to catch the store at one revision for an update before reading it all instead
    #: (each try takes a millisecond or two; a try fails only when a write commits meanwhile).
    ATTEMPTS = 10

    def __init__(self, store: GraphStore, *, freshness: float = 0.0) -> None:
        self.store = store
        self.builds = 0
        self.updates = 0
        #: how long the revision asked last is used without asking again (0: ask on every get)
        self.freshness = Freshness(store, freshness)
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def seed(self, snapshot: Snapshot) -> None:
        """Start from ``snapshot`` (built before this process forked); the next :meth:`get`
        asks the store and brings it forward by the change log."""
        with self._lock:
            self._snapshot = snapshot
            self.freshness.forget()

    def get(self) -> Snapshot:
        """The snapshot at the store's revision, asked at most once per ``freshness`` seconds
        (at once after a commit through this store object)."""
        snap = self._snapshot
        if snap is not None and self.freshness.recent():
            return snap
        with self.freshness.asking():
            return self._current()

    def _current(self) -> Snapshot:
        snap = self._snapshot
        if snap is not None and snap.revision == self.store.revision():
            return snap
        with self._lock:
            snap = self._snapshot
            revision = self.store.revision()
            if snap is not None and snap.revision == revision:
                return snap
            new = self._updated(snap, revision) if snap is not None else None
            released = False
            if new is not None:
                self.updates += 1  # a few new objects, the rest shared: nothing for the collector
            else:
                if snap is not None:  # its indexes would go right after: not two sets at once
                    snap.release()
                    released = True
                # Young garbage is collected first; the new snapshot's millions of objects are
                # then made with the collector paused and frozen (moved out of its sight for
                # good) before it runs again: scanning them would cost a second at city size.
                gc.collect(1)
                with paused_gc():
                    new = Snapshot.from_store(self.store)
                    gc.freeze()
            self.builds += 1
            self._snapshot = new
        if snap is not None and not released:
            # derived indexes may point back at their snapshot; dropping them breaks the cycles,
            # so reference counting frees the old snapshot once readers are done. Outside the
            # lock: freeing a city's indexes takes a tenth of a second.
            snap.release()
        return new

    def _updated(self, snap: Snapshot, revision: int) -> Snapshot | None:
        """``snap`` brought to the store's revision from its change log; None when it cannot be."""
        last_event = snap.tie_events[-1].seq if snap.tie_events else 0
        for _ in range(self.ATTEMPTS):
            if revision < snap.revision:
                return None
            changes = self.store.changes_since(snap.revision)
            if not changes:
                return None
            if changes[-1].revision != revision:  # a commit landed since the revision was read
                revision = self.store.revision()
                continue
            events = self.store.tie_events_after(last_event)
            now = self.store.revision()
            if now == revision:  # nothing committed while the changes and events were read
                try:
                    return snap.apply(changes, events, revision=revision)
                except NotApplicable:
                    return None
            revision = now
        return None
