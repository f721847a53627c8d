"""The production server under load: a prepared store, ``graphsvc serve`` on a free port, and a
Python load generator. Used by the smoke test here and by ``benchmarks/bench_http.py``."""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.neo4j_server import free_port

__all__ = ["Request", "Setup", "prepare", "running_server", "plans", "python_load"]

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench password 1234"


@dataclass
class Setup:
    """A store with data, accounts and an open session, ready to be served."""

    folder: Path
    env: dict[str, str]
    admin_token: str
    coach_token: str
    organisations: list[str]
    area: str
    session: str
    pairs: list[tuple[str, str]] = field(default_factory=list)


def prepare(folder: Path, orgs: int = 0, seed: int = 1, source: Path | None = None) -> Setup:
    """Fill a new SQLite store (demo data, ``orgs`` generated organisations, or a consistent copy
    of the store file ``source``, which is only read) and make tokens."""
    from graphsvc.access.accounts import AccountStore
    from graphsvc.actions.sessions import open_session, open_sessions
    from graphsvc.demo.dataset import load_demo
    from graphsvc.generate import write_generated
    from graphsvc.snapshot import Snapshot
    from graphsvc.store import open_store
    from graphsvc.store.sqlite_files import online_copy

    db, accounts_db = folder / "graph.db", folder / "accounts.db"
    if source is not None:
        online_copy(source, db)  # accounts and a session go into the copy
    store = open_store(f"sqlite:///{db}")
    try:
        if source is None and orgs:
            write_generated(store, orgs, seed=seed)
        elif source is None:
            load_demo(store)
        snap = Snapshot.from_store(store) if source is None and hasattr(Snapshot, "from_store") else None
        actors = sorted(n.id for n in store.iter_nodes("Organisation"))
        areas = [n for n in store.iter_nodes("Neighbourhood") if n.props.get("level") == "wijk"]
        area = max(areas, key=lambda n: n.id) if areas else next(iter(store.iter_nodes("Neighbourhood")))
        already = open_sessions(store, area.id)
        session = already[0] if already else open_session(store, area.id, name="Benchmark")
        del snap
        accounts = AccountStore(store)  # accounts live in the store
        admin = accounts.add_user("bench-admin", PASSWORD, "admin")
        coach = accounts.add_user("bench-coach", PASSWORD, "coach")
        tokens = accounts.create_token(admin.id), accounts.create_token(coach.id)
    finally:
        store.close()
    setup = Setup(folder, {"GRAPHSVC_STORE": f"sqlite:///{db}", "GRAPHSVC_ACCOUNTS_DB": str(accounts_db),
                           "GRAPHSVC_SECRET_KEY": "bench-" + os.urandom(8).hex()},
                  tokens[0], tokens[1], actors, str(area.props.get("code") or area.id), session.id)
    rng = random.Random(seed)
    setup.pairs = [tuple(sorted(rng.sample(actors, 2))) for _ in range(64)]  # type: ignore[misc]
    return setup


@contextmanager
def running_server(setup: Setup, workers: int = 2, port: int | None = None,
                   start_timeout: float = 30.0) -> Iterator[str]:
    """``graphsvc serve`` in a child process; yields its base URL and stops it afterwards."""
    port = port or free_port()
    env = {**os.environ, **setup.env}
    exe = shutil.which("graphsvc", path=str(Path(sys.executable).parent)) or "graphsvc"
    log = open(setup.folder / "server.log", "wb")
    child = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port),
                              "--workers", str(workers)], cwd=ROOT, env=env, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"graphsvc serve exited ({child.returncode}): "
                                   + (setup.folder / "server.log").read_text()[-2000:])
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline:
                raise RuntimeError("graphsvc serve did not answer /healthz in time")
            time.sleep(0.1)
        yield base
    finally:
        if child.poll() is None:
            os.killpg(child.pid, 15)  # its own process group: gunicorn and its workers
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, 9)
                child.wait(5)
        log.close()


# -- what to request ---------------------------------------------------------------------------
Request = tuple[str, str, dict[str, str], bytes | None]


def plans(setup: Setup, mix: bool) -> list[Request]:
    """A cycle of requests: matches only, or the read/write mix (10 per cycle: 5/3/2)."""
    admin = {"Authorization": f"Bearer {setup.admin_token}"}
    coach = {"Authorization": f"Bearer {setup.coach_token}", "Content-Type": "application/json"}
    rng = random.Random(7)
    orgs = setup.organisations
    out: list[Request] = []
    for i in range(200):
        match = ("GET", f"/api/v1/organisations/{rng.choice(orgs)}/matches", admin, None)
        if not mix:
            out.append(match)
            continue
        slot = i % 10
        if slot < 5:
            out.append(match)
        elif slot < 8:
            out.append(("GET", f"/api/v1/graph?area={setup.area}", admin, None))
        else:
            a, b = setup.pairs[i % len(setup.pairs)]
            body = json.dumps({"a": a, "b": b, "rung": 1 + (i // 10) % 2 * 2, "declared_by": "coach"})
            out.append(("POST", f"/api/v1/sessions/{setup.session}/ties", coach, body.encode()))
    return out


# -- Python load generator ---------------------------------------------------------------------
def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def python_load(base: str, requests: list[Request], *, threads: int = 4, seconds: float | None = None,
                total: int | None = None) -> dict[str, Any]:
    """Send ``requests`` round-robin from ``threads`` keep-alive connections, for a time or a count."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[list[float]] = [[] for _ in range(threads)]
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(10**12))
    stop_at = time.monotonic() + (seconds or 3600)

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter)
            if total is not None and i >= total:
                break
            method, path, headers, body = requests[i % len(requests)]
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                continue
            latencies[n].append(time.perf_counter() - t0)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for part in latencies for x in part]
    bad = sum(c for s, c in statuses.items() if not (200 <= s < 300 or s == 409))
    return {"generator": f"python ({threads} threads, keep-alive)", "seconds": round(elapsed, 2),
            "requests": len(flat), "rps": round(len(flat) / elapsed, 1),
            "p50_ms": round(_percentile(flat, 50) * 1000, 2), "p99_ms": round(_percentile(flat, 99) * 1000, 2),
            "errors": bad + len(errors), "conflicts": statuses.get(409, 0),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}, "socket_errors": errors[:5]}


# -- wrk ---------------------------------------------------------------------------------------
