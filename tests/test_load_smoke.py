"""A short smoke of the production server: ``graphsvc serve`` with the demo data takes a mixed load.

Not a performance test (the figures live in ``benchmarks/bench_http.py``): 200 requests — matches,
area maps and tie changes with API tokens — from a few threads must all succeed, then the server
stops cleanly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.load_server import plans, prepare, python_load, running_server

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")]


def test_production_server_answers_a_mixed_load(tmp_path: Path) -> None:
    setup = prepare(tmp_path)
    with running_server(setup, workers=2) as base:
        result = python_load(base, plans(setup, mix=True), threads=4, total=200, seconds=45)  # a hang guard only
    assert result["requests"] == 200, result
    assert result["errors"] == 0, (result["statuses"], result["socket_errors"])
    assert set(result["statuses"]) <= {"200", "201"}, result["statuses"]
