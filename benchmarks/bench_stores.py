"""Benchmark of the two stores: Neo4j start-up, loading the demo and a generated graph, snapshot builds.

Run ``python -m benchmarks.bench_stores [--quick] [--orgs N] [--runs R] [--json PATH]``.

* **Neo4j start-up**: ``scripts/neo4j_server.py start`` until the first authenticated ``RETURN 1``,
  once on a fresh folder (creates the system database, sets the password) and then restarts
  on the same folder (the usual case).
* **load demo**: :func:`graphsvc.demo.dataset.load_demo` into an empty store (SQLite: a new file; Neo4j:
  an emptied database), the way ``graphsvc demo`` does it.
* **load generated**: the :mod:`graphsvc.generate` graph of ``--orgs`` organisations (100k by
  default: ~140k nodes and ~1.26M relationship records, climbs included) streamed into an empty
  store in transactions of 20k records, runs of nodes through ``upsert_nodes`` and runs of
  relationships through ``upsert_relationships`` (batched ``UNWIND`` on Neo4j).
* **migrate into empty Neo4j**: :func:`graphsvc.actions.migrate.migrate` of the SQLite store loaded
  above into an emptied Neo4j database (the bulk path: created, not upserted), with its stages
  (nodes, relationships, tie events, change log) and the CPU time of this process and, for a
  server this benchmark started, of the Neo4j process (wall-clock on a shared machine is mostly
  waiting for a core).
* **snapshot**: :meth:`graphsvc.snapshot.Snapshot.from_store` (a consistent full read) of that graph,
  ``--snapshots`` times in a row, the first right after the load (Neo4j plans its queries then),
  each with the CPU time of this process and of the Neo4j server.
* **offline load** (``--offline``): the same store through Neo4j's offline importer into a new
  database (:func:`benchmarks.bench_neo4j_offline.bench_offline`: export, import, first start),
  printed beside the online migrate. ``--source sqlite:///FILE --offline --runs 1`` compares the
  two on an existing store.

Every figure is the median of ``--runs`` runs (fewer for the generated graph). Neo4j gets a
dedicated server in a temporary folder on a free 127.0.0.1 port, stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby, islice
from pathlib import Path
from typing import Any

from benchmarks.bench_neo4j_offline import bench_offline
from benchmarks.bench_neo4j_offline import process_cpu as _process_cpu
from graphsvc.actions.migrate import migrate
from graphsvc.demo.dataset import load_demo
from graphsvc.generate import iter_generated
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.store.neo4j import Neo4jStore
from tests.neo4j_server import Neo4jServer, free_port, launcher

__all__ = ["load_records", "main"]

Record = Node | Relationship


def load_records(store: GraphStore, records: Iterable[Record], *, batch: int = 20_000) -> int:
    """Write records in transactions of ``batch``, runs of one kind through the batch methods."""
    changed = 0
    it = iter(records)
    while chunk := list(islice(it, batch)):
        with store.transaction(source="bench") as tx:
            for is_node, run in groupby(chunk, key=lambda r: isinstance(r, Node)):
                if is_node:
                    changed += tx.upsert_nodes(r for r in run if isinstance(r, Node))
                else:
                    changed += tx.upsert_relationships(r for r in run if isinstance(r, Relationship))
    return changed


def _timed(action: Callable[..., Any], *args: Any, **kwargs: Any) -> float:
    started = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - started


def _median(values: list[float]) -> dict[str, Any]:
    return {"median_s": round(statistics.median(values), 3), "runs": [round(v, 3) for v in values]}


class _Stores:
    """Fresh empty stores of each backend, on demand."""

    def __init__(self, folder: Path, neo4j: Neo4jServer) -> None:
        self.folder = folder
        self.neo4j = neo4j
        self.count = 0
        self.generated = ""  # the SQLite store holding the generated graph (what migrate reads)

    def fresh(self, backend: str) -> GraphStore:
        self.count += 1
        if backend == "sqlite":
            return open_store(f"sqlite:///{self.folder / f'bench-{self.count}.db'}")
        self.neo4j.clear()
        return Neo4jStore(self.neo4j.url, password=self.neo4j.password)


def _start_neo4j(folder: Path, heap: str, pagecache: str, restarts: int) -> tuple[Neo4jServer, dict[str, Any]]:
    mod = launcher()
    mod.build()
    port, password = free_port(), "bench-" + secrets.token_urlsafe(12)
    options = {"port": port, "password": password, "heap": heap, "pagecache": pagecache}
    fresh = _timed(mod.start, folder, **options)
    again = []
    for _ in range(restarts):
        mod.stop(folder)
        again.append(_timed(mod.start, folder, **options))
    server = Neo4jServer(f"bolt://127.0.0.1:{port}", password, dir=folder, port=port)
    return server, {"fresh_folder_s": round(fresh, 2), "restart": _median(again),
                    "heap": heap, "pagecache": pagecache}


def _bench_migrate(stores: _Stores, source_url: str, runs: int) -> dict[str, Any]:
    """migrate() from the SQLite store of the generated graph into an emptied Neo4j."""
    pid = _server_pid(stores.neo4j)
    walls: list[float] = []
    detail: dict[str, Any] = {}
    for _ in range(runs):
        source, target = open_store(source_url), stores.fresh("neo4j")
        stages = _Stages(pid)
        started, cpu, server = time.perf_counter(), time.process_time(), _process_cpu(pid)
        migrate(source, target, progress=stages.progress)
        walls.append(time.perf_counter() - started)
        detail = {"stages_s": {k: round(v[0], 2) for k, v in stages.seen.items()},
                  "stage_cpu_app_neo4j_s": {k: [round(v[1], 2), round(v[2], 2)] for k, v in stages.seen.items()},
                  "records": stages.records,
                  "app_cpu_s": round(time.process_time() - cpu, 2),
                  "server_cpu_s": round(_process_cpu(pid) - server, 2) if pid else None,
                  "load_average": os.getloadavg()}
        print(f"migrate into Neo4j: {walls[-1]:.1f} s {detail}", flush=True)
        source.close()
        target.close()
    return {**_median(walls), **detail}


class _Stages:
    """Wall and CPU time (this process, the Neo4j process) per stage of a migration, and of what
    comes before a stage's first call (``before nodes``: reading the source; ``before change
    log``: reading both logs)."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.seen: dict[str, list[float]] = {}
        self.records: dict[str, int] = {}
        self.last = (time.perf_counter(), time.process_time(), _process_cpu(pid))

    def progress(self, stage: str, done: int, total: int) -> None:
        now = (time.perf_counter(), time.process_time(), _process_cpu(self.pid))
        spent = self.seen.setdefault(stage if done else f"before {stage}", [0.0, 0.0, 0.0])
        for i in range(3):
            spent[i] += now[i] - self.last[i]
        self.records[stage] = total
        self.last = now


