"""A dump imported into an empty Neo4j: the bulk path (created without reads) against upserts.

Run ``python -m benchmarks.bench_neo4j_import DUMP.json [--rounds 2] [--batch 20000]`` with a
running Neo4j in ``GRAPHSVC_TEST_NEO4J`` / ``GRAPHSVC_TEST_NEO4J_PASSWORD`` (its database is
emptied; ``--pid`` the server's process id for its CPU time). The two ways alternate, round by
round, so a busy machine weighs on both alike; each line gives wall time, the CPU time of this
process and of the server, and the load average. Make a dump with ``graphsvc generate --orgs N
--out DUMP.json``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from graphsvc.store.neo4j import Neo4jStore
from importers.files import import_file

__all__ = ["main"]


def _cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _empty(store: Neo4jStore) -> None:
    with store._ready_driver().session(database=store.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_neo4j_import", description=__doc__.split("\n")[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch", type=int, default=20_000, help="records per transaction")
    parser.add_argument("--pid", type=int, default=None, help="the Neo4j server's process id")
    args = parser.parse_args(argv)
    url, password = os.environ["GRAPHSVC_TEST_NEO4J"], os.environ["GRAPHSVC_TEST_NEO4J_PASSWORD"]
    for _ in range(args.rounds):
        for bulk in (True, False):
            store = Neo4jStore(url, password=password)
            _empty(store)
            store.bulk_create = bulk  # False: the upserts every import made before
            started, app, server = time.perf_counter(), time.process_time(), _cpu(args.pid)
            report = import_file(store, args.dump, per_transaction=args.batch)
            print(f"{'bulk' if bulk else 'upsert':>6}: {time.perf_counter() - started:7.1f} s wall, CPU app "
                  f"{time.process_time() - app:6.1f} s, Neo4j {_cpu(args.pid) - server:6.1f} s; "
                  f"{sum(report.created.values())} records, {report.transactions} transactions; "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
