"""Benchmark of the server-side map layout, the map payload and its label overlap.

Run ``python -m benchmarks.bench_layout [--sizes 1000 10000] [--runs 3]``.

For each size the graph comes from :func:`graphsvc.generate.iter_generated` (seed 1), read into a
:class:`~graphsvc.snapshot.Snapshot` without a store. For every district map and the five largest
wijk maps, then for the 5,000-node cap on the worst case (5,000 organisations with 20,000 random
ties and no areas: groups come from clusters), it measures, as medians of ``--runs`` runs:

* **layout cold** — the area's layout with nothing kept
  (:func:`~visualisations.map_layout.reset_layouts`, then the layout of the area on a snapshot
  whose own indexes are built, as a server's are before its first map request): what the first
  map request after a start pays. Wall and CPU seconds (on a shared machine the CPU time is what
  the layout itself costs; the wall time adds the waits for a core). Goals (issue 15):
  ≤ 0.5 s for a 500-node area, ≤ 3 s at the 5,000-node cap.
* **baseline** — one plain igraph Fruchterman–Reingold call with igraph's defaults on the same
  nodes and ties (no groups, no overlap removal), measured in the same run; **ratio** = ours /
  baseline (below 1: faster than the plain call).
* **next rev.** — the same area once the layout is kept (what a request after a tie change pays).
* **payload built** — :func:`~visualisations.network_map.build_map_payload` (nodes, edges, label
  choice) with the layout kept; **cached** — :func:`~visualisations.network_map.map_payload`
  again at the same revision (built once per revision); **JSON** — encoding that payload with
  :func:`json.dumps`, which every response pays anyway (the payload's baseline).
* **overlap** — the share of labels shown at first whose box overlaps another shown box
  (:func:`visualisations.labels.overlap_share`); goal ≤ 5 %.

The snapshot is frozen out of the garbage collector's sight once built (``gc.freeze``), as the
app's ``SnapshotCache`` does; without that, each payload build pays a full collection over the
snapshot (about 40 % more CPU at 5,000 nodes). The load average (``os.getloadavg``) is printed
before and after each table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import igraph as ig

from graphsvc.generate import graph_data, iter_generated
from graphsvc.snapshot import Snapshot
from visualisations import network_map
from visualisations.labels import overlap_share
from visualisations.map_layout import _build, _tie_edges, reset_layouts
from visualisations.network_map import MapFilters, map_payload

#: The payload builder without the per-revision cache (older code had only ``map_payload``).
build_map_payload: Callable[..., dict[str, Any]] = getattr(network_map, "build_map_payload", map_payload)


def _runs(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``runs`` calls."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _frozen(snap: Snapshot) -> Snapshot:
    """The snapshot as a server holds it: out of the collector's sight (``SnapshotCache.get``)."""
    gc.collect()
    gc.freeze()
    return snap


def plain_fr(snap: Snapshot, actors: list[str]) -> None:
    """The baseline: one igraph Fruchterman–Reingold call with its defaults on the same graph."""
    index = {a: i for i, a in enumerate(sorted(actors))}
    edges = [(index[a], index[b]) for a, b in _tie_edges(snap, actors)]
    ig.set_random_number_generator(random.Random(7))
    try:
        ig.Graph(n=len(index), edges=edges).layout_fruchterman_reingold()
    finally:
        ig.set_random_number_generator(random)


def measure_area(snap: Snapshot, area: str | None, runs: int, *, node_limit: int = 1500,
                 types: tuple[str, ...] = ("Organisation", "Institution")) -> dict[str, Any]:
    """Every figure of one area map (``area`` None: every actor)."""
    area_id = snap.area(area).id if area else None
    actors = snap.actors_in(area_id)

    def cold() -> None:
        reset_layouts()
        _build(snap, area_id)

    wall, cpu = _runs(cold, runs)
    base_wall, base_cpu = _runs(lambda: plain_fr(snap, actors), runs)
    kept, _ = _runs(lambda: _build(snap, area_id), runs)
    filters = MapFilters(area=area, types=types)
    built, built_cpu = _runs(lambda: build_map_payload(snap, filters, node_limit=node_limit), runs)
    payload = map_payload(snap, filters, node_limit=node_limit)
    cached, _ = _runs(lambda: map_payload(snap, filters, node_limit=node_limit), runs)
    encoded, _ = _runs(lambda: json.dumps(payload), runs)
    nodes = payload["nodes"]
    return {"area": area or "all", "nodes": len(nodes), "edges": len(payload["edges"]),
            "cold": wall, "cold_cpu": cpu, "base": base_wall, "base_cpu": base_cpu, "kept": kept,
            "built": built, "built_cpu": built_cpu, "cached": cached, "json": encoded,
            "shown": sum(bool(n["label_shown"]) for n in nodes), "overlap": overlap_share(nodes)}


