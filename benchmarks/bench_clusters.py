"""Benchmark of funder clusters on generated cities of 10k and 100k organisations.

Run ``python -m benchmarks.bench_clusters [--quick] [--sizes 10000 100000] [--runs 2]``
(``--quick``: 2k and 10k organisations, networkx only up to 10k).

For each size the graph comes from :func:`graphsvc.generate.iter_generated` (seed 1) and is read
into a :class:`~graphsvc.snapshot.Snapshot` without a store. Then, in the same process:

* **clusters, cold** — :func:`queries.clusters.clusters` on a fresh snapshot: reading the snapshot
  into arrays, building the weighted organisation network, Leiden, ids and every profile (themes,
  areas, communities, institutions, funding, Herfindahl, islands, brokers, Dutch and English
  names). This is what the first request after a change pays. Its parts are timed separately.
* **clusters, warm** — the same with another seed on a snapshot whose arrays are already read
  (what a second clustering of one revision costs, e.g. the "bigger/smaller clusters" switch).
* **raw igraph Leiden** — only ``Graph.community_leiden`` with the same objective on the same,
  already built igraph graph (:func:`queries.cluster_detection.leiden` minus the graph conversion).
* **networkx Louvain** — ``networkx.community.louvain_communities`` (modularity, weighted, seeded)
  on the same weighted graph as a ``networkx.Graph`` (building it is not timed).

Wall time and CPU time (``time.process_time``: less disturbed when other work shares the cores)
are reported; each figure is the best of ``--runs``. **Memory peak** is the highest resident set
size above the level before the call, sampled every 5 ms in a background thread (it includes
igraph's and numpy's C allocations, which ``tracemalloc`` misses). NMI compares each result
with the clusters the generator planted.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx
import numpy as np

from graphsvc.generate import graph_data, iter_generated
from graphsvc.snapshot import Snapshot
from queries.cluster_detection import LEIDEN_ITERATIONS, REFERENCE_SIZE, detect_clusters
from queries.cluster_graph import OrganisationGraph, build_organisation_graph
from queries.cluster_index import build_cluster_index
from queries.cluster_profiles import cluster_profiles
from queries.clusters import clusters

__all__ = ["main", "Measure", "measure"]

T = TypeVar("T")


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mb: float
    result: Any = None
    walls: list[float] = field(default_factory=list)  # every run's, for medians


def _rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _sample(peak: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], _rss())
        time.sleep(0.005)


def measure(call: Callable[[], T], runs: int = 1, setup: Callable[[], None] | None = None) -> Measure:
    """Best wall and CPU time over ``runs`` calls, and the peak RSS growth of the first call."""
    best: Measure | None = None
    for _ in range(runs):
        if setup is not None:
            setup()
        gc.collect()
        base, peak, stop = _rss(), [0], threading.Event()
        sampler = threading.Thread(target=_sample, args=(peak, stop), daemon=True)
        sampler.start()
        w, c = time.perf_counter(), time.process_time()
        result = call()
        wall, cpu = time.perf_counter() - w, time.process_time() - c
        stop.set()
        sampler.join()
        peak_mb = max(peak[0], _rss()) - base
        m = Measure(wall, cpu, peak_mb / 2**20, result)
        best = m if best is None else Measure(min(best.wall, wall), min(best.cpu, cpu), best.peak_mb, best.result,
                                              best.walls)
        best.walls.append(wall)
    assert best is not None
    return best


def nmi(a: np.ndarray, b: np.ndarray) -> float:
    _, x = np.unique(a, return_inverse=True)
    _, y = np.unique(b, return_inverse=True)
    joint = np.zeros((x.max() + 1, y.max() + 1))
    np.add.at(joint, (x, y), 1)
    p = joint / len(x)
    px, py = p.sum(1), p.sum(0)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / np.outer(px, py)[nz])).sum())
    return mi / ((-(px * np.log(px)).sum() - (py * np.log(py)).sum()) / 2)


def planted(orgs: int) -> np.ndarray:
    from graphsvc.demo.synthetic import SyntheticGraph
    from graphsvc.vocab import load_vocabulary

    return np.asarray(SyntheticGraph(orgs, 1, load_vocabulary()).cluster_of)


def _parts(snap: Snapshot) -> dict[str, Measure]:
    """The cold pipeline step by step on a fresh snapshot."""
    gc.collect()
    index = measure(lambda: build_cluster_index(snap))
    snap.derived("cluster-index", lambda s: index.result)
    graph = measure(lambda: build_organisation_graph(index.result, 2004))
    found = measure(lambda: detect_clusters(snap))
    profiles = measure(lambda: cluster_profiles(snap, found.result))
    return {"read snapshot into arrays": index, "build weighted network": graph,
            "detect (network + Leiden + ids)": found, "profiles (all clusters)": profiles}


def _fresh(snapshot: Callable[[], Snapshot], holder: list[Snapshot]) -> Callable[[], None]:
    def setup() -> None:
        holder.clear()
        gc.collect()
        holder.append(snapshot())

    return setup


def _raw_leiden(graph: OrganisationGraph, runs: int) -> Measure:
    """Only igraph's community_leiden, with the objective detect_clusters uses, on a built graph."""
    import igraph as ig

    g = graph.to_igraph()
    strength = np.bincount(np.r_[graph.source, graph.target], weights=np.r_[graph.weight, graph.weight],
                           minlength=graph.size)
    scale = strength.sum() * min(1.0, REFERENCE_SIZE / graph.size)

    def call() -> list[int]:
        ig.set_random_number_generator(random.Random(2004))
        return list(g.community_leiden(objective_function="CPM", weights=graph.weight, node_weights=strength,
                                       resolution=1.0 / scale, n_iterations=LEIDEN_ITERATIONS).membership)

    return measure(call, runs)


