"""Per-request time of the API on Neo4j and on SQLite with the same data: the ratio issue 19 sets.

Run ``GRAPHSVC_BENCH_NEO4J=bolt://127.0.0.1:PORT GRAPHSVC_NEO4J_PASSWORD=… python -m
benchmarks.bench_requests [--passes 5] [--orgs N] [--json PATH]``. Without the variable a private
Neo4j is started in a temporary folder (about a minute) and stopped at the end.

The demo (or, with ``--orgs``, a generated graph) is loaded into a new SQLite file and into the
emptied Neo4j database; each store gets its own app (Flask test client in this process, an admin
logged in). After one warm-up pass (snapshot built, answers cached as in production), every
request below is timed ``--passes`` times; the table gives the median per kind, both stores and
Neo4j / SQLite:

* **matches**: ``/api/v1/organisations/<id>/matches`` for 40 organisations;
* **graph**: ``/api/v1/graph?area=<code>`` for every area;
* **actor**: ``/api/v1/actors/<id>`` for 40 actors;
* **snapshot**: a full snapshot build (``Snapshot.from_store``), the read a new revision costs,
  also as CPU time of this process (on Neo4j: without the server's share).

``(queries)`` rows: the statements one request sends to the store (SQL statements, Cypher RUNs),
which a busy machine cannot blur; ``(CPU)`` rows: the median CPU time of this process per request.

Each store's app runs with its default ``GRAPHSVC_FRESHNESS`` (SQLite 0: every request asks the
revision and the login; Neo4j 0.25 s: a read within the bound asks nothing); the column
"Neo4j exact" is a second app on the same Neo4j data with freshness 0.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.errors import Conflict
from graphsvc.generate import iter_generated
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.store.neo4j import Neo4jStore
from tests.neo4j_server import Neo4jServer, free_port, launcher
from tests.query_count import counted_queries

__all__ = ["main"]

PASSWORD = "bench password " + secrets.token_hex(4)


def _client(store: GraphStore, url: str, folder: Path, freshness: float | None) -> FlaskClient:
    from graphsvc.web import create_app

    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(load_settings(environ={}, store=url, testing=True, secret_key=secrets.token_hex(8),
                                   accounts_db=str(folder / "accounts.db"), freshness=freshness),
                     store=store)
    with app.app_context():
        try:
            app.extensions["goudkaart"].accounts.add_user("bench-admin", PASSWORD, "admin", [])
        except Conflict:  # the second app on the same store
            pass
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": "bench-admin", "password": PASSWORD, "csrf_token": token})
    return client


def _urls(store: GraphStore) -> dict[str, list[str]]:
    orgs = [n.id for n in store.iter_nodes("Organisation")]
    actors = orgs + [n.id for n in store.iter_nodes("Institution")]
    areas = [n.props["code"] for n in store.iter_nodes("Neighbourhood")]
    return {"matches": [f"/api/v1/organisations/{o}/matches" for o in orgs[:: max(1, len(orgs) // 40)]],
            "graph": [f"/api/v1/graph?area={code}" for code in areas[:40]],
            "actor": [f"/api/v1/actors/{a}" for a in actors[:: max(1, len(actors) // 40)]]}


def _time_requests(client: FlaskClient, store: GraphStore, urls: dict[str, list[str]],
                   passes: int) -> dict[str, float]:
    for group in urls.values():  # warm-up: snapshot, indexes, answer cache
        for url in group:
            assert client.get(url).status_code == 200, url
    out = {}
    for kind, group in urls.items():
        times, cpu = [], []
        for _ in range(passes):
            for url in group:
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
        out[kind] = statistics.median(times) * 1000
        out[f"{kind} (CPU)"] = statistics.median(cpu) * 1000
        with counted_queries(store) as queries:  # round trips are what a busy machine cannot blur
            client.get(group[0])
        out[f"{kind} (queries)"] = len(queries)
    return out


def _bench(store: GraphStore, url: str, folder: Path, passes: int, orgs: int,
           modes: tuple[float | None, ...] = (None,)) -> list[dict[str, float]]:
    """The figures of one app per freshness in ``modes`` (None: the store's default)."""
    if orgs:
        from benchmarks.bench_stores import load_records

        load_records(store, iter_generated(orgs))
    else:
        load_demo(store)
    urls = _urls(store)
    results = [_time_requests(_client(store, url, folder / f"app-{i}", mode), store, urls, passes)
               for i, mode in enumerate(modes)]
    snaps, cpu = [], time.process_time()
    for _ in range(3):
        started = time.perf_counter()
        Snapshot.from_store(store)
        snaps.append(time.perf_counter() - started)
    for result in results:
        result["snapshot"] = statistics.median(snaps) * 1000
        result["snapshot (CPU of this process)"] = (time.process_time() - cpu) / 3 * 1000
    return results


def _neo4j(folder: Path) -> tuple[Neo4jServer, bool]:
    url = os.environ.get("GRAPHSVC_BENCH_NEO4J")
    if url:
        return Neo4jServer(url, os.environ.get("GRAPHSVC_NEO4J_PASSWORD", "")), False
    port, password = free_port(), "bench-" + secrets.token_urlsafe(12)
    launcher().start(folder, port=port, password=password, heap="1g", pagecache="512m")
    return Neo4jServer(f"bolt://127.0.0.1:{port}", password, dir=folder, port=port), True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_requests",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--orgs", type=int, default=0, help="a generated graph instead of the demo")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="goudkaart-bench-") as tmp:
        folder = Path(tmp)
        server, own = _neo4j(folder / "neo4j")
        try:
            server.clear()
            url = f"sqlite:///{folder / 'graph.db'}"
            sqlite = _bench(open_store(url), url, folder / "sqlite", args.passes, args.orgs)[0]
            neo_store = Neo4jStore(server.url, password=server.password)
            neo4j, exact = _bench(neo_store, server.url, folder / "neo4j-app", args.passes, args.orgs,
                                  (None, 0.0))
            neo_store.close()
            server.clear()
        finally:
            if own:
                server.stop()
    print(f"{'median per request (ms)':<34}{'SQLite':>10}{'Neo4j':>10}{'ratio':>8}"
          f"{'Neo4j exact':>13}{'ratio':>8}")
    for kind in sqlite:
        ratio = neo4j[kind] / sqlite[kind] if sqlite[kind] else float("nan")
        exact_ratio = exact[kind] / sqlite[kind] if sqlite[kind] else float("nan")
        print(f"{kind:<34}{sqlite[kind]:>10.1f}{neo4j[kind]:>10.1f}{ratio:>7.2f}×"
              f"{exact[kind]:>13.1f}{exact_ratio:>7.2f}×")
    print(f"load average at start / end: {load} / {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps({"sqlite": sqlite, "neo4j": neo4j, "neo4j_exact": exact}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
