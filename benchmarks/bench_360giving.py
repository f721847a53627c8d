"""Benchmark of importing real 360Giving files: grants per second into SQLite and into Neo4j.

Run ``python -m benchmarks.bench_360giving [FILE ...] [--neo4j-server] [--repeat 5]``.

Without FILE it reads the Indigo Trust file (269 real grants,
``360giving-indigo-trust/indigo.json``) from the test-data folder named by ``GRAPHSVC_TESTDATA``. Each file is
imported ``--repeat`` times into a new, empty store (the same call as ``graphsvc import FILE``),
then once more into the filled store, which must change nothing. The figure is grants per second
of the median run, wall clock; the read (parse, dates, org-ids) and the check-and-write are also
shown apart. ``--neo4j-server`` starts a dedicated Neo4j in a temporary folder and does the same
there (a fresh, emptied database per run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from graphsvc.store import GraphStore, open_store
from importers.files import import_file, read_file

__all__ = ["main", "grants_per_second"]

REPO = Path(__file__).resolve().parents[1]


def _default_files() -> list[Path]:
    root = Path(os.environ.get("GRAPHSVC_TESTDATA") or REPO.parent / "shared" / "testdata")
    return [root / "360giving-indigo-trust" / "indigo.json"]


def _grants(path: Path) -> int:
    return sum(r.rel.type == "FUNDS" for r in read_file(path).rels)


def grants_per_second(new_store: Callable[[], GraphStore], path: Path, repeat: int) -> dict[str, float]:
    """Median wall time of importing ``path`` into a new store, and the grants per second."""
    grants = _grants(path)
    read_times, total_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        read_file(path)
        read_times.append(time.perf_counter() - started)
        store = new_store()
        started = time.perf_counter()
        import_file(store, path)
        total_times.append(time.perf_counter() - started)
        revision = store.revision()
        unchanged = not import_file(store, path).changed and store.revision() == revision
        store.close()
        if not unchanged:
            raise SystemExit(f"{path.name}: importing it again changed the store")
    total, read = statistics.median(total_times), statistics.median(read_times)
    return {"grants": grants, "seconds": total, "read_seconds": read, "grants_per_second": grants / total}


def _line(where: str, path: Path, m: dict[str, float]) -> str:
    return (f"{where:<8} {path.name:<28} {int(m['grants']):>7,} grants  {m['seconds']:7.3f} s "
            f"(read {m['read_seconds']:.3f} s)  {m['grants_per_second']:>9,.0f} grants/s")


def _with_neo4j(folder: Path, files: list[Path], repeat: int) -> list[str]:
    import secrets

    from tests.neo4j_server import Neo4jServer, free_port, launcher

    mod = launcher()
    mod.build()
    port, password = free_port(), "bench-" + secrets.token_urlsafe(12)
    url = mod.start(folder, port=port, password=password, heap="1g", pagecache="256m")
    lines = []
    try:
        server = Neo4jServer(url, password)

        def fresh() -> GraphStore:
            server.clear()
            return server.store()

        for path in files:
            lines.append(_line("Neo4j", path, grants_per_second(fresh, path, repeat)))
    finally:
        mod.stop(folder)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_360giving", description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, help="360Giving JSON, CSV or XLSX files")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--neo4j-server", action="store_true", help="also import into a dedicated Neo4j")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    files = args.files or _default_files()
    missing = [str(p) for p in files if not p.exists()]
    if missing:
        print(f"No such file: {', '.join(missing)} (set GRAPHSVC_TESTDATA or name the files)")
        return 1
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        counter = iter(range(10**6))
        for path in files:
            m = grants_per_second(lambda: open_store(f"sqlite:///{folder}/s{next(counter)}.db"), path, args.repeat)
            lines.append(_line("SQLite", path, m))
            print(lines[-1], flush=True)
        if args.neo4j_server:
            for line in _with_neo4j(Path(folder) / "neo4j", files, args.repeat):
                lines.append(line)
                print(line, flush=True)
    if args.json:
        args.json.write_text(json.dumps(lines, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
