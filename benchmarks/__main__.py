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
from typing import Any, NamedTuple

from benchmarks.measurements import fmt, measure_size, quiet

ROOT = Path(__file__).resolve().parents[1]


class Goal(NamedTuple):
    """A goal of one measurement: ``limit`` in ``unit`` at ``size`` organisations (None: every
    size); ``ratio``: the limit is for ours ÷ the row's baseline, when that baseline's name
    starts with this text."""

    limit: float
    unit: str
    size: int | None
    ratio: str = ""


GOALS: dict[str, list[Goal]] = {  # measurement -> its goals (issue 9 at 100k, issue 20 at 1M)
    "partner matches p50": [Goal(5.0, "ms", 100_000), Goal(5.0, "ms", 1_000_000)],
    "partner matches p99": [Goal(25.0, "ms", 100_000), Goal(25.0, "ms", 1_000_000)],
    "clusters with profiles": [Goal(3.0, "s", 100_000), Goal(30.0, "s", 1_000_000),
                               Goal(3.0, "×", 1_000_000, ratio="raw igraph Leiden")],
    "map payload 5k/20k": [Goal(0.5, "s", None)],
    "map payload, 5k cap, positions": [Goal(1.0, "s", 1_000_000)],
    "map payload, whole graph": [Goal(1.0, "s", 1_000_000)],  # the capped view of every actor
    "snapshot from SQLite": [Goal(10.0, "s", None), Goal(60.0, "s", 1_000_000)],
    "memory peak (RSS)": [Goal(1536.0, "MB", 100_000)],
    "snapshot memory (RSS)": [Goal(300.0, "MB", 100_000), Goal(3072.0, "MB", 1_000_000)],
    "import of a full dump into SQLite": [Goal(600.0, "s", 1_000_000)],
    "import peak RSS": [Goal(2048.0, "MB", 1_000_000)],
}


# -- the table -----------------------------------------------------------------------------------
def _goals_for(name: str, orgs: int) -> tuple[list[Goal], list[Goal]]:
    """The goals of a measurement that apply at ``orgs`` (a size's own, else the every-size
    one), and those of the other sizes (shown in brackets)."""
    goals = GOALS.get(name, [])
    own = [g for g in goals if g.size == orgs] or [g for g in goals if g.size is None]
    return own, [g for g in goals if g.size not in (orgs, None)]


def _size(orgs: int) -> str:
    return f"{orgs // 1_000_000}M" if orgs % 1_000_000 == 0 else f"{orgs // 1000:,}k"


def _verdict(row: dict[str, Any], orgs: int) -> str:
    own, other = _goals_for(row["measurement"], orgs)
    if row["ours"] is None or not (own or other):
        return ""
    if not own:
        shown = dict.fromkeys((f"≤ {g.limit:g}× {g.ratio}" if g.ratio else f"≤ {g.limit:g} {g.unit}")
                              + f" at {_size(g.size)}" for g in other if g.size is not None)
        return f"({'; '.join(shown)})"
    parts = []
    for g in own:
        if g.ratio and not row["baseline_name"].startswith(g.ratio):
            continue
        if g.ratio:
            base = row["baseline"]["median"] if row["baseline"] else None
            value = row["ours"]["median"] / base if base else None
            text = f"≤ {g.limit:g}× {g.ratio}"
        else:
            value, text = row["ours"]["median"], f"≤ {g.limit:g} {g.unit}"
        parts.append(("—" if value is None else "PASS" if value <= g.limit else "FAIL") + " " + text)
    return "; ".join(parts)


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


def _by_size(values: list[str] | None, option: str) -> dict[int, str]:
    """``--store 1000000=sqlite:///PATH`` (repeatable) as {size: text}; ValueError naming it."""
    out = {}
    for value in values or []:
        size, sep, text = value.partition("=")
        if not sep or not size.strip().isdigit() or not text:
            raise ValueError(f"{option} {value!r}: write SIZE=VALUE, e.g. {option} 1000000=" +
                             ("sqlite:///g1m.db" if option == "--store" else "d1m.json"))
        out[int(size)] = text
    return out


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k organisations (< 2 minutes)")
    parser.add_argument("--sizes", type=int, nargs="+", help="override the sizes")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--no-neo4j", action="store_true", help="do not start a Neo4j for the run")
    parser.add_argument("--neo4j", action="store_true",
                        help="with --quick: also start a Neo4j (the full run starts one by default)")
    parser.add_argument("--store", action="append", metavar="SIZE=URL",
                        help="measure this size on a pre-made SQLite store, read only (repeatable)")
    parser.add_argument("--dump", action="append", metavar="SIZE=FILE",
                        help="with --store: also time the import of this pre-made dump (into a temporary file)")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)  # the child process
    return parser


