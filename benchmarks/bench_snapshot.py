"""Benchmark of the read snapshot: a full build from a store, and an update after one tie change.

Run ``python -m benchmarks.bench_snapshot [--orgs 100000] [--runs 3] [--store PATH] [--json OUT]``.

* **full build**: a :class:`~graphsvc.snapshot_cache.SnapshotCache`'s first snapshot (what the app
  builds: :meth:`~graphsvc.snapshot.Snapshot.from_store` with the garbage collector paused and the
  result frozen) of a SQLite store holding the
  :mod:`graphsvc.generate` graph (``--store``: a store file to reuse, written once if it is
  missing or empty; by default a temporary one). Wall and CPU time (``time.process_time``: less
  disturbed by other work on the machine), and the resident memory (RSS) of the process.
* **update after one tie change**: one tie's rung is changed in the store (one transaction, as
  the meeting page writes it), then the snapshot is brought to the new revision the way
  :class:`~graphsvc.snapshot_cache.SnapshotCache` does it: the store's change log (``changes_since``),
  the new tie events (``tie_events_after``) and :meth:`~graphsvc.snapshot.Snapshot.apply`.
  A store without a change log cannot say what changed; the benchmark then hands ``apply`` the
  entry such a log holds, made from the tie before and after the change, and says so.
  Baseline: a full build at the new revision.

Every timing is the median of ``--runs`` (each update on a change of its own).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.bench_stores import load_records
from graphsvc.generate import iter_generated
from graphsvc.model import ChangeEvent, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore, open_store

__all__ = ["prepared_store", "timed", "full_builds", "tie_change", "updates", "rss_mb", "snapshot_memory", "main"]

T = TypeVar("T")


def rss_mb() -> float:
    """The process's resident memory now, in MB."""
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call: Callable[[], T]) -> tuple[T, float, float]:
    """``call()``'s result, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def spread(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def prepared_store(path: Path, orgs: int) -> GraphStore:
    """A SQLite store at ``path`` holding the generated graph of ``orgs`` organisations."""
    store = open_store(f"sqlite:///{path}")
    if store.is_empty():
        load_records(store, iter_generated(orgs))
    return store


def full_builds(store: GraphStore, runs: int) -> tuple[Snapshot, dict[str, Any], dict[str, Any]]:
    """The last snapshot, and the wall and CPU seconds of ``runs`` full builds as the app's
    :class:`~graphsvc.snapshot_cache.SnapshotCache` makes them (the cyclic garbage collector paused,
    the new objects frozen; ``Snapshot.from_store`` alone, as the CLI calls it, also pays one
    collection over them when the collector runs next: about a second at 100k)."""
    walls, cpus = [], []
    snap: Snapshot | None = None
    for _ in range(runs):
        snap = None  # the previous one is freed first, as the cache frees a replaced snapshot
        gc.collect()
        snap, wall, cpu = timed(lambda: SnapshotCache(store).get())
        walls.append(wall)
        cpus.append(cpu)
    assert snap is not None
    return snap, spread(walls), spread(cpus)


def tie_change(store: GraphStore, snap: Snapshot, n: int) -> tuple[list[ChangeEvent], str]:
    """Change the rung of one tie of the snapshot in the store; the change-log entries for it
    (the store's own, or made here when it keeps no log) and where they came from."""
    pairs = sorted(snap.tie_props)
    a, b = pairs[(n * 7919) % len(pairs)]
    before = store.get_relationship("TIE", a, b)
    rung = before.props["rung"] % 5 + 1
    at = f"2031-01-{1 + n % 28:02d}T10:00:00Z"
    props = {**before.props, "rung": rung, "changed_at": at, "source": "bench"}
    with store.transaction(source="bench") as tx:
        tx.upsert_relationship(Relationship("TIE", a, b, props, updated_at=at))
    logged = store.changes_since(snap.revision)
    if logged is not None:
        return logged, "the store's change log"
    old = {k: v for k, v in before.props.items() if props.get(k) != v}
    new = {k: v for k, v in props.items() if before.props.get(k) != v}
    entry = ChangeEvent(0, store.revision(), at, "bench", "bench", "update", "relationship", "TIE", a, b,
                        old=old, new=new, version=before.version + 1)
    return [entry], "made by the benchmark (this store keeps no change log)"


def updates(store: GraphStore, snap: Snapshot, runs: int, *, rebuild: bool = True
            ) -> tuple[Snapshot, dict[str, Any], dict[str, Any] | None, str]:
    """``runs`` tie changes, each followed by an update of the snapshot (timed, wall); with
    ``rebuild`` also a full build at the same revision (the baseline), checked to agree. (A
    full build next to the updated snapshot holds two snapshots at once, as a server never
    needs to when it updates.)"""
    ours, full, source = [], [], ""
    for n in range(runs):
        changes, source = tie_change(store, snap, n)
        logged = source.startswith("the store")
        last = snap.tie_events[-1].seq if snap.tie_events else 0
        revision = store.revision()
        wall = time.perf_counter()
        if logged:  # what the cache reads, timed with the update
            changes = store.changes_since(snap.revision) or []
        snap = snap.apply(changes, store.tie_events_after(last), revision=revision)
        ours.append(time.perf_counter() - wall)
        if rebuild:
            gc.collect()
            rebuilt, wall_full, _ = timed(lambda: Snapshot.from_store(store))
            full.append(wall_full)
            assert rebuilt.tie_props == snap.tie_props and rebuilt.revision == snap.revision
            del rebuilt
    return snap, spread(ours), spread(full) if full else None, source


def snapshot_memory(path: Path) -> dict[str, float]:
    """What one snapshot of the store at ``path`` holds, measured in a fresh process (RSS, MB):
    ``snapshot`` is the growth of a server process's RSS when its cache reads the snapshot
    (the libraries it runs on loaded first), ``igraph`` the growth for an igraph ``Graph`` of
    the same relationships (ids as integers, no properties: ~40 bytes an edge), built after it,
    and ``relationships`` their count. Issue 20: ≤ 300 MB at 100k organisations."""
    code = ("import json, sys; from benchmarks.bench_snapshot import _memory_child; "
            "print(json.dumps(_memory_child(sys.argv[1])))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _memory_child(path: str) -> dict[str, float]:
    import igraph
    import pandas  # noqa: F401  (what a server has loaded)

    import queries.clusters
    import queries.matching  # noqa: F401

    store = open_store(f"sqlite:///{path}")
    store.revision()
    gc.collect()
    before = rss_mb()
    snap = SnapshotCache(store).get()
    held = rss_mb()
    index = {node_id: i for i, node_id in enumerate(snap.nodes)}
    edges = [(index[r.start], index[r.end]) for r in snap.relationships() if r.start in index and r.end in index]
    gc.collect()
    base = rss_mb()
    graph = igraph.Graph(n=len(index), edges=edges, directed=True)
    igraph_mb = rss_mb() - base
    del edges
    return {"snapshot": held - before, "igraph": igraph_mb, "relationships": float(graph.ecount())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_snapshot", description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", type=Path, help="a SQLite store file to (write once and) reuse")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    print(f"# bench_snapshot: {args.orgs:,} organisations, {args.runs} runs, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="goudkaart-snap-") as tmp:
        store, wall, _ = timed(lambda: prepared_store(args.store or Path(tmp) / "graph.db", args.orgs))
        print(f"store ready in {wall:.0f} s: {sum(store.counts()['relationships'].values()):,} relationships")
        base = rss_mb()
        snap, walls, cpus = full_builds(store, args.runs)
        held = rss_mb()
        print(f"full build: median {walls['median']:.2f} s wall ({walls['min']:.2f}–{walls['max']:.2f}), "
              f"{cpus['median']:.2f} s CPU; RSS {base:.0f} MB before, {held:.0f} MB with the snapshot, "
              f"peak {peak_mb():.0f} MB")
        memory = snapshot_memory(args.store or Path(tmp) / "graph.db")
        print(f"snapshot memory (RSS growth, fresh process): {memory['snapshot']:.0f} MB; an igraph "
              f"edge list of the same {memory['relationships']:,.0f} relationships: {memory['igraph']:.0f} MB")
        snap, ours, full, source = updates(store, snap, args.runs)
        assert full is not None
        print(f"update after one tie change: median {ours['median'] * 1000:.1f} ms "
              f"({ours['min'] * 1000:.1f}–{ours['max'] * 1000:.1f}); full build {full['median']:.2f} s; "
              f"changes {source}")
        store.close()
    print(f"# load average after: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"orgs": args.orgs, "full_wall": walls, "full_cpu": cpus,
                                         "rss_before_mb": base, "rss_with_snapshot_mb": held,
                                         "snapshot_memory": memory,
                                         "update": ours, "update_baseline": full, "changes": source}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
