"""The offline bulk load into a new Neo4j: export the import files, Neo4j's importer, first start.

Run ``python -m benchmarks.bench_neo4j_offline sqlite:///FILE [--heap 1g]`` on its own, or
``python -m benchmarks.bench_stores --source sqlite:///FILE --offline`` for it beside the online
``migrate`` in one run. Steps, each with wall time and CPU time (this process; the importer's
JVM; the server):

* **export**: :func:`graphsvc.store.neo4j_import_files.write_import_files` (reads the source,
  writes the CSV files): what ``graphsvc export --format neo4j-import`` does;
* **import**: ``scripts/neo4j_server.py import`` (``neo4j-admin database import full``) into a
  new folder;
* **start + connect**: the server's first start on the imported database until the store has
  made its schema (constraints and indexes over the imported records, built by the server) and
  answered its first read (the revision).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from graphsvc.store import open_store
from graphsvc.store.base import utc_now
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.neo4j_import_files import write_import_files
from tests.neo4j_server import free_port, launcher

__all__ = ["bench_offline", "process_cpu"]


def process_cpu(pid: int | None) -> float:
    """CPU seconds a process has used (0.0 when it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _index_wait(store: Neo4jStore) -> None:
    """Wait until the schema's indexes are online (the server builds them after the first start)."""
    with store._ready_driver().session(database=store.database) as session:
        session.run("CALL db.awaitIndexes(3600)").consume()


def bench_offline(source_url: str, folder: Path, *, heap: str = "1g", pagecache: str = "512m") -> dict[str, Any]:
    """Export, import and first start for the SQLite store at ``source_url``; figures per step."""
    mod = launcher()
    mod.build()
    files, server_dir = folder / "import-files", folder / "offline-neo4j"
    shutil.rmtree(files, ignore_errors=True)
    shutil.rmtree(server_dir, ignore_errors=True)
    started = time.perf_counter()
    cpu, wall = time.process_time(), time.perf_counter()
    source = open_store(source_url)
    try:
        written = write_import_files(source, files, now=utc_now())
    finally:
        source.close()
    steps: dict[str, Any] = {"export": {"wall_s": round(time.perf_counter() - wall, 2),
                                        "cpu_app_s": round(time.process_time() - cpu, 2)}}
    done = mod.import_files(server_dir, files, heap=heap)
    steps["import"] = {"wall_s": done["seconds"], "cpu_importer_s": done["cpu_s"]}
    port, password = free_port(), "bench-" + secrets.token_urlsafe(12)
    cpu, wall = time.process_time(), time.perf_counter()
    url = mod.start(server_dir, port=port, password=password, heap=heap, pagecache=pagecache)
    pid = int((server_dir / "neo4j.pid").read_text().strip())
    store = Neo4jStore(url, password=password)
    try:
        revision = store.revision()  # connects: schema, meta, what the files could not hold
        _index_wait(store)
        steps["start + connect"] = {"wall_s": round(time.perf_counter() - wall, 2),
                                    "cpu_app_s": round(time.process_time() - cpu, 2),
                                    "cpu_neo4j_s": round(process_cpu(pid), 2)}
        counts = store.counts()
    finally:
        store.close()
        mod.stop(server_dir)
    total_cpu = sum(v for step in steps.values() for k, v in step.items() if k.startswith("cpu"))
    return {"wall_s": round(time.perf_counter() - started, 2), "cpu_s": round(total_cpu, 2), "steps": steps,
            "records": written.counts, "files": len(written.files), "left_over": written.leftovers,
            "revision": revision, "nodes": sum(counts["nodes"].values()),
            "relationships": sum(counts["relationships"].values()), "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_neo4j_offline",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("source", help="the SQLite store to load (sqlite:///FILE)")
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--pagecache", default="512m")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="goudkaart-offline-") as tmp:
        result = bench_offline(args.source, Path(tmp), heap=args.heap, pagecache=args.pagecache)
    print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
