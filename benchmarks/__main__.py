"""One benchmark command: ``python -m benchmarks [--quick] [--json out.json] [--no-neo4j]``.

Generates graphs of 1k, 10k and 100k organisations (``--quick``: 1k and 10k, under two minutes)
and prints ONE table: for every measurement its median and spread, the baseline measured in the
same run, the ratio ours/baseline, and the goal from issue 9 as PASS/FAIL. Each size runs in its
own child process, so the memory peak (``ru_maxrss``) belongs to that size alone.

Each size is measured as a server works: the graph is streamed into a SQLite store, the
snapshot read from it (full builds, then updates after one tie change, vs a full build), and the
queries answered on that snapshot; the memory peak at that point is the row with the goal. Then
come the baselines that hold generated records in memory (a snapshot from records, networkx
Louvain, Neo4j, the import), and the peak of the whole run.

The measurements (:mod:`benchmarks.measurements`) reuse the other benchmark modules:
:mod:`benchmarks.bench_snapshot` (full builds and updates),
:mod:`benchmarks.bench_matching` (``measure``: partner matches vs a plain per-candidate loop),
:mod:`benchmarks.bench_clusters` (``bench``: clusters with profiles vs raw igraph Leiden and
networkx Louvain), :mod:`benchmarks.bench_import` (``timed_import``) and
:mod:`benchmarks.bench_stores` (``load_records``, Neo4j start-up).
Neo4j is measured when ``GRAPHSVC_BENCH_NEO4J`` (a bolt URL of an EMPTY database, password in
``GRAPHSVC_NEO4J_PASSWORD``) is set, or when scripts/neo4j_server.py can start one; else the row
says why it was skipped. HTTP throughput and the browser map have their own commands
(``python -m benchmarks.bench_http``, ``python -m benchmarks.bench_browser``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measurements import fmt, measure_size, quiet

ROOT = Path(__file__).resolve().parents[1]
GOALS = {  # measurement -> (limit, unit, size it applies to; None = every size)
    "partner matches p50": (5.0, "ms", 100_000),
    "partner matches p99": (25.0, "ms", 100_000),
    "clusters with profiles": (3.0, "s", 100_000),
    "map payload 5k/20k": (0.5, "s", None),
    "snapshot from SQLite": (10.0, "s", None),
    "memory peak (RSS)": (1536.0, "MB", 100_000),
    "snapshot memory (RSS)": (300.0, "MB", 100_000),  # issue 20
}


# -- the table -----------------------------------------------------------------------------------
def _verdict(row: dict[str, Any], orgs: int) -> str:
    goal = GOALS.get(row["measurement"])
    if goal is None or row["ours"] is None:
        return ""
    limit, unit, size = goal
    if size is not None and size != orgs:
        return f"(≤ {limit:g} {unit} at {size // 1000}k)"
    return ("PASS" if row["ours"]["median"] <= limit else "FAIL") + f" ≤ {limit:g} {unit}"


def _ratio(value: float) -> str:
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.2g}×"  # 0.0032×, not 0.00×


def table(results: list[dict[str, Any]]) -> str:
    head = (f"{'orgs':>7} | {'measurement':<34} | {'median':>9} | {'spread (min–max, n)':<22} | "
            f"{'baseline':<34} | {'median':>9} | {'ratio':>7} | goal")
    lines = [head, "-" * len(head)]
    for result in results:
        for r in result["rows"]:
            ours, base = r["ours"], r["baseline"]
            o = f"{fmt(ours['median'])} {r['unit']}" if ours else "—"
            spread = f"{fmt(ours['min'])}–{fmt(ours['max'])}, n={ours['n']}" if ours else r["note"][:22]
            b = f"{fmt(base['median'])} {r['unit']}" if base else "—"
            ratio = _ratio(ours["median"] / base["median"]) if ours and base and base["median"] else ""
            lines.append(f"{result['orgs']:>7,} | {r['measurement']:<34} | {o:>9} | {spread:<22} | "
                         f"{r['baseline_name'][:34]:<34} | {b:>9} | {ratio:>7} | {_verdict(r, result['orgs'])}")
            if r["note"] and ours:
                lines.append(f"{'':>7} |   ↳ {r['note']}")
            elif r["note"] and not ours and len(r["note"]) > 22:
                lines.append(f"{'':>7} |   ↳ {r['note']}")
    return "\n".join(lines)


def _neo4j(folder: Path, enabled: bool) -> tuple[dict[str, str] | None, str, Any]:
    """Where Neo4j is: the env var, a server started for the run, or None with the reason."""
    url = os.environ.get("GRAPHSVC_BENCH_NEO4J")
    if url:
        password = os.environ.get("GRAPHSVC_NEO4J_PASSWORD", "")
        return ({"url": url, "password": password}, f"Neo4j at {url}", None) if password else (
            None, "GRAPHSVC_BENCH_NEO4J set without GRAPHSVC_NEO4J_PASSWORD", None)
    if not enabled:
        return None, "Neo4j skipped (--quick without --neo4j, or --no-neo4j)", None
    try:
        import secrets

        from tests.neo4j_server import free_port, launcher

        started = time.perf_counter()
        mod = launcher()
        quiet(mod.build)
        port, password = free_port(), "bench-" + secrets.token_urlsafe(12)
        quiet(lambda: mod.start(folder, port=port, password=password, heap="1g", pagecache="256m"))
        return ({"url": f"bolt://127.0.0.1:{port}", "password": password},
                f"Neo4j started by scripts/neo4j_server.py in {time.perf_counter() - started:.0f} s", mod)
    except Exception as exc:
        _stop_neo4j(folder, True)  # a half-started server must not outlive the run
        return None, f"Neo4j not startable: {type(exc).__name__}: {exc}"[:160], None


def _stop_neo4j(folder: Path, server: Any) -> None:
    if server is None:
        return
    from tests.neo4j_server import launcher

    with contextlib.suppress(Exception):
        launcher().stop(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k organisations (< 2 minutes)")
    parser.add_argument("--sizes", type=int, nargs="+", help="override the sizes")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--no-neo4j", action="store_true", help="do not start a Neo4j for the run")
    parser.add_argument("--neo4j", action="store_true",
                        help="with --quick: also start a Neo4j (the full run starts one by default)")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.one_size:
        neo4j = json.loads(os.environ["_GRAPHSVC_BENCH_NEO4J"]) if os.environ.get("_GRAPHSVC_BENCH_NEO4J") else None
        result = quiet(lambda: measure_size(args.one_size, args.quick, neo4j))
        print(json.dumps(result))
        return 0
    sizes = args.sizes or ([1000, 10_000] if args.quick else [1000, 10_000, 100_000])
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="goudkaart-neo4j-") as tmp:
        neo4j, neo4j_note, server = _neo4j(Path(tmp), not args.no_neo4j and (args.neo4j or not args.quick))
        print(f"# python -m benchmarks{' --quick' if args.quick else ''}: sizes {sizes}; "
              f"{os.cpu_count()} cores; load average {load_before[0]:.2f}; {neo4j_note}", flush=True)
        env = {**os.environ, "_GRAPHSVC_BENCH_NEO4J": json.dumps(neo4j) if neo4j else ""}
        results = []
        try:
            for orgs in sizes:
                cmd = [sys.executable, "-m", "benchmarks", "--one-size", str(orgs)] + (["--quick"] if args.quick else [])
                done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    print(f"size {orgs} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
                    return 1
                results.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(f"# {orgs:,} organisations measured in {results[-1]['seconds']:.0f} s", flush=True)
        finally:
            _stop_neo4j(Path(tmp), server)
    total = time.perf_counter() - started
    print(table(results))
    load_after = os.getloadavg()
    print(f"# total {total:.0f} s; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"sizes": sizes, "quick": args.quick, "seconds": total,
                                         "cpu_count": os.cpu_count(), "loadavg_before": load_before,
                                         "loadavg_after": load_after, "neo4j": neo4j_note,
                                         "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