def _server_pid(server: Neo4jServer) -> int | None:
    if server.dir is None:
        return None
    try:
        return int((server.dir / "neo4j.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _snapshots(store: GraphStore, server: Neo4jServer | None, count: int) -> list[dict[str, float]]:
    """``count`` snapshots in a row (the first right after the load), each with its wall time, the
    CPU time of this process and of the Neo4j server (when this benchmark started it) and the load."""
    pid = _server_pid(server) if server is not None else None
    reads = []
    for _ in range(count):
        started, cpu, served = time.perf_counter(), time.process_time(), _process_cpu(pid)
        Snapshot.from_store(store)
        reads.append({"wall_s": round(time.perf_counter() - started, 3),
                      "app_cpu_s": round(time.process_time() - cpu, 3),
                      "server_cpu_s": round(_process_cpu(pid) - served, 2),
                      "load_average": round(os.getloadavg()[0], 1)})
    return reads


def _bench_backend(stores: _Stores, backend: str, orgs: int, runs: int, big_runs: int,
                   snapshots: int = 0) -> dict[str, Any]:
    demo: list[float] = []
    load: list[float] = []
    snap: list[float] = []
    snap_cpu: list[dict[str, float]] = []
    for _ in range(runs):
        store = stores.fresh(backend)
        demo.append(_timed(load_demo, store))
        store.close()
    sizes: dict[str, Any] = {}
    for _ in range(big_runs):
        store = stores.fresh(backend)
        load.append(_timed(load_records, store, iter_generated(orgs)))
        sizes = store.counts()
        if backend == "sqlite":
            stores.generated = store.url
        reads = _snapshots(store, stores.neo4j if backend == "neo4j" else None, snapshots or max(1, runs // 2))
        snap.extend(read["wall_s"] for read in reads)
        snap_cpu.extend(reads)
        store.close()
        print(f"{backend} {orgs}: load {load[-1]:.1f} s, snapshots {[round(x, 1) for x in snap]}", flush=True)
    return {"load_demo": _median(demo), f"load_generated_{orgs}": _median(load), "snapshot": _median(snap),
            "snapshot_reads": snap_cpu,
            "nodes": sum(sizes["nodes"].values()), "relationships": sum(sizes["relationships"].values())}


def _table(results: dict[str, Any], orgs: int) -> Iterator[str]:
    start = results["neo4j_startup"]
    yield f"Neo4j start-up: fresh folder {start['fresh_folder_s']} s; restart median {start['restart']['median_s']} s"
    yield f"{'':<26}" + "".join(f"{b:>12}" for b in ("sqlite", "neo4j") if b in results)
    done = [b for b in ("sqlite", "neo4j") if b in results]
    for key in ("load_demo", f"load_generated_{orgs}", "snapshot"):
        row = "".join(f"{results[b][key]['median_s']:>12}" for b in done)
        yield f"{key + ' (s)':<26}{row}"
    for b in done:
        for i, read in enumerate(results[b].get("snapshot_reads", [])):
            yield (f"  {b} snapshot {i + 1}: wall {read['wall_s']} s, CPU app {read['app_cpu_s']} s, "
                   f"server {read['server_cpu_s']} s, load {read['load_average']}")
    if len(done) == 2:  # issue 19's goal: a snapshot from Neo4j <= 1.5x one from SQLite
        ratio = results["neo4j"]["snapshot"]["median_s"] / max(results["sqlite"]["snapshot"]["median_s"], 1e-9)
        yield f"snapshot median, Neo4j / SQLite: {ratio:.2f}x"
    moved = results.get("migrate_into_neo4j")
    if moved:
        yield (f"migrate SQLite -> empty Neo4j: {moved['median_s']} s (stages {moved['stages_s']}; "
               f"CPU app {moved['app_cpu_s']} s, Neo4j {moved['server_cpu_s']} s)")
    offline = results.get("offline_into_neo4j")
    if offline:
        yield (f"offline import SQLite -> new Neo4j: {offline['wall_s']} s (CPU {offline['cpu_s']} s: "
               f"{offline['steps']}; {offline['records']})")
    if moved and offline:
        online_cpu = (moved["app_cpu_s"] or 0) + (moved["server_cpu_s"] or 0)
        yield (f"{'into Neo4j':<14}{'wall (s)':>10}{'CPU (s)':>10}\n{'online':<14}{moved['median_s']:>10}"
               f"{round(online_cpu, 1):>10}\n{'offline':<14}{offline['wall_s']:>10}{offline['cpu_s']:>10}")
    if done:
        yield f"generated graph: {results[done[0]]['nodes']} nodes, {results[done[0]]['relationships']} relationships"
    yield f"load average at start / end: {results['load_average_at_start']} / {results['load_average_at_end']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_stores", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k organisations, fewer runs")
    parser.add_argument("--orgs", type=int, default=None, help="organisations in the generated graph")
    parser.add_argument("--runs", type=int, default=None, help="runs for the demo load and start-up")
    parser.add_argument("--big-runs", type=int, default=None, help="runs with the generated graph")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "neo4j"], choices=["sqlite", "neo4j"])
    parser.add_argument("--snapshots", type=int, default=0,
                        help="snapshots in a row after each load (default: half of --runs)")
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="512m")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--source", help="only migrate this SQLite store (a URL) into an empty Neo4j")
    parser.add_argument("--offline", action="store_true",
                        help="also load the store through Neo4j's offline importer (beside migrate)")
    args = parser.parse_args(argv)
    orgs = args.orgs or (10_000 if args.quick else 100_000)
    runs = args.runs or (3 if args.quick else 5)
    big_runs = args.big_runs or (1 if args.quick else 2)
    with tempfile.TemporaryDirectory(prefix="goudkaart-bench-") as tmp:
        folder = Path(tmp)
        server, startup = _start_neo4j(folder / "neo4j", args.heap, args.pagecache, restarts=runs)
        try:
            stores = _Stores(folder, server)
            results: dict[str, Any] = {"neo4j_startup": startup, "orgs": orgs,
                                       "load_average_at_start": os.getloadavg()}
            for backend in [] if args.source else args.backends:
                results[backend] = _bench_backend(stores, backend, orgs, runs, big_runs, args.snapshots)
                print(f"{backend}: {json.dumps(results[backend])}", flush=True)
            source = args.source or stores.generated
            if args.offline and source:
                results["offline_into_neo4j"] = bench_offline(source, folder, heap=args.heap,
                                                              pagecache=args.pagecache)
                print(f"offline into Neo4j: {results['offline_into_neo4j']}", flush=True)
            if args.source or ("neo4j" in args.backends and stores.generated):
                results["migrate_into_neo4j"] = _bench_migrate(stores, args.source or stores.generated, big_runs)
        finally:
            server.stop()
    results["load_average_at_end"] = os.getloadavg()  # the machine may be shared: say how busy
    print("\n".join(_table(results, orgs)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
