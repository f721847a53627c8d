"""Benchmark of importing a large full-dump file: 100k organisations, ~1.1M relationships.

Run ``python -m benchmarks.bench_import [--orgs 100000] [--file PATH] [--neo4j URL]``.

1. **generate** (not part of the goal): :func:`graphsvc.generate.write_json` writes the dump
   file (or ``--file`` reuses one).
2. **import into SQLite**: :func:`importers.files.import_file` into a new SQLite file — the same
   call as ``graphsvc import FILE``: stream-read and check every record, match it against the
   (empty) store, write everything in one transaction. Goal: ≤ 60 s. The time is split into
   read, check and write from the progress callback.
3. **import into Neo4j** (``--neo4j-server`` starts a dedicated server in a temporary folder;
   ``--neo4j bolt://host:port`` uses one, credentials from ``GRAPHSVC_NEO4J_*``, EMPTY database
   only): the same call, written in transactions of ``--batch`` records (``graphsvc import
   --batch``), since one transaction of a million records exhausts Neo4j's memory. Goal: ≤ 120 s.
4. **re-import** into the SQLite store: must change nothing (revision unchanged).

Figures are wall-clock time of one run, plus the CPU time of this process (SQLite runs in it;
for Neo4j the server's time is not included). On a shared machine the wall-clock time grows with
the load; the CPU time shows the work itself. Run it on a quiet machine for the goal.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from graphsvc.generate import write_json
from graphsvc.snapshot_build import paused_gc
from graphsvc.store import GraphStore, open_store
from importers.dump import read_dump
from importers.files import import_file
from importers.limits import Limits
from importers.run import run_import

__all__ = ["main", "timed_import"]


class _Phases:
    """Wall-clock time per progress stage."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.marks: list[tuple[str, float, float]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.marks or self.marks[-1][0] != stage:
            self.marks.append((stage, time.perf_counter(), time.process_time()))

    def split(self, end: float, cpu_end: float) -> dict[str, tuple[float, float]]:
        """Per stage: (wall seconds, CPU seconds)."""
        out: dict[str, tuple[float, float]] = {}
        for i, (stage, at, cpu_at) in enumerate(self.marks):
            nxt, cpu_nxt = self.marks[i + 1][1:] if i + 1 < len(self.marks) else (end, cpu_end)
            wall, cpu = out.get(stage, (0.0, 0.0))
            out[stage] = (wall + nxt - at, cpu + cpu_nxt - cpu_at)
        return out


#: no size or row limit: the benchmark imports dumps of any size
UNLIMITED = Limits(max_bytes=1 << 50, max_rows=1 << 40)


def timed_import(store: GraphStore, path: Path, per_transaction: int | None = None, *,
                 whole: bool = False) -> dict[str, Any]:
    """Import ``path`` into ``store``; return seconds in total and per phase, and the counts.

    ``whole`` takes the path that holds every record in memory (read, plan, then write: the
    import before streaming), as the baseline of the streaming restore.
    """
    phases = _Phases()
    if whole:
        with paused_gc():
            phases("read", 0, 0)
            batch = read_dump(path, limits=UNLIMITED)
            phases("check", 0, 0)
            report = run_import(store, batch, progress=phases, per_transaction=per_transaction)
    else:
        report = import_file(store, path, progress=phases, per_transaction=per_transaction,
                             limits=UNLIMITED)
    end, cpu_end = time.perf_counter(), time.process_time()
    return {"seconds": end - phases.started, "phases": phases.split(end, cpu_end),
            "cpu": cpu_end - phases.cpu_started,
            "created": report.total("created"), "tie_events": report.tie_events_added,
            "revision": store.revision()}


def _line(title: str, result: dict[str, Any], goal: float) -> str:
    parts = ", ".join(f"{k} {wall:.1f} s ({cpu:.1f} s CPU)" for k, (wall, cpu) in result["phases"].items())
    verdict = "OK" if result["seconds"] <= goal else "OVER GOAL"
    return (f"{title}: {result['seconds']:.1f} s wall ({parts}), {result['cpu']:.1f} s CPU in this "
            f"process; {result['created']:,} records, "
            f"{result['tie_events']:,} tie events; goal ≤ {goal:.0f} s: {verdict}")


def _sqlite(db: Path, path: Path, *, whole: bool = False, again: bool = True) -> None:
    store = open_store(f"sqlite:///{db}")
    title = "import into SQLite" + (" (whole file in memory)" if whole else "")
    print(_line(title, timed_import(store, path, whole=whole), 60), flush=True)
    if not again:
        store.close()
        return
    second = timed_import(store, path, whole=whole)
    print(f"re-import into SQLite: {second['seconds']:.1f} s wall, {second['cpu']:.1f} s CPU, "
          f"{second['created']} created, revision {second['revision']} (unchanged: "
          f"{second['revision'] == 1})", flush=True)
    store.close()


def _dedicated_neo4j(folder: Path, path: Path, heap: str, per_transaction: int) -> None:
    """Start a Neo4j of our own (as benchmarks/bench_stores.py does), import, stop it."""
    import secrets

    from graphsvc.store.neo4j import Neo4jStore
    from tests.neo4j_server import free_port, launcher

    mod = launcher()
    mod.build()
    port, password = free_port(), "bench-" + secrets.token_urlsafe(12)
    url = mod.start(folder, port=port, password=password, heap=heap, pagecache="512m")
    try:
        store = Neo4jStore(url, password=password)
        print(_line("import into Neo4j", timed_import(store, path, per_transaction), 120), flush=True)
        store.close()
    finally:
        mod.stop(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_import", description=__doc__)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", type=Path, help="an existing dump to import instead of generating one")
    parser.add_argument("--neo4j", help="also import into this (empty) Neo4j, e.g. bolt://127.0.0.1:7687")
    parser.add_argument("--neo4j-server", action="store_true",
                        help="start a dedicated Neo4j (scripts/neo4j_server.py) in a temporary folder")
    parser.add_argument("--heap", default="2g", help="heap of the dedicated Neo4j server")
    parser.add_argument("--skip-sqlite", action="store_true", help="only the Neo4j import")
    parser.add_argument("--batch", type=int, default=20_000,
                        help="records per transaction for Neo4j (one huge transaction exhausts its memory)")
    parser.add_argument("--whole", action="store_true",
                        help="the baseline: hold every record in memory (read, plan, write)")
    parser.add_argument("--once", action="store_true", help="no re-import (peak RSS of one import)")
    parser.add_argument("--db", type=Path, help="the SQLite file to import into (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="goudkaart-bench-") as folder:
        path = args.file or Path(folder) / "dump.json"
        if args.file is None:
            started = time.perf_counter()
            counts = write_json(path, args.orgs, seed=args.seed)
            print(f"generate {args.orgs:,} orgs: {counts} in {time.perf_counter() - started:.1f} s "
                  f"({path.stat().st_size / 1e6:.0f} MB)")
        if not args.skip_sqlite:
            _sqlite(args.db or Path(folder) / "bench.db", path, whole=args.whole, again=not args.once)
        if args.neo4j:
            neo = open_store(args.neo4j)
            if not neo.is_empty():
                print("Neo4j database is not empty; refusing to import into it.")
                return 1
            print(_line("import into Neo4j", timed_import(neo, path, args.batch), 120))
            neo.close()
        if args.neo4j_server:
            _dedicated_neo4j(Path(folder) / "neo4j", path, args.heap, args.batch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB (RSS)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
