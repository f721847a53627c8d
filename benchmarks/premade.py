"""The measurements of one size on a pre-made SQLite store (``python -m benchmarks --store N=URL``).

Generating and importing a million organisations takes most of an hour; a store made once (e.g.
``graphsvc generate --orgs 1000000 --out d.json`` then ``graphsvc import d.json``) is reused here
**read only**: nothing is written into it (no tie change, no kept layout, no accounts), and the
run fails if its revision, size or modification time changed. What needs a write (the update after
a tie change, the import) is measured elsewhere (``bench_snapshot --store`` on a copy,
``--dump N=FILE`` here, ``bench_import --file``) and its row says so.

One snapshot is alive at a time: the memory child first (a fresh process), then the builds, then
on the last snapshot clusters (cold: its first clustering), matches, islands, agenda and the map.
"""

from __future__ import annotations

import gc
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.measurements import (
    _islands_agenda,
    _matches,
    _row,
    _snapshot_memory,
    _spread,
    _timed,
    fmt,
    quiet,
)

__all__ = ["store_path", "fingerprint", "measure_premade", "measure_dump"]

ROOT = Path(__file__).resolve().parents[1]


def store_path(url: str) -> Path:
    """The file of a pre-made SQLite store URL; ValueError naming the problem.

    Examples
    --------
    >>> store_path("neo4j://localhost:7687")
    Traceback (most recent call last):
    ...
    ValueError: --store takes a SQLite store (sqlite:///PATH), not 'neo4j://localhost:7687'
    """
    if not url.startswith("sqlite:///"):
        raise ValueError(f"--store takes a SQLite store (sqlite:///PATH), not {url!r}")
    path = Path(url.removeprefix("sqlite:///"))
    if not path.is_file():
        raise ValueError(f"--store {url}: there is no store file at {path}")
    return path


def fingerprint(path: Path) -> tuple[int, int, str]:
    """What must not change while the store is measured: its size, modification time and revision
    (read with a read-only connection)."""
    import sqlite3

    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    finally:
        conn.close()
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, str(row[0] if row else "")


def _map_rows(snap: Any, runs: int) -> list[dict[str, Any]]:
    """The map with the 5,000-node cap: the largest area of at most 5,000 actors, laid out cold
    (no layout kept, nothing written: no store), then the whole graph (aggregated above the cap)."""
    from visualisations.map_layout import reset_layouts
    from visualisations.network_map import MapFilters, build_map_payload

    areas = [(len(snap.actors_in(a)), a) for a in snap.labelled("Neighbourhood")]
    size, area = max((n, a) for n, a in areas if n <= 5000)
    code = str(snap.nodes[area].props.get("code") or area)
    filters = MapFilters(area=code, types=("Organisation", "Institution"))

    def cold() -> dict[str, Any]:
        reset_layouts()
        return build_map_payload(snap, filters, node_limit=5000)

    made: list[dict[str, Any]] = []
    timing = _timed(lambda: made.append(cold()), runs)
    payload = made[-1]
    whole = MapFilters(types=("Organisation", "Institution"))
    overview = _timed(lambda: made.append(build_map_payload(snap, whole, node_limit=5000)), runs)
    mode, shown = made[-1].get("mode", "graph"), len(made[-1]["nodes"])
    actors = len(snap.actors_in(None))
    return [_row("map payload, 5k cap, positions", "s", timing, note=(
                 f"area {snap.name(area)} ({size:,} actors, the largest ≤ 5,000): {len(payload['nodes']):,} "
                 f"nodes, {len(payload['edges']):,} edges, layout cold each run")),
            _row("map payload, whole graph", "s", overview, note=f"every actor ({actors:,}): the {mode} view, {shown:,} nodes"
                 + (" (above the cap)" if actors > 5000 else ""))]


def _clusters(snap: Any, runs: int) -> dict[str, Any]:
    """Clusters with profiles on the snapshot's first clustering, beside raw igraph Leiden on the
    same weighted network (bench_clusters); the note says where the CPU time goes."""
    from benchmarks import bench_clusters
    from queries.cluster_graph import build_organisation_graph
    from queries.cluster_index import build_cluster_index
    from queries.cluster_profiles import cluster_profiles
    from queries.clusters import clusters

    cold = bench_clusters.measure(lambda: clusters(snap), 1)
    index = bench_clusters.measure(lambda: build_cluster_index(snap))  # again, not cached
    graph = bench_clusters.measure(lambda: build_organisation_graph(index.result, 2004))
    raw = bench_clusters._raw_leiden(graph.result, runs)
    profiles = bench_clusters.measure(lambda: cluster_profiles(snap, cold.result.clustering))
    parts = (f"index {fmt(index.cpu)} s, network {fmt(graph.cpu)} s, Leiden {fmt(raw.cpu)} s, "
             f"profiles {fmt(profiles.cpu)} s")
    return _row("clusters with profiles", "s", _spread(cold.walls), "raw igraph Leiden (same graph)",
                _spread(raw.walls), f"the snapshot's first clustering; CPU {fmt(cold.cpu)} s (parts: {parts}); "
                f"{graph.result.size:,} vertices, {graph.result.edge_count:,} edges, "
                f"{len(cold.result.clusters):,} clusters")


