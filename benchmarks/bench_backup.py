"""Benchmark of backup and restore: time and file size against the plain JSON export of the same store.

Run ``python -m benchmarks.bench_backup [--orgs 10000 100000] [--runs 3]``.

For each size a generated graph (:mod:`graphsvc.generate`) is loaded into an SQLite store, then:

* **backup** — ``graphsvc.actions.backup.backup`` (SQLite's online backup, compressed, with manifest);
* **restore** — ``graphsvc.actions.backup.restore`` into an empty SQLite store (checksums, counts, copy);
* **baseline: JSON export** — ``importers.dump.write_store_dump`` (the full JSON dump an admin
  could take instead, which keeps no versions, change log or accounts);

Figures are medians of ``--runs`` runs; the machine is shared, so read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_stores import load_records
from graphsvc.access.visibility import Viewer
from graphsvc.actions.backup import backup, restore
from graphsvc.generate import iter_generated
from graphsvc.store import open_store
from importers.dump import write_store_dump

__all__ = ["measure", "main"]


def _median(fn: Callable[[int], Any], runs: int) -> float:
    times = []
    for run in range(runs):
        t0 = time.perf_counter()
        fn(run)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(orgs: int, runs: int, folder: Path) -> list[dict[str, Any]]:
    """Rows of (measurement, seconds, size in MB) for one graph size."""
    source = open_store(f"sqlite:///{folder / f'source-{orgs}.db'}")
    load_records(source, iter_generated(orgs))
    rows: list[dict[str, Any]] = []
    export = _median(lambda r: write_store_dump(source, folder / f"dump-{r}.json", Viewer("admin")), runs)
    dump_mb = (folder / "dump-0.json").stat().st_size / 1e6
    took = _median(lambda r: backup(source, folder / f"b-{r}.zip"), runs)
    backup_mb = (folder / "b-0.zip").stat().st_size / 1e6

    def _restore(run: int) -> None:
        target = open_store(f"sqlite:///{folder / f'restored-{orgs}-{run}.db'}")
        restore(folder / f"b-{run}.zip", target)
        target.close()

    back = _median(_restore, runs)
    rows += [
        {"orgs": orgs, "measurement": "baseline: JSON export", "s": export, "MB": dump_mb},
        {"orgs": orgs, "measurement": "backup (SQLite)", "s": took, "MB": backup_mb,
         "ratio": took / export},
        {"orgs": orgs, "measurement": "restore into SQLite", "s": back, "ratio": back / export},
        {"orgs": orgs, "measurement": "store file", "MB": Path(source.path).stat().st_size / 1e6},  # type: ignore[attr-defined]
    ]
    source.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{'orgs':>8}  {'measurement':<24} {'median s':>9} {'MB':>8} {'÷ export':>9}")
    for orgs in args.orgs:
        with tempfile.TemporaryDirectory(prefix="goudkaart-bench-backup-") as tmp:
            for row in measure(orgs, args.runs if orgs <= 10_000 else 1, Path(tmp)):
                s = f"{row['s']:.2f}" if "s" in row else ""
                mb = f"{row['MB']:.1f}" if "MB" in row else ""
                ratio = f"{row['ratio']:.2f}" if "ratio" in row else ""
                print(f"{row['orgs']:>8}  {row['measurement']:<24} {s:>9} {mb:>8} {ratio:>9}", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
