"""Memory of a whole server: ``graphsvc serve`` with 1, 2 and 4 workers, with and without preload.

Run ``python -m benchmarks.bench_workers [--store PATH | --orgs N] [--workers 1 2 4] [--reads 300]
[--writes 20] [--preload-only] [--probe] [--json out.json]``.

For every worker count the server runs twice on a copy of the same SQLite store, one right after
the other: ``--no-preload`` (each worker builds its own snapshot on its first request) and
``--preload`` (the master builds it before forking; :mod:`graphsvc.web.preload`). Every worker is
warmed: new connections until each worker's pid (found through ``/proc/net/tcp`` and the
workers' open sockets) has answered a matches request. Then, summed over the master and its
workers from ``/proc/<pid>/smaps_rollup``, RSS, PSS (each shared page divided among the processes
sharing it: the honest "all processes together") and USS (pages only that process holds), at
three moments: warm; after ``--reads`` matches per worker; after ``--writes`` tie changes
(through the workers in turn) and another ``--reads`` per worker. ``shared`` is the part of an
average worker's RSS still shared with the master or its siblings. The load average is printed
with every run; this machine is shared.

``--probe`` also forks one child from a process holding a preloaded snapshot, runs matches in it
and reads ``/proc/self/pagemap`` (needs root for the flags): which of the snapshot's numpy array
pages and which other pages (Python objects) are still shared with the parent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.served_workers import Served, memory, serving

__all__ = ["run", "main"]

PASSWORD = "bench password 1234"


def _copy_store(source: Path, folder: Path) -> Path:
    target = folder / "graph.db"
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


def _prepare(db: Path) -> tuple[str, list[str]]:
    """An admin token on the store and the organisations to ask matches for."""
    from graphsvc.access.accounts import AccountStore
    from graphsvc.store import open_store

    store = open_store(f"sqlite:///{db}")
    try:
        accounts = AccountStore(store)
        admin = accounts.add_user(f"bench-{os.getpid()}-{time.monotonic_ns()}", PASSWORD, "admin")
        token = accounts.create_token(admin.id)
        actors = sorted(n.id for n in store.iter_nodes("Organisation"))
    finally:
        store.close()
    return token, actors


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _totals(served: Served) -> dict[str, Any]:
    """Sums over the master and its workers, in MB; the average worker's shared fraction."""
    workers = served.workers()
    mem = {pid: memory(pid) for pid in [served.master, *workers]}
    mb = 1024.0
    out = {"rss": sum(m["Rss"] for m in mem.values()) / mb,
           "pss": sum(m["Pss"] for m in mem.values()) / mb,
           "uss": sum(m["Private_Clean"] + m["Private_Dirty"] for m in mem.values()) / mb,
           "master_rss": mem[served.master]["Rss"] / mb}
    shares = [(mem[p]["Shared_Clean"] + mem[p]["Shared_Dirty"]) / max(mem[p]["Rss"], 1) for p in workers]
    out["worker_shared"] = sum(shares) / len(shares)
    out["worker_uss"] = [round((mem[p]["Private_Clean"] + mem[p]["Private_Dirty"]) / mb, 1) for p in workers]
    return {k: (round(v, 1) if isinstance(v, float) else v) for k, v in out.items()}


def _reads(served: Served, headers: dict[str, str], actors: list[str], per_worker: int,
           rng: random.Random) -> list[float]:
    """``per_worker`` matches on each worker; the seconds of each worker's first one."""
    firsts = []
    for pid in served.workers():
        for i in range(per_worker):
            started = time.perf_counter()
            answer = served.ask(pid, "GET", f"/api/v1/organisations/{rng.choice(actors)}/matches",
                                headers)
            if answer.status != 200 or answer.pid != pid:
                raise RuntimeError(f"matches: {answer.status} from {answer.pid} (wanted {pid})")
            if i == 0:
                firsts.append(time.perf_counter() - started)
    return firsts