def _matches_cpu(snap: Any, orgs: int, quick: bool) -> str:
    """The same partner matches timed in CPU time (a shared machine's wall times wait for a core)."""
    from benchmarks.bench_matching import measure

    row = measure(orgs, lambda n, seed: ([], []), 150 if quick else 300, 0, snapshot=snap,
                  clock=time.process_time_ns)
    cpu = sorted(row.fast)
    return (f"; in CPU time p50 {fmt(cpu[round(0.5 * (len(cpu) - 1))])} ms, "
            f"p99 {fmt(cpu[round(0.99 * (len(cpu) - 1))])} ms")


def measure_premade(orgs: int, quick: bool, url: str) -> dict[str, Any]:
    """Every measurement for one size on the pre-made store ``url`` (read only; see the module)."""
    import importlib

    from benchmarks.bench_snapshot import full_builds
    from graphsvc.store import open_store

    path = store_path(url)
    before = fingerprint(path)
    runs = 1 if orgs >= 1_000_000 else 2 if orgs >= 100_000 else 3
    for module in ("graphsvc.snapshot", "queries.matching", "queries.clusters", "queries.agenda"):
        importlib.import_module(module)  # what a server has loaded: the memory baseline
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    memory = _snapshot_memory(path)  # its own process, before this one holds a snapshot
    memory["note"] += "; one process (workers share only what preload and copy-on-write keep shared)"
    store = open_store(url, create=False)
    snap, walls, cpus = full_builds(store, runs)
    full = _row("snapshot from SQLite", "s", walls, note=f"as the app's cache builds it; CPU {fmt(cpus['median'])} s")
    update = _row("snapshot update, one tie change", "ms", None,
                  note="not measured: the pre-made store is read only (bench_snapshot --store on a copy)")
    clusters = _clusters(snap, runs)
    matches = _matches(orgs, quick, snap)
    matches[0]["note"] += _matches_cpu(snap, orgs, quick)
    islands = _islands_agenda(snap, runs)
    maps = _map_rows(snap, runs)
    server = _peak(base_rss)
    del snap
    store.close()
    gc.collect()
    after = fingerprint(path)
    if after != before:
        raise RuntimeError(f"the pre-made store {path} changed during the run: {before} -> {after}")
    rows = [full, update, memory, *matches, clusters, *islands, *maps, server]
    return {"orgs": orgs, "seconds": time.perf_counter() - started, "rows": rows,
            "store": f"{url} (read only, revision {before[2]})"}


def _peak(base: float) -> dict[str, Any]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _row("memory peak (RSS)", "MB", {"median": peak, "min": peak, "max": peak, "n": 1},
                "interpreter + libraries", {"median": base, "min": base, "max": base, "n": 1},
                "one snapshot: read, clusters, matches, islands, agenda, map")


def measure_dump(dump: Path, folder: Path) -> list[dict[str, Any]]:
    """The import of a pre-made dump into a new SQLite file in ``folder`` (deleted afterwards), in
    a fresh process as ``bench_import --file DUMP --once`` runs it: its wall and CPU time and that
    process's peak RSS."""
    import json

    if not dump.is_file():
        raise ValueError(f"--dump: there is no dump file at {dump}")
    db = folder / "import.db"
    code = ("import json, sys; from benchmarks.premade import _import_child; "
            "print(json.dumps(_import_child(sys.argv[1], sys.argv[2])))")
    done = subprocess.run([sys.executable, "-c", code, str(dump), str(db)], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    for leftover in folder.glob("import.db*"):
        leftover.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"the import of {dump} failed: {done.stderr[-500:]}")
    got = json.loads(done.stdout.strip().splitlines()[-1])

    def one(value: float) -> dict[str, Any]:
        return {"median": value, "min": value, "max": value, "n": 1}

    return [_row("import of a full dump into SQLite", "s", one(got["seconds"]), note=(
                 f"{dump.name}: {got['created']:,} records, {got['tie_events']:,} tie events; CPU "
                 f"{fmt(got['cpu'])} s (a fresh process, as bench_import --file --once)")),
            _row("import peak RSS", "MB", one(got["peak_mb"]), note="ru_maxrss of that process")]


def _import_child(dump: str, db: str) -> dict[str, Any]:
    from benchmarks.bench_import import timed_import
    from graphsvc.store import open_store

    store = open_store(f"sqlite:///{db}")
    result = quiet(lambda: timed_import(store, Path(dump)))
    store.close()
    return {"seconds": result["seconds"], "cpu": result["cpu"], "created": result["created"],
            "tie_events": result["tie_events"],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