def _one_size(args: argparse.Namespace, stores: dict[int, str], dumps: dict[int, str]) -> dict[str, Any]:
    """The child process's measurements of ``--one-size``."""
    orgs = args.one_size
    if orgs not in stores:
        neo4j = json.loads(os.environ["_GRAPHSVC_BENCH_NEO4J"]) if os.environ.get("_GRAPHSVC_BENCH_NEO4J") else None
        return measure_size(orgs, args.quick, neo4j)
    from benchmarks.premade import measure_dump, measure_premade

    result = measure_premade(orgs, args.quick, stores[orgs])
    if orgs in dumps:
        with tempfile.TemporaryDirectory(prefix="goudkaart-import-") as tmp:
            result["rows"] += measure_dump(Path(dumps[orgs]), Path(tmp))
    else:
        result["rows"].append({"measurement": "import of a full dump into SQLite", "unit": "s", "ours": None,
                               "baseline_name": "", "baseline": None,
                               "note": "not measured: a pre-made store (--dump SIZE=FILE times an import)"})
    return result


def _check(args: argparse.Namespace, stores: dict[int, str], dumps: dict[int, str]) -> list[int]:
    """The sizes to run; ValueError when --store or --dump does not fit them."""
    from benchmarks.premade import store_path

    sizes = args.sizes or (sorted(stores) if stores else [1000, 10_000] if args.quick else [1000, 10_000, 100_000])
    for size, url in stores.items():
        if size not in sizes:
            raise ValueError(f"--store {size}={url}: {size} is not one of the sizes {sizes}")
        store_path(url)
    for size, file in dumps.items():
        if size not in stores:
            raise ValueError(f"--dump {size}={file}: give --store {size}=... too (a generated size imports its own)")
        if not Path(file).is_file():
            raise ValueError(f"--dump {size}={file}: there is no dump file at {file}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        stores, dumps = _by_size(args.store, "--store"), _by_size(args.dump, "--dump")
        sizes = _check(args, stores, dumps)
    except ValueError as exc:
        print(f"python -m benchmarks: {exc}", file=sys.stderr)
        return 1
    if args.one_size:
        print(json.dumps(quiet(lambda: _one_size(args, stores, dumps))))
        return 0
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="goudkaart-neo4j-") as tmp:
        neo4j, neo4j_note, server = _neo4j(Path(tmp), not args.no_neo4j and (args.neo4j or not args.quick))
        print(f"# python -m benchmarks{' --quick' if args.quick else ''}: sizes {sizes}; "
              f"{os.cpu_count()} cores; load average {load_before[0]:.2f}; {neo4j_note}; "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
        env = {**os.environ, "_GRAPHSVC_BENCH_NEO4J": json.dumps(neo4j) if neo4j else ""}
        try:
            results = _run_sizes(sizes, args, env)
        finally:
            _stop_neo4j(Path(tmp), server)
    if results is None:
        return 1
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


def _run_sizes(sizes: list[int], args: argparse.Namespace, env: dict[str, str]) -> list[dict[str, Any]] | None:
    """Each size in a child process of its own; None (and the child's error) when one fails."""
    results = []
    passed = [f"--store={v}" for v in args.store or []] + [f"--dump={v}" for v in args.dump or []]
    for orgs in sizes:
        cmd = [sys.executable, "-m", "benchmarks", "--one-size", str(orgs), "--sizes", *map(str, sizes),
               *(["--quick"] if args.quick else []), *passed]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"size {orgs} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            return None
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        store = f" on {results[-1]['store']}" if results[-1].get("store") else ""
        print(f"# {orgs:,} organisations measured in {results[-1]['seconds']:.0f} s{store}", flush=True)
    return results


if __name__ == "__main__":
    sys.exit(main())
