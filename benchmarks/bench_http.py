"""HTTP throughput of the production server: match endpoint alone, then a read/write mix.

Run ``python -m benchmarks.bench_http [--seconds 10] [--orgs 0] [--workers 2] [--json out.json]``.

The app runs under ``graphsvc serve`` (gunicorn gthread, ``--workers`` × 4 threads) on
127.0.0.1 with the demo data (``--orgs N``: a generated graph of N organisations instead). A load
generator on loopback runs for a fixed time: ``wrk`` when it is installed (it shares the two cores
with the server, so the figures are a floor), else a Python generator with threads and keep-alive
``http.client`` connections (slower: the GIL caps it well below the server). Reported: requests/s,
p50/p99 latency and errors (socket errors + any status outside 2xx/409) for

* **matches**: ``GET /api/v1/organisations/<id>/matches`` over many organisations, admin token;
* **mix**: 50% matches, 30% area map (``/api/v1/graph?area=...``), 20% tie changes
  (``POST /api/v1/sessions/<id>/ties`` with a coach token; the rung alternates so each is a real
  write). 409s would be optimistic-concurrency answers, counted apart from errors.

Goal (issue 9): ≥ 1,000 req/s on the match endpoint, 0 errors, p99 ≤ 100 ms for the mix.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Setup", "prepare", "running_server", "python_load", "wrk_load", "plans", "main"]

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


def prepare(folder: Path, orgs: int = 0, seed: int = 1) -> Setup:
    """Fill a new SQLite store (demo data, or ``orgs`` generated organisations) and make tokens."""
    from graphsvc.accounts import AccountStore
    from graphsvc.demo import load_demo
    from graphsvc.generate import write_generated
    from graphsvc.sessions import open_session, open_sessions
    from graphsvc.snapshot import Snapshot
    from graphsvc.store import open_store

    db, accounts_db = folder / "graph.db", folder / "accounts.db"
    store = open_store(f"sqlite:///{db}")
    try:
        if orgs:
            write_generated(store, orgs, seed=seed)
        else:
            load_demo(store)
        snap = Snapshot.from_store(store) if hasattr(Snapshot, "from_store") else None
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
_LUA = """
local reqs = {}
%s
local i = 0
local statuses = {}
request = function()
  i = i + 1
  local r = reqs[(i %% #reqs) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end
response = function(status, headers, body)
  if status >= 300 and status ~= 409 then
    io.stderr:write("status " .. status .. "\\n")
  end
end
"""


def _lua_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _wrk_script(requests: list[Request]) -> str:
    lines = []
    for method, path, headers, body in requests:
        h = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}"
        b = _lua_string(body.decode()) if body else "nil"
        lines.append(f"table.insert(reqs, {{{_lua_string(method)}, {_lua_string(path)}, {h}, {b}}})")
    return _LUA % "\n".join(lines)


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk_load(base: str, requests: list[Request], *, seconds: float, threads: int = 2,
             connections: int = 16) -> dict[str, Any]:
    """Run ``wrk --latency`` with a Lua script cycling through ``requests``; parse its report."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_wrk_script(requests))
    try:
        done = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
                               "--timeout", "10s",  # wrk's 2 s default would drop slow answers
                               "-s", f.name, base], capture_output=True, text=True,
                              timeout=seconds + 60, check=True)
    finally:
        os.unlink(f.name)
    out = done.stdout
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(int(x) for x in socket.groups()) if socket else 0
    bad_status = done.stderr.count("status ")
    return {"generator": f"wrk ({threads} threads, {connections} connections)", "seconds": seconds,
            "requests": total, "rps": round(rps, 1), "p50_ms": round(_wrk_ms(pct["50"]), 2),
            "p99_ms": round(_wrk_ms(pct["99"]), 2), "errors": socket_errors + bad_status,
            "socket_errors": dict(zip(("connect", "read", "write", "timeout"),
                                      (int(x) for x in socket.groups()), strict=True)) if socket else {},
            "bad_statuses": sorted(set(re.findall(r"status (\d+)", done.stderr)))}


def load(base: str, requests: list[Request], seconds: float, use_wrk: bool) -> dict[str, Any]:
    if use_wrk:
        return wrk_load(base, requests, seconds=seconds)
    return python_load(base, requests, threads=8, seconds=seconds)


def run(seconds: float = 10.0, orgs: int = 0, workers: int = 2, use_wrk: bool | None = None) -> dict[str, Any]:
    """Set up, serve, and measure both loads; the figures as a dict."""
    use_wrk = shutil.which("wrk") is not None if use_wrk is None else use_wrk
    with tempfile.TemporaryDirectory(prefix="goudkaart-http-") as tmp:
        setup = prepare(Path(tmp), orgs)
        with running_server(setup, workers=workers) as base:
            # warm every worker: each builds its snapshot and matching index once (seconds at
            # city size), which is start-up cost, not throughput
            python_load(base, plans(setup, mix=False), threads=4 * workers, total=100 * workers)
            python_load(base, plans(setup, mix=True), threads=2, total=100)
            matches = load(base, plans(setup, mix=False), seconds, use_wrk)
            mix = load(base, plans(setup, mix=True), seconds, use_wrk)
    return {"server": f"graphsvc serve (gunicorn gthread, {workers} workers x 4 threads)",
            "data": f"{orgs} generated organisations" if orgs else "demo data",
            "matches": matches, "mix": mix,
            "goals": {"matches_rps_ge_1000": matches["rps"] >= 1000 and matches["errors"] == 0,
                      "mix_p99_le_100ms": mix["p99_ms"] <= 100 and mix["errors"] == 0}}


def table(result: dict[str, Any]) -> str:
    rows = [f"{result['server']}, {result['data']}",
            f"{'load':<8} {'generator':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"]
    for name in ("matches", "mix"):
        r = result[name]
        rows.append(f"{name:<8} {r['generator']:<34} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                    f"{r['errors']:>6}")
    rows.append("goals: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in result["goals"].items()))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_http", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    parser.add_argument("--orgs", type=int, default=0, help="generated organisations (0: the demo data)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--python", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    result = run(args.seconds, args.orgs, args.workers, use_wrk=False if args.python else None)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
