"""HTTP throughput of the production server: match endpoint alone, then a read/write mix.

Run ``python -m benchmarks.bench_http [--seconds 10] [--orgs 0] [--workers 2] [--store FILE] [--json out.json]``.

The app runs under ``graphsvc serve`` (gunicorn gthread, ``--workers`` × 4 threads) on
127.0.0.1 with the demo data (``--orgs N``: a generated graph of N organisations instead;
``--store FILE``: a consistent copy of a pre-made SQLite store, e.g. a million organisations,
which is itself only read; the server then gets up to 20 minutes to build its snapshot). A load
generator on loopback runs for a fixed time: ``wrk`` when it is installed (it shares the two cores
with the server, so the figures are a floor), else a Python generator with threads and keep-alive
``http.client`` connections (slower: the GIL caps it well below the server). Reported: requests/s,
p50/p99 latency and errors (socket errors + any status outside 2xx/409) for

* **matches**: ``GET /api/v1/organisations/<id>/matches`` over many organisations, admin token;
* **mix**: 50% matches, 30% area map (``/api/v1/graph?area=...``), 20% tie changes
  (``POST /api/v1/sessions/<id>/ties`` with a coach token; the rung alternates so each is a real
  write). 409s would be optimistic-concurrency answers, counted apart from errors.

Goals: ≥ 1,000 req/s on the match endpoint, 0 errors, p99 ≤ 100 ms for the mix (issue 9); and
at a million organisations with 2 workers, matches p99 ≤ 50 ms (issue 20).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["Setup", "prepare", "running_server", "python_load", "wrk_load", "plans", "main"]

from tests.load_server import (
    Request,
    Setup,
    plans,
    prepare,
    python_load,
    running_server,
)

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


def run(seconds: float = 10.0, orgs: int = 0, workers: int = 2, use_wrk: bool | None = None,
        store: Path | None = None) -> dict[str, Any]:
    """Set up, serve, and measure both loads; the figures as a dict."""
    use_wrk = shutil.which("wrk") is not None if use_wrk is None else use_wrk
    with tempfile.TemporaryDirectory(prefix="goudkaart-http-") as tmp:
        setup = prepare(Path(tmp), orgs, source=store)
        started = time.perf_counter()
        with running_server(setup, workers=workers, start_timeout=1200.0 if store else 30.0) as base:
            ready = time.perf_counter() - started
            # warm every worker: each builds its snapshot and matching index once (seconds at
            # city size), which is start-up cost, not throughput
            python_load(base, plans(setup, mix=False), threads=4 * workers, total=100 * workers)
            python_load(base, plans(setup, mix=True), threads=2, total=100)
            matches = load(base, plans(setup, mix=False), seconds, use_wrk)
            mix = load(base, plans(setup, mix=True), seconds, use_wrk)
    data = (f"a copy of {store} ({len(setup.organisations):,} organisations)" if store
            else f"{orgs} generated organisations" if orgs else "demo data")
    return {"server": f"graphsvc serve (gunicorn gthread, {workers} workers x 4 threads)",
            "data": data, "ready_seconds": round(ready, 1), "matches": matches, "mix": mix,
            "goals": {"matches_rps_ge_1000": matches["rps"] >= 1000 and matches["errors"] == 0,
                      "matches_p99_le_50ms": matches["p99_ms"] <= 50 and matches["errors"] == 0,
                      "mix_p99_le_100ms": mix["p99_ms"] <= 100 and mix["errors"] == 0}}


def table(result: dict[str, Any]) -> str:
    rows = [f"{result['server']}, {result['data']}; answering after {result['ready_seconds']:.0f} s",
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
    parser.add_argument("--store", type=Path, help="serve a copy of this SQLite store file (read only)")
    parser.add_argument("--python", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.store is not None and not args.store.is_file():
        print(f"bench_http: there is no store file at {args.store}", file=sys.stderr)
        return 1
    result = run(args.seconds, args.orgs, args.workers, use_wrk=False if args.python else None, store=args.store)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
