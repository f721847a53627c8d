"""The snapshot built once in the server's master process, before its workers fork, so they share it.

``graphsvc serve`` with more than one worker calls :func:`shared_snapshot` in the gunicorn master
(after the port is bound, before any worker exists) and hands the result to every worker's app
with :func:`seed_app`. A forked worker starts with the same pages of memory as the master; they
stay one copy (copy-on-write) for as long as nobody writes to them. Three things keep it so:

* the store is opened for the build and closed again before the fork, so no SQLite handle, lock
  file or Neo4j driver (sockets) crosses it; each worker opens its own store on first use;
* ``gc.freeze()`` moves every object made so far out of the collector's sight, so no collection
  in a worker walks (and so writes to) the snapshot's objects;
* the indexes every first request needs (the matching index) and the once-per-process check of
  undeclared properties are done here, not once per worker.

What would make pages private: Python writes an object's reference count whenever it is used,
so a worker that read a node, a tie or an edge list held as objects would dirty the page holding
them (numpy arrays' and byte strings' buffers are only read and stay shared). The snapshot
therefore keeps ids, names, texts and ties in buffers and arrays (:mod:`graphsvc.snapshot_strings`,
:mod:`graphsvc.snapshot_tiemap`) and the matching index holds nothing per actor as a Python
object (:mod:`queries.match_arrays`): a worker's requests read them and leave their pages
shared, and a tie change adds the changed rows to small overlays in that worker instead of
copying the snapshot or the index. A new revision is reached in each worker by
applying the change log (:meth:`graphsvc.snapshot.Snapshot.apply`), which copies what the changes
touch into that worker. A full rebuild in a worker (after a big import or a restore) gives that
worker a private snapshot; the master's stays as it was, for workers started later, until the
server is restarted.
"""

from __future__ import annotations

import gc
import logging
import time

from flask import Flask

from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import open_store
from graphsvc.web.services import Services, _check_declared
from queries.match_index import matching_index

__all__ = ["shared_snapshot", "seed_app"]

_log = logging.getLogger("graphsvc")


def shared_snapshot(settings: Settings) -> Snapshot | None:
    """The store's current snapshot with its first-needed indexes, built in this process, then
    frozen out of the collector's sight; None (with a warning) when the store cannot be read.

    Call it before forking: the store it opens is closed again before it returns.
    """
    started = time.monotonic()
    try:
        store = open_store(settings.store, settings)
        try:
            snap = SnapshotCache(store).get()
            _warm(snap)
        finally:
            store.close()
    except GraphsvcError as exc:
        _log.warning("The snapshot was not built before the workers started (%s); each worker "
                     "reads the store on its first request instead.", exc.message)
        return None
    except Exception:  # an optimisation: never a reason for the server not to start
        _log.exception("Building the shared snapshot failed; each worker builds its own.")
        return None
    gc.collect()
    gc.freeze()
    _log.info("Snapshot at revision %s built for the workers in %.1f s.", snap.revision,
              time.monotonic() - started)
    return snap


#: The indexes built here, held for the life of the process (and of every worker forked from
#: it): when a worker moves to a newer revision its old snapshot drops its indexes, and freeing
#: them would write to (and so copy) every page they fill, only to leave the copies unused.
_KEPT: list[object] = []


def _warm(snap: Snapshot) -> None:
    """Build what a worker's first requests would otherwise each build (and keep privately)."""
    _KEPT.append(matching_index(snap))
    _check_declared(snap)


def seed_app(app: Flask, snapshot: Snapshot) -> None:
    """Let ``app`` start from ``snapshot`` rather than read the whole store on its first request."""
    services: Services = app.extensions["goudkaart"]
    services.seed(snapshot)
