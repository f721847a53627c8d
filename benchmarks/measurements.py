"""The measurements of one size for ``python -m benchmarks``, as rows of its table.

:func:`measure_size` runs in a child process of its own, so the memory peak (``ru_maxrss``) belongs
to that size alone.
"""

from __future__ import annotations

import contextlib
import io
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["measure_size", "map_graph", "pyvis_picture", "quiet", "fmt"]


def _spread(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def _timed(call: Callable[[], object], runs: int) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return _spread(times)


def _row(name: str, unit: str, ours: dict[str, Any] | None, baseline_name: str = "",
         baseline: dict[str, Any] | None = None, note: str = "") -> dict[str, Any]:
    return {"measurement": name, "unit": unit, "ours": ours, "baseline_name": baseline_name,
            "baseline": baseline, "note": note}


def quiet(call: Callable[[], Any]) -> Any:
    """``call()`` with what it prints swallowed."""
    with contextlib.redirect_stdout(io.StringIO()):
        return call()


def fmt(value: float) -> str:
    """A figure as the table and its notes print it."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


# -- the measurements of one size (run in a child process) ---------------------------------------
def _snapshot(orgs: int, store: Any, runs: int) -> tuple[Any, list[dict[str, Any]]]:
    """Full builds from the SQLite store, then updates after one tie change (bench_snapshot)."""
    from benchmarks.bench_snapshot import full_builds, updates

    snap, walls, cpus = full_builds(store, runs)
    full = _row("snapshot from SQLite", "s", walls, note=f"as the app's cache builds it; CPU {fmt(cpus['median'])} s")
    # the baseline is the full build just measured: the same store, one tie apart
    snap, ours, _, source = updates(store, snap, runs, rebuild=False)
    update = _row("snapshot update, one tie change", "ms", _ms(ours), "full build (the row above)",
                  _ms(walls), f"changes {source}"[:120])
    return snap, [full, update]


def _snapshot_memory(path: Path) -> dict[str, Any]:
    """The RSS one snapshot adds to a fresh server process, against an igraph edge list of the
    same relationships (bench_snapshot.snapshot_memory)."""
    from benchmarks.bench_snapshot import snapshot_memory

    figures = snapshot_memory(path)

    def one(value: float) -> dict[str, Any]:
        return {"median": value, "min": value, "max": value, "n": 1}

    per_edge = figures["snapshot"] * 2**20 / max(figures["relationships"], 1)
    return _row("snapshot memory (RSS)", "MB", one(figures["snapshot"]), "igraph edge list, same relationships",
                one(figures["igraph"]), f"fresh process, as the app's cache reads it; {per_edge:,.0f} bytes "
                f"per relationship")


def _records_baseline(orgs: int, runs: int, row: dict[str, Any]) -> None:
    """The snapshot row's baseline: the same graph from in-memory records, no store."""
    from graphsvc.generate import generate
    from graphsvc.snapshot import Snapshot
    from graphsvc.store.base import GraphData

    nodes, rels = generate(orgs)
    row.update(baseline_name="from in-memory records (no store)",
               baseline=_timed(lambda: Snapshot(GraphData(0, nodes, rels, [])), runs))


def _neo4j_snapshot(orgs: int, runs: int, neo4j: dict[str, str] | None, sqlite: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.bench_stores import load_records
    from graphsvc.generate import iter_generated
    from graphsvc.snapshot import Snapshot
    from graphsvc.store.neo4j import Neo4jStore

    if neo4j is None:
        return _row("snapshot from Neo4j", "s", None, note="skipped: no Neo4j (see docs/performance.md)")
    if orgs > 10_000:
        return _row("snapshot from Neo4j", "s", None, note="skipped at this size: loading takes minutes; see bench_stores")
    try:
        store = Neo4jStore(neo4j["url"], password=neo4j["password"])
        if not store.is_empty():
            store.close()
            return _row("snapshot from Neo4j", "s", None, note="skipped: the Neo4j database is not empty")
        load_records(store, iter_generated(orgs))
        timing = _timed(lambda: Snapshot.from_store(store), runs)
        store.close()
        _clear_neo4j(neo4j)  # leave the database empty again, as it was found
    except Exception as exc:
        return _row("snapshot from Neo4j", "s", None, note=f"failed: {type(exc).__name__}: {exc}"[:120])
    return _row("snapshot from Neo4j", "s", timing, "snapshot from SQLite", sqlite)


def _clear_neo4j(neo4j: dict[str, str]) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(neo4j["url"], auth=("neo4j", neo4j["password"])) as driver, \
            driver.session(database="neo4j") as session:  # auto-commit: IN TRANSACTIONS needs it
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def _matches(orgs: int, quick: bool, snap: Any) -> list[dict[str, Any]]:
    from benchmarks.bench_matching import measure

    samples, loop_samples = (150, 10) if quick else (300, 10 if orgs >= 100_000 else 30)
    loop_samples = 1 if orgs >= 1_000_000 else loop_samples  # the loop reads every actor: ~1 min at 1M
    row = measure(orgs, lambda n, seed: ([], []), samples, loop_samples, snapshot=snap)
    fast, loop = sorted(row.fast), sorted(row.loop)

    def pct(values: list[float], q: float) -> dict[str, Any]:
        value = values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]
        return {"median": value, "min": values[0], "max": values[-1], "n": len(values)}

    note = f"loop agrees on {row.agree}/{len(loop)} rankings"
    return [_row("partner matches p50", "ms", pct(fast, 50), "plain Python loop p50", pct(loop, 50), note),
            _row("partner matches p99", "ms", pct(fast, 99), "plain Python loop p99", pct(loop, 99))]


def _clusters(orgs: int, runs: int, store: Any) -> tuple[list[dict[str, Any]], Any]:
    """Clusters with profiles on fresh snapshots read from the store; the network for later."""
    try:
        from benchmarks import bench_clusters
        from graphsvc.snapshot import Snapshot
    except ImportError as exc:
        return [_row("clusters with profiles", "s", None, note=f"skipped: {exc}")], None
    try:
        result = quiet(lambda: bench_clusters.bench(orgs, runs, False, lambda: Snapshot.from_store(store)))
    except Exception as exc:
        return [_row("clusters with profiles", "s", None, note=f"failed: {type(exc).__name__}: {exc}"[:120])], None
    rows = result["rows"]
    cold = _spread(rows["clusters with profiles, cold"].walls)
    raw = _spread(rows["raw igraph Leiden (same graph)"].walls)
    return [_row("clusters with profiles", "s", cold, "raw igraph Leiden (same graph)", raw,
                 f"cold: a fresh snapshot each run; CPU {fmt(rows['clusters with profiles, cold'].cpu)} s (best)")], result


def _networkx_row(quick: bool, orgs: int, clusters: list[dict[str, Any]], store: Any) -> dict[str, Any]:
    cold = clusters[0]["ours"]
    if cold is None or (quick and orgs > 10_000):
        return _row("clusters with profiles", "s", cold, "networkx Louvain (same graph)", None,
                    "networkx skipped at this size")
    from benchmarks import bench_clusters
    from graphsvc.snapshot import Snapshot
    from queries.cluster_detection import organisation_graph

    louvain = quiet(lambda: bench_clusters._networkx(organisation_graph(Snapshot.from_store(store))))
    return _row("clusters with profiles", "s", cold, "networkx Louvain (same graph)",
                {"median": louvain.wall, "min": louvain.wall, "max": louvain.wall, "n": 1})


def _islands_agenda(snap: Any, runs: int) -> list[dict[str, Any]]:
    from queries.agenda import neighbourhood_agenda
    from queries.islands import _islands, islands, members_of

    areas = [a for a in snap.labelled("Neighbourhood") if snap.nodes[a].props.get("level") == "district"]
    area = max(areas, key=lambda a: len(snap.actors_in(a)))
    members = set(snap.actors_in(area))

    def naive() -> list[str]:  # the baseline: every organisation, its ties looked up one by one
        out = []
        for org in snap.labelled("Organisation"):
            if org in members and not [b for b, rung in snap.ties.get(org, {}).items()
                                       if rung >= 2 and b in members]:
                out.append(org)
        return out

    first = _timed(lambda: islands(snap, area), 1)
    # computed again with the area's members known (islands() itself now answers a second call
    # from the snapshot's cache, which is not what this row measures)
    warm = _timed(lambda: _islands(snap, members_of(snap, area), 2), runs)
    agenda = _timed(lambda: neighbourhood_agenda(snap, area), runs)
    return [_row("islands of an area, first call", "ms", _ms(first), "bare tie scan (does less)", _ms(_timed(naive, runs)),
                 f"area {snap.name(area)}: {len(members):,} actors"),
            _row("islands of an area, again", "ms", _ms(warm), "bare tie scan (does less)", _ms(_timed(naive, runs))),
            _row("agenda of an area", "ms", _ms(agenda), note="no baseline: no simpler equivalent")]


def _ms(seconds: dict[str, Any]) -> dict[str, Any]:
    return {k: v * 1000 if k != "n" else v for k, v in seconds.items()}


def map_graph(nodes: int = 5000, edges: int = 20_000, seed: int = 5) -> Any:
    """A snapshot of exactly ``nodes`` organisations and ``edges`` ties (for the map payload)."""
    from graphsvc.model import Node, Relationship
    from graphsvc.snapshot import Snapshot
    from graphsvc.store.base import GraphData

    rng = random.Random(seed)
    ids = [f"org-{i:05d}" for i in range(nodes)]
    recs = [Node(i, "Organisation", {"name": f"Organisatie {i[4:]}"}) for i in ids]
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < edges:
        a, b = rng.sample(ids, 2)
        pairs.add((min(a, b), max(a, b)))
    ties = [Relationship("TIE", a, b, {"rung": rng.randint(1, 5)}) for a, b in sorted(pairs)]
    return Snapshot(GraphData(0, recs, ties, []))


def pyvis_picture(payload: dict[str, Any]) -> Any:
    """The baseline: the same nodes and edges through pyvis ``Network.add_node``/``add_edge``."""
    from pyvis.network import Network

    net = Network(height="800px", width="100%")
    for n in payload["nodes"]:
        net.add_node(n["id"], label=n.get("label", ""), title=n.get("title", ""), color=n.get("color"))
    for e in payload["edges"]:
        net.add_edge(e["from"], e["to"], width=e.get("width", 1), color=e.get("color"), title=e.get("title", ""))
    return net


def _map(runs: int) -> list[dict[str, Any]]:
    import gc
    import warnings

    from visualisations.network_map import MapFilters, build_map_payload, map_payload

    snap = map_graph()
    gc.collect()
    gc.freeze()  # as the app's SnapshotCache holds a snapshot: out of the collector's sight (for good)
    filters = MapFilters(types=("Organisation",))
    payload = map_payload(snap, filters, node_limit=5000)  # the layout is kept from here on
    # built anew each run (map_payload keeps it per revision: a second call only copies it)
    ours = _timed(lambda: build_map_payload(snap, filters, node_limit=5000), runs)
    again = _timed(lambda: map_payload(snap, filters, node_limit=5000), runs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyvis = _timed(lambda: pyvis_picture(payload), 1)
    shown = (f"{len(payload['nodes']):,} nodes, {len(payload['edges']):,} edges in the payload, layout kept; "
             f"again at the same revision (kept payload): {fmt(again['median'] * 1000)} ms")
    return [_row("map payload 5k/20k", "s", ours, "pyvis add_node/add_edge (1 run)", pyvis, shown)]


def _import(orgs: int, folder: Path) -> list[dict[str, Any]]:
    from benchmarks.bench_import import timed_import
    from benchmarks.bench_stores import load_records
    from graphsvc.generate import iter_generated, write_json
    from graphsvc.store import open_store

    dump = folder / "dump.json"
    write_json(dump, orgs)
    store = open_store(f"sqlite:///{folder / 'import.db'}")
    result = timed_import(store, dump)
    store.close()
    raw = open_store(f"sqlite:///{folder / 'raw.db'}")
    direct = _timed(lambda: load_records(raw, iter_generated(orgs)), 1)
    raw.close()
    one = {"median": result["seconds"], "min": result["seconds"], "max": result["seconds"], "n": 1}
    return [_row("import of a full dump into SQLite", "s", one, "raw batched writes, no read/check", direct,
                 f"{result['created']:,} records; goal ≤ 60 s at 100k (bench_import)")]


def _peak(name: str, base: float, note: str) -> dict[str, Any]:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _row(name, "MB", {"median": peak, "min": peak, "max": peak, "n": 1}, "interpreter + libraries",
                {"median": base, "min": base, "max": base, "n": 1}, note)


def measure_size(orgs: int, quick: bool, neo4j: dict[str, str] | None) -> dict[str, Any]:
    """Every measurement for one size (call in a fresh process: the RSS peak is for this size).

    First what a server does, on a SQLite store holding the generated graph: read the snapshot,
    update it after a tie change, answer matches, clusters, islands and agendas; the memory
    peak so far is the server's. Then the baselines and steps that hold generated records in
    memory (a snapshot from records, networkx, Neo4j, the import), and the peak of the run.
    """
    import gc
    import importlib

    from benchmarks.bench_snapshot import prepared_store

    runs = 2 if orgs >= 100_000 or (quick and orgs >= 10_000) else 3
    for module in ("graphsvc.snapshot", "queries.matching", "queries.clusters", "queries.agenda"):
        importlib.import_module(module)  # what a server has loaded: the memory baseline
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="goudkaart-bench-") as tmp:
        folder = Path(tmp)
        store = prepared_store(folder / "graph.db", orgs)  # streamed in: no records held
        snap, (full, update) = _snapshot(orgs, store, runs)
        memory = _snapshot_memory(folder / "graph.db")
        matches = _matches(orgs, quick, snap)
        islands = _islands_agenda(snap, runs)
        del snap  # clusters run cold: on fresh snapshots, one at a time, as after a change
        gc.collect()
        clusters, _ = _clusters(orgs, 1 if orgs >= 100_000 and quick else runs, store)
        server = _peak("memory peak (RSS)", base_rss, "one snapshot at a time: read, update, matches, "
                       "islands, agenda, then clusters on fresh ones")
        gc.collect()
        clusters.append(_networkx_row(quick, orgs, clusters, store))
        store.close()
        _records_baseline(orgs, runs, full)
        gc.collect()
        neo = _neo4j_snapshot(orgs, runs, neo4j, full["ours"])
        rest = _import(orgs, folder)
        if orgs == 10_000:  # the map picture has a fixed size; measured once
            rest += _map(runs)
    rows = [full, update, neo, memory, *matches, *clusters, *islands, *rest, server,
            _peak("memory peak (RSS), whole run", base_rss, "also generated records, the baselines and the import")]
    return {"orgs": orgs, "seconds": time.perf_counter() - started, "rows": rows}
