"""Which parts of a preloaded snapshot stay shared in a forked worker: numpy arrays vs Python objects.

Used by ``python -m benchmarks.bench_workers --probe``. The parent builds the snapshot as the
server's master does (:func:`graphsvc.web.preload.shared_snapshot`) and notes where the buffers of
the numpy arrays it holds lie; a forked child serves matches (and tie changes) through the real
app, seeded as a worker is, and reads ``/proc/self/pagemap``: a page still mapped by the parent
too is shared, one the child wrote to is its own ("exclusively mapped", bit 56).
"""

from __future__ import annotations

import array
import gc
import json
import os
import random
import struct
import sys
from pathlib import Path
from typing import Any

__all__ = ["probe"]

PAGE = os.sysconf("SC_PAGE_SIZE")


def _span(start: int, size: int) -> range:
    return range(start // PAGE, (start + max(size, 1) - 1) // PAGE + 1)


def _pages(root: object, seen: set[int]) -> tuple[set[int], set[int]]:
    """Page numbers of the buffers of every numpy array and ``array.array`` (and long ``bytes``
    string buffer, but for its first page) reachable from ``root`` and not in ``seen``, and of every other object so
    reached (modules, classes and functions left out)."""
    import types

    import numpy as np

    arrays: set[int] = set()
    objects: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType)):
            continue
        seen.add(id(obj))
        size = sys.getsizeof(obj)  # (for arrays, the header only: their buffers lie elsewhere)
        if isinstance(obj, np.ndarray) and obj.base is None:
            size -= obj.nbytes
        elif isinstance(obj, array.array):
            size -= obj.buffer_info()[1] * obj.itemsize
        if not isinstance(obj, bytes) or len(obj) <= 2 * PAGE:
            objects.update(_span(id(obj), max(size, 1)))
        if isinstance(obj, np.ndarray):
            if obj.nbytes and obj.base is None:
                arrays.update(_span(obj.ctypes.data, obj.nbytes))
            continue
        if isinstance(obj, array.array):  # its buffer lies elsewhere, as a numpy array's
            address, length = obj.buffer_info()
            arrays.update(_span(address, length * obj.itemsize))
            continue
        if isinstance(obj, bytes) and len(obj) > 2 * PAGE:  # a string buffer: its text pages as an array's
            header = sys.getsizeof(b"")
            objects.update(_span(id(obj), header))
            arrays.update(_span(id(obj) + PAGE, len(obj) + header - PAGE))
            continue
        todo.extend(gc.get_referents(obj))
    return arrays, objects - arrays


def _snapshot_parts(snap: Any) -> dict[str, set[int]]:
    """The pages of the derived indexes (the matching index), then of the rest of the snapshot."""
    seen: set[int] = set()
    index_arrays, index_objects = _pages(list(snap._derived.values()), seen)
    arrays, objects = _pages(snap, seen)
    return {"snapshot: numpy arrays": arrays, "snapshot: Python objects": objects,
            "indexes: numpy arrays": index_arrays, "indexes: Python objects": index_objects}


def _anonymous_pages() -> set[int]:
    """Page numbers of this process's private writable memory (heap and anonymous mappings)."""
    pages: set[int] = set()
    for line in Path("/proc/self/maps").read_text().splitlines():
        parts = line.split()
        name = parts[5] if len(parts) > 5 else ""
        if "w" not in parts[1] or name not in ("", "[heap]"):
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        pages.update(range(start // PAGE, end // PAGE))
    return pages


def _census(pages: set[int]) -> dict[str, int]:
    """Of these pages: how many are in memory, and how many of those only this process maps."""
    present = exclusive = 0
    with open("/proc/self/pagemap", "rb") as f:
        for page in sorted(pages):
            f.seek(page * 8)
            (entry,) = struct.unpack("<Q", f.read(8))
            if entry >> 63 & 1:
                present += 1
                exclusive += entry >> 56 & 1
    return {"present_mb": round(present * PAGE / 2**20, 1), "own_mb": round(exclusive * PAGE / 2**20, 1),
            "shared": round(1 - exclusive / present, 3) if present else 0.0}


def _child(url: str, snap: Any, parts: dict[str, set[int]], reads: int, writes: int) -> dict[str, Any]:
    from graphsvc.access.accounts import AccountStore
    from graphsvc.config import load_settings
    from graphsvc.web import create_app
    from graphsvc.web.preload import seed_app

    settings = load_settings(environ={}, store=url, testing=True, secret_key="probe")
    app = create_app(settings)
    seed_app(app, snap)
    services = app.extensions["goudkaart"]
    accounts = AccountStore(services.store)
    admin = accounts.add_user(f"probe-{os.getpid()}", "probe password 1234", "admin")
    headers = {"Authorization": f"Bearer {accounts.create_token(admin.id)}"}
    actors = snap.labelled("Organisation")
    rng = random.Random(3)
    out: dict[str, Any] = {}
    with app.test_client() as client:
        for step, changes in (("reads", 0), ("writes", writes)):
            for i in range(changes):
                a, b = rng.sample(actors, 2)
                client.put(f"/api/v1/organisations/{a}/ties/{b}", json={"rung": 1 + i % 3},
                           headers=headers)
            for _ in range(reads):
                assert client.get(f"/api/v1/organisations/{rng.choice(actors)}/matches",
                                  headers=headers).status_code == 200
            everything = _anonymous_pages()
            out[step] = {name: _census(pages & everything) for name, pages in parts.items()}
            out[step]["everything, this process"] = _census(everything)
    return out


def probe(source: Path, reads: int, writes: int = 20) -> dict[str, Any]:
    """Fork a worker-like child from a process holding the preloaded snapshot; what it shares."""
    import shutil
    import tempfile

    from graphsvc.config import load_settings
    from graphsvc.web.preload import shared_snapshot

    with tempfile.TemporaryDirectory(prefix="goudkaart-probe-") as tmp:
        db = Path(tmp) / "graph.db"
        for suffix in ("", "-wal"):
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", f"{db}{suffix}")
        url = f"sqlite:///{db}"
        snap = shared_snapshot(load_settings(environ={}, store=url, testing=True, secret_key="p"))
        assert snap is not None
        parts = _snapshot_parts(snap)
        parts["the rest of the master"] = _anonymous_pages().difference(*parts.values())
        gc.freeze()  # the walk's own bookkeeping is gone; nothing new for the collector to see
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read_end)
            try:
                answer = json.dumps(_child(url, snap, parts, reads, writes)).encode()
            except BaseException as exc:  # the parent reports it
                answer = json.dumps({"error": repr(exc)}).encode()
            os.write(write_end, answer)
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            answer = pipe.read()
        os.waitpid(pid, 0)
    found: dict[str, Any] = json.loads(answer)
    found["pages_mb"] = {name: round(len(pages) * PAGE / 2**20, 1) for name, pages in parts.items()}
    return found