def _networkx(graph: OrganisationGraph) -> Measure:
    """networkx Louvain (modularity, weighted, seeded) on the same network; building it is not timed."""
    started = time.perf_counter()
    ng = nx.Graph()
    ng.add_nodes_from(range(graph.size))
    ng.add_weighted_edges_from(zip(graph.source.tolist(), graph.target.tolist(), graph.weight.tolist(), strict=True))
    print(f"(networkx graph built in {time.perf_counter() - started:.1f} s, not timed)")
    louvain = measure(lambda: nx.community.louvain_communities(ng, weight="weight", seed=2004), 1)
    labels = np.zeros(graph.size, dtype=np.int64)
    for k, members in enumerate(louvain.result):
        labels[list(members)] = k
    louvain.result = labels
    return louvain


def bench(orgs: int, runs: int, with_networkx: bool,
          snapshot: Callable[[], Snapshot] | None = None) -> dict[str, Any]:
    """Every figure of one size. ``snapshot`` makes a fresh snapshot of the generated graph
    (e.g. read from a store the graph was loaded into); by default it is built from records."""
    started = time.perf_counter()
    if snapshot is None:
        data = graph_data(iter_generated(orgs, seed=1))

        def snapshot() -> Snapshot:
            return Snapshot(data)

    snap = snapshot()
    print(f"\n## {orgs:,} organisations: {len(snap.nodes):,} nodes, {snap.relationship_count:,} relationships "
          f"(generated and read in {time.perf_counter() - started:.0f} s)")
    del snap
    holder: list[Snapshot] = []
    cold = measure(lambda: clusters(holder[0]), runs, setup=_fresh(snapshot, holder))
    seeds = iter(range(7, 7 + runs))  # a new seed each run: nothing but the arrays is cached
    warm = measure(lambda: clusters(holder[0], seed=next(seeds)), runs)
    graph = build_organisation_graph(build_cluster_index(holder[0]), 2004)
    raw = _raw_leiden(graph, runs)
    rows = {"clusters with profiles, cold": cold, "clusters with profiles, warm": warm,
            "raw igraph Leiden (same graph)": raw}
    truth = planted(orgs)
    quality = {"clusters": nmi(cold.result.clustering.labels, truth), "raw Leiden": nmi(np.asarray(raw.result), truth)}
    if with_networkx:
        rows["networkx louvain_communities (same graph)"] = louvain = _networkx(graph)
        quality["networkx Louvain"] = nmi(louvain.result, truth)
    holder.clear()
    parts = _parts(snapshot())
    _report(orgs, graph.edge_count, rows, parts, quality, cold.result)
    return {"orgs": orgs, "rows": rows, "parts": parts, "quality": quality}


def _report(orgs: int, edges: int, rows: dict[str, Measure], parts: dict[str, Measure],
            quality: dict[str, float], report: Any) -> None:
    print(f"weighted organisation network: {orgs:,} vertices, {edges:,} edges; "
          f"{len(report.clusters):,} clusters, {report.clustering.unclustered:,} unclustered")
    print("\n| run | wall s | CPU s | memory peak MB |\n|---|---:|---:|---:|")
    for name, m in {**rows, **{f"  part: {k}": v for k, v in parts.items()}}.items():
        print(f"| {name} | {m.wall:.2f} | {m.cpu:.2f} | {m.peak_mb:.0f} |")
    ours, raw = rows["clusters with profiles, cold"], rows["raw igraph Leiden (same graph)"]
    print(f"\nclusters cold / raw Leiden: {ours.wall / raw.wall:.1f}× wall, {ours.cpu / raw.cpu:.1f}× CPU")
    nxr = rows.get("networkx louvain_communities (same graph)")
    if nxr is not None:
        print(f"networkx Louvain / clusters cold: {nxr.wall / ours.wall:.1f}× wall, {nxr.cpu / ours.cpu:.1f}× CPU")
    print("NMI with the planted clusters: " + ", ".join(f"{k} {v:.3f}" for k, v in quality.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_clusters", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2k and 10k organisations")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--runs", type=int, default=2, help="best of this many runs per measurement")
    parser.add_argument("--networkx-up-to", type=int, default=None,
                        help="skip networkx Louvain above this size (default: all sizes; --quick: 10k)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([2000, 10_000] if args.quick else [10_000, 100_000])
    limit = args.networkx_up_to or (10_000 if args.quick else max(sizes))
    print(f"# bench_clusters: sizes {sizes}, best of {args.runs}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    for orgs in sizes:
        bench(orgs, args.runs, orgs <= limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