def _goal(nodes: int, seconds: float) -> str:
    if nodes <= 500:
        return "PASS" if seconds <= 0.5 else "FAIL ≤ 0.5 s"
    if nodes <= 5000:
        return "PASS" if seconds <= 3.0 else "FAIL ≤ 3 s"
    return "(over the cap)"


HEADER = (f"{'area':<10} {'nodes':>6} {'layout cold':>11} {'(CPU)':>6} {'baseline':>9} {'ratio':>6} "
          f"{'next rev.':>9} {'payload built':>13} {'(CPU)':>6} {'cached':>8} {'JSON':>7} {'ratio':>6} "
          f"{'labels':>6} {'overlap':>7}  goal (layout wall)")


def row(r: dict[str, Any]) -> str:
    return (f"{r['area']:<10} {r['nodes']:>6} {r['cold']:>9.3f} s {r['cold_cpu']:>6.3f} "
            f"{r['base']:>7.3f} s {r['cold'] / r['base']:>5.2f}× {r['kept'] * 1000:>6.2f} ms "
            f"{r['built']:>11.3f} s {r['built_cpu']:>6.3f} {r['cached'] * 1000:>5.2f} ms "
            f"{r['json']:>5.3f} s {r['built'] / r['json']:>5.2f}× {r['shown']:>6} {r['overlap']:>7.1%}  "
            f"{_goal(r['nodes'], r['cold'])}{'' if r['overlap'] <= 0.05 else ' overlap FAIL'}")


def random_cap(runs: int) -> dict[str, Any]:
    """The 5,000-node cap on the worst case: random ties, no areas (groups from clusters)."""
    from benchmarks.measurements import map_graph

    print(f"\n## random 5,000 organisations, 20,000 ties, no areas ({_load()})")
    print(HEADER)
    snap = _frozen(map_graph())
    result = measure_area(snap, None, runs, node_limit=5000, types=("Organisation",))
    print(row(result))
    print(kept_cost(snap, runs, result["cold"]))
    gc.unfreeze()
    return result


def kept_cost(snap: Snapshot, runs: int, cold: float) -> str:
    """What keeping the layout in a store (a SQLite file) costs at the cap: encoding and writing
    it (compare-and-set), and reading and decoding it (what a worker pays instead of a build)."""
    import tempfile

    from graphsvc.store import open_store
    from visualisations.map_layout import LAYOUT_KIND, decode_layout, encode_layout

    pos = _build(snap, None)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/kept.db")
        try:
            kept = [encode_layout(0, pos)]

            def write() -> None:
                value = encode_layout(len(kept), pos)
                assert store.put_kept(LAYOUT_KIND, "", value, expected=kept[-1] if len(kept) > 1 else None)
                kept.append(value)

            def read() -> None:
                raw = store.get_kept(LAYOUT_KIND, "")
                assert raw is not None and decode_layout(raw) is not None

            written, _ = _runs(write, 1)
            write_wall, _ = _runs(write, runs)
            read_wall, read_cpu = _runs(read, runs)
        finally:
            store.close()
    size = len(kept[-1])
    return (f"kept layout ({len(pos):,} nodes, {size / 1024:.0f} KiB JSON, SQLite file): first write "
            f"{written * 1000:.1f} ms, next writes {write_wall * 1000:.1f} ms, read+decode "
            f"{read_wall * 1000:.1f} ms (CPU {read_cpu * 1000:.1f} ms) = {read_wall / cold:.1%} of the cold layout")


def bench(orgs: int, runs: int) -> list[dict[str, Any]]:
    """Rows for the district maps and the five largest wijk maps of a generated city."""
    data = graph_data(iter_generated(orgs, seed=1))
    snap = _frozen(Snapshot(data))
    areas = snap.labelled("Neighbourhood")
    districts = sorted(a for a in areas if snap.nodes[a].props.get("level") == "district")
    wijken = sorted((a for a in areas if snap.nodes[a].props.get("level") == "wijk"),
                    key=lambda a: -len(snap.actors_in(a)))[:5]
    print(f"\n## {orgs:,} organisations ({len(districts)} districts, 5 largest of "
          f"{sum(1 for a in areas if snap.nodes[a].props.get('level') == 'wijk')} wijken; "
          f"medians of {runs} runs; {_load()})")
    print(HEADER)
    rows = []
    for a in districts + wijken:
        rows.append(measure_area(snap, str(snap.nodes[a].props.get("code") or a), runs))
        print(row(rows[-1]), flush=True)
    gc.unfreeze()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for size in args.sizes:
        bench(size, args.runs)
    random_cap(args.runs)
    print(f"\n({_load()} at the end)")


if __name__ == "__main__":
    main()
