"""Accounts in the store, measured: ``python -m benchmarks.bench_accounts [--rounds 30]``.

Prints medians for: a login answer for a known name with a wrong password vs an unknown name
(they should match: no user-name probing by timing), a logged-in page request (session read from
the store) vs an anonymous one, and an API-token request. SQLite only (Neo4j via the tests).
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from graphsvc.config import load_settings
from graphsvc.store import open_store
from graphsvc.web import create_app

PASSWORD = "correct horse battery"


def _median_ms(call: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'graph.db'}"
        store = open_store(url)
        settings = load_settings(environ={}, store=url, testing=True, secret_key="bench",
                                 password_checks_per_second=10_000)
        app = create_app(settings, store=store)
        accounts = app.extensions["goudkaart"].accounts
        user = accounts.add_user("ayse", PASSWORD, "admin")
        token = accounts.create_token(user.id)
        client = app.test_client()
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True))
        assert csrf is not None

        def login(name: str, password: str) -> int:
            accounts.records.clear("login:account:" + name)  # stay below the lock-out
            accounts.records.clear("login:client:127.0.0.1")
            return client.post("/login", data={"username": name, "password": password,
                                               "csrf_token": csrf.group(1)}).status_code

        rows = {
            "login, known name, wrong password": _median_ms(lambda: login("ayse", "wrong-password"), rounds),
            "login, unknown name": _median_ms(lambda: login("nobody", "wrong-password"), rounds),
            "GET /api/v1/stats anonymous": _median_ms(lambda: client.get("/api/v1/stats"), rounds),
            "GET /api/v1/stats with an API token": _median_ms(
                lambda: client.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"}), rounds),
        }
        assert login("ayse", PASSWORD) == 302
        rows["GET /api/v1/stats logged in (session in the store)"] = _median_ms(
            lambda: client.get("/api/v1/stats"), rounds)
        store.close()
    for name, ms in rows.items():
        print(f"{name:<55}{ms:8.2f} ms")


if __name__ == "__main__":
    main()
