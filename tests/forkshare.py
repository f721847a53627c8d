"""What a forked worker keeps sharing: the page probe and the fork the sharing tests use."""

from __future__ import annotations

import gc
import json
import os
import struct
from collections.abc import Callable
from typing import Any

import pytest

from graphsvc.generate import write_generated
from graphsvc.snapshot import Snapshot
from graphsvc.store import open_store

PAGE = os.sysconf("SC_PAGE_SIZE")


def generated_snapshot(tmp_path_factory: pytest.TempPathFactory, orgs: int = 2000) -> Snapshot:
    """A generated graph of ``orgs`` organisations in a real SQLite store, read into a snapshot."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('shared') / 'graph.db'}")
    try:
        write_generated(store, orgs, seed=7)
        return Snapshot.from_store(store)
    finally:
        store.close()


def whole_pages(start: int, size: int) -> range:
    """The pages wholly inside ``size`` bytes from address ``start`` (a buffer's first and last
    page may hold unrelated objects too)."""
    return range(-(-start // PAGE), (start + size) // PAGE)


def own_share(pages: set[int]) -> float:
    """Of these pages of this process that are in memory, the share only this process maps."""
    present = own = 0
    with open("/proc/self/pagemap", "rb") as f:
        for page in sorted(pages):
            f.seek(page * 8)
            (entry,) = struct.unpack("<Q", f.read(8))
            if entry >> 63 & 1:
                present += 1
                own += entry >> 56 & 1
    return own / max(present, 1)


def in_forked_worker(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` in a child forked as the server's master forks its workers (after
    ``gc.freeze``) and return what it returned, or ``{"error": ...}`` if it raised."""
    gc.collect()
    gc.freeze()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(read_end)
        try:
            answer = work()
        except BaseException as exc:  # reported by the parent
            answer = {"error": repr(exc)}
        os.write(write_end, json.dumps(answer).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        found: dict[str, Any] = json.loads(pipe.read())
    os.waitpid(pid, 0)
    gc.unfreeze()
    return found
