"""Benchmark of an organisation's history page: store queries per page and time, on both stores.

Run ``python -m benchmarks.bench_history [--changes 200] [--runs 15] [--no-neo4j] [--json PATH]``.

One organisation gets ``--changes`` logged changes (:mod:`tests.busy_history`: profile edits
with confidential fields, ties to many other organisations and their rung changes, capacity
needs, removed relationships, an other end deleted). Then, as an admin through the Flask test client, the HTML page and the
JSON API (50 changes a page, the default) are each requested ``--runs`` times; the figures are
medians. Queries are counted with :func:`tests.query_count.counted_queries`: SQL statements on
SQLite, Cypher ``RUN`` messages on Neo4j. Neo4j gets a private server in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask

from graphsvc.config import load_settings
from graphsvc.store import GraphStore, open_store
from graphsvc.web import create_app
from tests.busy_history import ORG, build_history
from tests.query_count import counted_queries

__all__ = ["measure", "main"]


def _app(folder: Path, store: GraphStore) -> tuple[Flask, str]:
    settings = load_settings(environ={}, store=f"sqlite:///{folder / 'graph.db'}", testing=True,
                             accounts_db=str(folder / f"accounts-{type(store).__name__}.db"),
                             secret_key="bench-secret")
    app = create_app(settings, store=store)
    accounts = app.extensions["goudkaart"].accounts
    with app.app_context():
        token = accounts.create_token(accounts.add_user("bench-admin", "correct horse battery", "admin").id)
    return app, token


def measure(folder: Path, store: GraphStore, changes: int, runs: int) -> dict[str, Any]:
    """Queries and median time per page, HTML and API, for an admin."""
    logged = build_history(store, changes)
    app, token = _app(folder, store)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {"changes": logged}
    for name, path in (("html", f"/organisations/{ORG}/history"), ("api", f"/api/v1/organisations/{ORG}/history")):
        assert client.get(path, headers=headers).status_code == 200  # warm: templates, connections
        with counted_queries(store) as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(path, headers=headers)
            times.append(time.perf_counter() - start)
        out[name] = {"queries": len(queries), "median_ms": round(statistics.median(times) * 1000, 2),
                     "min_ms": round(min(times) * 1000, 2), "max_ms": round(max(times) * 1000, 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-neo4j", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        folder = Path(tmp)
        store = open_store(f"sqlite:///{folder / 'graph.db'}")
        results["sqlite"] = measure(folder, store, args.changes, args.runs)
        store.close()
        if not args.no_neo4j:
            from tests.neo4j_server import start_server

            server = start_server(folder / "neo4j")
            try:
                neo = server.store()
                results["neo4j"] = measure(folder, neo, args.changes, args.runs)
                neo.close()
            finally:
                server.stop()
    for backend, r in results.items():
        for page in ("html", "api"):
            print(f"{backend:7} {page:4} changes={r['changes']:4} queries/page={r[page]['queries']:3} "
                  f"median={r[page]['median_ms']:8.2f} ms (min {r[page]['min_ms']}, max {r[page]['max_ms']})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