def _writes(served: Served, headers: dict[str, str], actors: list[str], count: int,
            rng: random.Random) -> None:
    workers = served.workers()
    for i in range(count):
        a, b = rng.sample(actors, 2)
        body = json.dumps({"rung": 1 + i % 3}).encode()
        answer = served.ask(workers[i % len(workers)], "PUT", f"/api/v1/organisations/{a}/ties/{b}",
                            {**headers, "Content-Type": "application/json"}, body)
        if answer.status != 200:
            raise RuntimeError(f"tie change: {answer.status} {answer.body[:200]!r}")


def one_server(db: Path, folder: Path, workers: int, preload: bool, reads: int,
               writes: int) -> dict[str, Any]:
    """Start, warm, read, write; memory at each step."""
    token, actors = _prepare(db)
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(workers)
    env = {"GRAPHSVC_STORE": f"sqlite:///{db}", "GRAPHSVC_SECRET_KEY": "bench-workers"}
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with serving(env, folder, workers, preload=preload, start_timeout=900) as served:
        up = time.perf_counter() - started
        firsts = _reads(served, headers, actors, 1, rng)  # warm: every worker has answered
        result: dict[str, Any] = {"workers": workers, "preload": preload, "load": round(load, 2),
                                  "up_s": round(up, 1), "first_answer_s": round(max(firsts), 2),
                                  "warm": _totals(served)}
        _reads(served, headers, actors, reads, rng)
        result["reads"] = _totals(served)
        _writes(served, headers, actors, writes, rng)
        _reads(served, headers, actors, reads, rng)
        result["writes"] = _totals(served)
        result["cpu_s"] = round(sum(_cpu_seconds(p) for p in [served.master, *served.workers()]), 1)
    return result


def run(source: Path, worker_counts: list[int], reads: int, writes: int,
        modes: tuple[bool, ...] = (False, True)) -> list[dict[str, Any]]:
    """Every worker count, without and then with preload (``modes``), each on a fresh copy of
    ``source``."""
    results = []
    with tempfile.TemporaryDirectory(prefix="goudkaart-workers-") as tmp:
        for n in worker_counts:
            for preload in modes:
                folder = Path(tmp) / f"{n}-{preload}"
                folder.mkdir()
                db = _copy_store(source, folder)
                result = one_server(db, folder, n, preload, reads, writes)
                print(_line(result), flush=True)
                results.append(result)
                shutil.rmtree(folder)
    return results


def _line(r: dict[str, Any]) -> str:
    steps = "  ".join(f"{step}: RSS {r[step]['rss']:>6.0f} PSS {r[step]['pss']:>6.0f} "
                      f"USS {r[step]['uss']:>6.0f} shared {r[step]['worker_shared']:.0%}"
                      for step in ("warm", "reads", "writes"))
    return (f"{r['workers']} worker(s) {'preload   ' if r['preload'] else 'no preload'} "
            f"load {r['load']:>5.2f}  up {r['up_s']:>5.1f} s  first answer {r['first_answer_s']:>5.2f} s"
            f"  CPU {r['cpu_s']:>5.1f} s\n    {steps}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_workers",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a generated SQLite store to copy (else --orgs)")
    parser.add_argument("--orgs", type=int, default=10_000, help="generate this many organisations")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--reads", type=int, default=300, help="matches per worker per step")
    parser.add_argument("--writes", type=int, default=20, help="tie changes")
    parser.add_argument("--probe", action="store_true", help="also the pagemap probe (root)")
    parser.add_argument("--preload-only", action="store_true",
                        help="skip the servers without preload (each worker building its own)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="goudkaart-workers-store-") as tmp:
        source = args.store
        if source is None:
            from graphsvc.generate import write_generated
            from graphsvc.store import open_store

            source = Path(tmp) / "graph.db"
            store = open_store(f"sqlite:///{source}")
            write_generated(store, args.orgs, seed=1)
            store.close()
        print(f"store {source}, load average {os.getloadavg()}, MB summed over master + workers")
        result: dict[str, Any] = {"servers": run(source, args.workers, args.reads, args.writes,
                                             (True,) if args.preload_only else (False, True))}
        if args.probe:
            from benchmarks.bench_workers_probe import probe

            result["probe"] = probe(source, args.reads)
            print(json.dumps(result["probe"], indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
