"""Benchmark of the server-side map layout and its label overlap on generated cities.

Run ``python -m benchmarks.bench_layout [--sizes 1000 10000]``.

For each size the graph comes from :func:`graphsvc.generate.iter_generated` (seed 1), read into a
:class:`~graphsvc.snapshot.Snapshot` without a store. For every district map, and for the five
largest wijk maps, it measures:

* **layout, cold** — :func:`visualisations.map_layout.area_positions` with nothing kept (a fresh
  snapshot after :func:`~visualisations.map_layout.reset_layouts`): what the first request after
  a start pays. Goals (issue 15): ≤ 0.5 s for a 500-node area, ≤ 3 s at the 5,000-node cap.
* **layout, next revision** — the same area on a new snapshot with the layout kept (no node
  added): what a request after a tie change pays.
* **payload, cached layout** — the whole :func:`~visualisations.network_map.map_payload`
  (nodes, edges, label choice) once the layout is kept.
* **overlap** — the share of labels shown at first whose box overlaps another shown box
  (:func:`visualisations.labels.overlap_share`); goal ≤ 5 %.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from graphsvc.generate import graph_data, iter_generated
from graphsvc.snapshot import Snapshot
from visualisations.labels import overlap_share
from visualisations.map_layout import area_positions, reset_layouts
from visualisations.network_map import MapFilters, map_payload


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _cpu(call: Any) -> tuple[float, float]:
    """Wall and CPU seconds of one call (CPU time is less disturbed by a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure_area(data: Any, area: str) -> dict[str, Any]:
    """Every figure of one area map."""
    reset_layouts()
    snap = Snapshot(data)
    cold, cold_cpu = _cpu(lambda: area_positions(snap, area))
    again = Snapshot(data)
    kept = _timed(lambda: area_positions(again, area))
    filters = MapFilters(area=area, types=("Organisation", "Institution"))
    payload = map_payload(again, filters)
    warm = _timed(lambda: map_payload(again, filters))
    nodes = payload["nodes"]
    return {"area": area, "nodes": len(nodes), "cold": cold, "cold_cpu": cold_cpu, "kept": kept,
            "payload": warm,
            "shown": sum(bool(n["label_shown"]) for n in nodes), "overlap": overlap_share(nodes)}


def _goal(nodes: int, seconds: float) -> str:
    if nodes <= 500:
        return "PASS" if seconds <= 0.5 else "FAIL ≤ 0.5 s"
    if nodes <= 5000:
        return "PASS" if seconds <= 3.0 else "FAIL ≤ 3 s"
    return ""


def random_cap() -> dict[str, Any]:
    """The 5,000-node cap on the worst case: random ties, no areas (groups from clusters)."""
    from benchmarks.measurements import map_graph

    reset_layouts()
    snap = map_graph()
    wall, cpu = _cpu(lambda: area_positions(snap, None))
    payload = map_payload(snap, MapFilters(types=("Organisation",)), node_limit=5000)
    print(f"\n## random 5,000 organisations, 20,000 ties, no areas: layout {wall:.2f} s (CPU {cpu:.2f} s) "
          f"{_goal(5000, wall)}; {sum(bool(n['label_shown']) for n in payload['nodes'])} labels, "
          f"overlap {overlap_share(payload['nodes']):.1%}")
    return {"wall": wall, "cpu": cpu}


def bench(orgs: int) -> list[dict[str, Any]]:
    """Rows for the district maps and the five largest wijk maps of a generated city."""
    data = graph_data(iter_generated(orgs, seed=1))
    snap = Snapshot(data)
    areas = snap.labelled("Neighbourhood")
    districts = sorted(a for a in areas if snap.nodes[a].props.get("level") == "district")
    wijken = sorted((a for a in areas if snap.nodes[a].props.get("level") == "wijk"),
                    key=lambda a: -len(snap.actors_in(a)))[:5]
    rows = [measure_area(data, str(snap.nodes[a].props.get("code") or a)) for a in districts + wijken]
    print(f"\n## {orgs:,} organisations ({len(districts)} districts, 5 largest of "
          f"{sum(1 for a in areas if snap.nodes[a].props.get('level') == 'wijk')} wijken)")
    print(f"{'area':<10} {'nodes':>6} {'layout cold':>12} {'(CPU)':>8} {'next rev.':>10} {'payload':>9} "
          f"{'labels':>7} {'overlap':>8}  goal (wall)")
    for r in rows:
        print(f"{r['area']:<10} {r['nodes']:>6} {r['cold']:>10.3f} s {r['cold_cpu']:>6.2f} s {r['kept']:>8.3f} s "
              f"{r['payload']:>7.3f} s {r['shown']:>7} {r['overlap']:>7.1%}  "
              f"{_goal(r['nodes'], r['cold'])}{'' if r['overlap'] <= 0.05 else ' overlap FAIL'}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    for size in args.sizes:
        bench(size)
    random_cap()


if __name__ == "__main__":
    main()
