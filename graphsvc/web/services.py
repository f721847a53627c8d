"""Per-app services: the store (opened lazily, so the app starts while Neo4j is down) and snapshots."""

from __future__ import annotations

import logging
import threading
import time
from typing import Final

from flask import current_app, g, has_request_context

from graphsvc.access.accounts import AccountStore
from graphsvc.access.accounts_transfer import take_over_accounts_file
from graphsvc.config import Settings
from graphsvc.errors import StoreUnavailable
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore, open_store
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = ["Services", "services", "DOWN_RETRY"]

DOWN_RETRY: Final = 1.0  # seconds between tries while the store is known to be down

_log = logging.getLogger("graphsvc")


class Services:
    def __init__(self, settings: Settings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.vocab: Vocabulary = load_vocabulary(settings.vocab_dir or None)
        self._store = store
        self._cache: SnapshotCache | None = SnapshotCache(store, freshness=self.freshness(store)) if store else None
        self._lock = threading.Lock()
        self._accounts: AccountStore | None = None
        self._down_until = 0.0
        self._checked = False
        self._seed: Snapshot | None = None

    @property
    def accounts(self) -> AccountStore:
        """Users, tokens and sessions, in the store (an old accounts file is taken over once)."""
        if self._accounts is None:
            store = self.store
            with self._lock:
                if self._accounts is None:
                    accounts = AccountStore(store, freshness=self.freshness(store))
                    take_over_accounts_file(accounts.records, self.settings.accounts_path)
                    self._accounts = accounts
        return self._accounts

    def freshness(self, store: GraphStore) -> float:
        """Seconds a read request may use the revision and login this process saw last: the
        setting, else the store's default (a server store's answers cost a round trip each)."""
        if self.settings.freshness is not None:
            return self.settings.freshness
        return float(getattr(store, "default_freshness", 0.0))

    def store_known_down(self) -> bool:
        """Whether the store failed to answer within the last :data:`DOWN_RETRY` seconds."""
        return time.monotonic() < self._down_until

    def mark_down(self) -> None:
        """Remember that the store does not answer: requests fail at once until the next try.

        A failure while it is known down (a fail-fast answer) does not put the next try off."""
        if not self.store_known_down():
            self._down_until = time.monotonic() + DOWN_RETRY

    @property
    def store(self) -> GraphStore:
        if self.store_known_down():  # fail fast rather than wait for connection timeouts again
            raise StoreUnavailable("The graph database is not reachable.")
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings.store, self.settings)
                    self._cache = SnapshotCache(self._store, freshness=self.freshness(self._store))
                    if self._seed is not None:
                        self.seed(self._seed)
        return self._store

    def snapshot(self) -> Snapshot:
        """The current snapshot; within one request the revision is asked once at most (again
        only after this process committed: both stores count their ``commits``), and across
        requests at most once per freshness bound (:class:`~graphsvc.snapshot.SnapshotCache`)."""
        store = self.store
        assert self._cache is not None and self._cache.store is store
        commits = getattr(store, "commits", None)
        if commits is None or not has_request_context():
            snap = self._cache.get()
        else:
            held = g.get("_goudkaart_snapshot")
            if held is not None and held[0] is store and held[1] == commits:
                return held[2]
            snap = self._cache.get()
            g._goudkaart_snapshot = (store, commits, snap)
        if not self._checked:  # once per process: say when the store holds undeclared properties
            self._checked = True
            _check_declared(snap)
        return snap

    def seed(self, snapshot: Snapshot) -> None:
        """Start from ``snapshot``, built (and checked) before this worker forked: the first
        request brings it to the store's revision by the change log instead of reading it all
        (see :mod:`graphsvc.web.preload`)."""
        self._seed, self._checked = snapshot, True
        if self._cache is not None:
            self._cache.seed(snapshot)  # the cache swaps in newer revisions as they come

    def health(self) -> dict[str, object]:
        try:
            store = self.store
        except StoreUnavailable as exc:
            return {"ok": False, "store": self.settings.store.split("://")[0], "error": str(exc)}
        answers = store.ping()
        info: dict[str, object] = {"ok": answers, **store.describe()}
        if not answers:
            self.mark_down()
            info["error"] = "The graph database does not answer."
            return info
        try:
            info["revision"] = store.revision()
        except StoreUnavailable as exc:  # e.g. gone between the two calls, or a refused password
            info.update(ok=False, error=exc.message)
        return info

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _check_declared(snap: Snapshot) -> None:
    from graphsvc.actions.doctor import describe_findings, undeclared_properties

    findings = undeclared_properties(snap.nodes.values())
    if findings:
        _log.warning("The store holds properties no label declares (never shown): %s. "
                     "Run `graphsvc doctor --fix` to remove them.", describe_findings(findings))


def services() -> Services:
    """The services of the current app."""
    return current_app.extensions["goudkaart"]
