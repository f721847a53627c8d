"""Per-app services: the store (opened lazily, so the app starts while Neo4j is down) and snapshots."""

from __future__ import annotations

import logging
import threading

from flask import current_app

from graphsvc.accounts import AccountStore
from graphsvc.config import Settings
from graphsvc.errors import StoreUnavailable
from graphsvc.snapshot import Snapshot, SnapshotCache
from graphsvc.store import GraphStore, open_store
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = ["Services", "services"]

_log = logging.getLogger("graphsvc")


class Services:
    def __init__(self, settings: Settings, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.vocab: Vocabulary = load_vocabulary(settings.vocab_dir or None)
        self._store = store
        self._cache: SnapshotCache | None = SnapshotCache(store) if store else None
        self._lock = threading.Lock()
        self._accounts: AccountStore | None = None
        self._checked = False

    @property
    def accounts(self) -> AccountStore:
        if self._accounts is None:
            with self._lock:
                if self._accounts is None:
                    self._accounts = AccountStore(self.settings.accounts_path)
        return self._accounts

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings.store, self.settings)
                    self._cache = SnapshotCache(self._store)
        return self._store

    def snapshot(self) -> Snapshot:
        store = self.store
        assert self._cache is not None and self._cache.store is store
        snap = self._cache.get()
        if not self._checked:  # once per process: say when the store holds undeclared properties
            self._checked = True
            _check_declared(snap)
        return snap

    def health(self) -> dict[str, object]:
        try:
            store = self.store
        except StoreUnavailable as exc:
            return {"ok": False, "store": self.settings.store.split("://")[0], "error": str(exc)}
        answers = store.ping()
        info: dict[str, object] = {"ok": answers, **store.describe()}
        if not answers:
            info["error"] = "The graph database does not answer."
            return info
        try:
            info["revision"] = store.revision()
        except StoreUnavailable as exc:  # e.g. gone between the two calls, or a refused password
            info.update(ok=False, error=exc.message)
        return info

    def close(self) -> None:
        if self._accounts is not None:
            self._accounts.close()
        if self._store is not None:
            self._store.close()


def _check_declared(snap: Snapshot) -> None:
    from graphsvc.doctor import describe_findings, undeclared_properties

    findings = undeclared_properties(snap.nodes.values())
    if findings:
        _log.warning("The store holds properties no label declares (never shown): %s. "
                     "Run `graphsvc doctor --fix` to remove them.", describe_findings(findings))


def services() -> Services:
    """The services of the current app."""
    return current_app.extensions["goudkaart"]
