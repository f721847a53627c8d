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
* **snapshot**: :meth:`graphsvc.snapshot.Snapshot.from_store` (a consistent full read) of that graph.

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


def _bench_backend(stores: _Stores, backend: str, orgs: int, runs: int, big_runs: int) -> dict[str, Any]:
    demo: list[float] = []
    load: list[float] = []
    snap: list[float] = []
    for _ in range(runs):
        store = stores.fresh(backend)
        demo.append(_timed(load_demo, store))
        store.close()
    sizes: dict[str, Any] = {}
    for _ in range(big_runs):
        store = stores.fresh(backend)
        load.append(_timed(load_records, store, iter_generated(orgs)))
        sizes = store.counts()
        snap.extend(_timed(Snapshot.from_store, store) for _ in range(max(1, runs // 2)))
        store.close()
        print(f"{backend} {orgs}: load {load[-1]:.1f} s, snapshots {[round(x, 1) for x in snap]}", flush=True)
    return {"load_demo": _median(demo), f"load_generated_{orgs}": _median(load), "snapshot": _median(snap),
            "nodes": sum(sizes["nodes"].values()), "relationships": sum(sizes["relationships"].values())}


def _table(results: dict[str, Any], orgs: int) -> Iterator[str]:
    start = results["neo4j_startup"]
    yield f"Neo4j start-up: fresh folder {start['fresh_folder_s']} s; restart median {start['restart']['median_s']} s"
    yield f"{'':<26}" + "".join(f"{b:>12}" for b in ("sqlite", "neo4j") if b in results)
    done = [b for b in ("sqlite", "neo4j") if b in results]
    for key in ("load_demo", f"load_generated_{orgs}", "snapshot"):
        row = "".join(f"{results[b][key]['median_s']:>12}" for b in done)
        yield f"{key + ' (s)':<26}{row}"
    yield f"generated graph: {results[done[0]]['nodes']} nodes, {results[done[0]]['relationships']} relationships"
    yield f"load average at start / end: {results['load_average_at_start']} / {results['load_average_at_end']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_stores", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k organisations, fewer runs")
    parser.add_argument("--orgs", type=int, default=None, help="organisations in the generated graph")
    parser.add_argument("--runs", type=int, default=None, help="runs for the demo load and start-up")
    parser.add_argument("--big-runs", type=int, default=None, help="runs with the generated graph")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "neo4j"], choices=["sqlite", "neo4j"])
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="512m")
    parser.add_argument("--json", type=Path, help="also write the figures here")
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
            for backend in args.backends:
                results[backend] = _bench_backend(stores, backend, orgs, runs, big_runs)
                print(f"{backend}: {json.dumps(results[backend])}", flush=True)
        finally:
            server.stop()
    results["load_average_at_end"] = os.getloadavg()  # the machine may be shared: say how busy
    print("\n".join(_table(results, orgs)))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
