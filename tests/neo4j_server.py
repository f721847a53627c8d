"""Test helpers for a real Neo4j: one started by ``scripts/neo4j_server.py``, or the one named in
``GRAPHSVC_TEST_NEO4J`` (with ``GRAPHSVC_TEST_NEO4J_PASSWORD``).

When Neo4j cannot be had, the Neo4j tests are skipped, except when ``CI`` is set: then they fail,
so a CI run cannot pass without having run them. A database that holds data is refused unless
``GRAPHSVC_TEST_NEO4J_RESET=1`` allows the tests to wipe it.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest
from neo4j import Driver, GraphDatabase

from graphsvc.store.neo4j import Neo4jStore

__all__ = [
    "Neo4jServer",
    "launcher",
    "free_port",
    "start_server",
    "session_server",
    "refuse_data",
    "unavailable",
]

ROOT = Path(__file__).resolve().parents[1]
ENV_URL = "GRAPHSVC_TEST_NEO4J"
ENV_PASSWORD = "GRAPHSVC_TEST_NEO4J_PASSWORD"
ENV_RESET = "GRAPHSVC_TEST_NEO4J_RESET"


@dataclass
class Neo4jServer:
    """A Neo4j the tests may use; ``dir`` is set when the tests started it themselves."""

    url: str
    password: str
    user: str = "neo4j"
    database: str = "neo4j"
    dir: Path | None = None
    port: int = 0
    _driver: Driver | None = field(default=None, repr=False)

    def store(self, **options: Any) -> Neo4jStore:
        """A fresh store object on this server (it connects on first use)."""
        return Neo4jStore(self.url, user=self.user, password=self.password,
                          database=self.database, **options)

    def settings(self) -> dict[str, str]:
        """Overrides for :func:`graphsvc.config.load_settings` that point the app here."""
        return {"store": self.url, "neo4j_user": self.user, "neo4j_password": self.password,
                "neo4j_database": self.database}

    def driver(self) -> Driver:
        if self._driver is None:
            self._driver = GraphDatabase.driver(self.url, auth=(self.user, self.password),
                                                connection_timeout=5,
                                                notifications_min_severity="OFF")
        return self._driver

    def has_data(self) -> bool:
        """True when the database holds anything besides Goudkaart's (empty) marker node."""
        records, _, _ = self.driver().execute_query(
            "MATCH (n) WHERE NOT (n:GMeta AND n.revision = 0) RETURN count(n) AS n",
            database_=self.database,
        )
        return bool(records[0]["n"])

    def clear(self) -> None:
        """Empty the database and reset the revision (the constraints stay)."""
        with self.driver().session(database=self.database) as session:  # batches need auto-commit
            # relationships first, in bounded batches: a hub node may have a million of them
            session.run("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
            session.run("MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()

    def start(self) -> None:
        """Start (again) the server these tests own, on the same folder and port."""
        assert self.dir is not None, "only a server the tests started can be restarted"
        launcher().start(self.dir, port=self.port, password=self.password)

    def stop(self, kill: bool = False) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        if self.dir is not None:
            launcher().stop(self.dir, kill=kill)


@cache
def launcher() -> ModuleType:
    """``scripts/neo4j_server.py`` loaded as a module."""
    spec = importlib.util.spec_from_file_location("neo4j_server", ROOT / "scripts" / "neo4j_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unavailable(reason: str) -> NoReturn:
    """Skip the Neo4j tests, or fail them when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"Neo4j is required when CI is set: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j: {reason}")


def start_server(folder: Path) -> Neo4jServer:
    """Start a private Neo4j on a free 127.0.0.1 port with a random password (or skip/fail)."""
    if shutil.which("java") is None:
        unavailable("Java 17 is not installed")
    mod = launcher()
    if not mod.JAR.exists() and shutil.which("mvn") is None:
        unavailable("the launcher is not built and Maven is not installed")
    port, password = free_port(), "gk-test-" + secrets.token_urlsafe(12)
    try:
        url = mod.start(folder, port=port, password=password)
    except mod.Neo4jServerError as exc:
        unavailable(f"the test server did not start: {exc}")
    return Neo4jServer(url, password, dir=folder, port=port)


def _server_from_env() -> Neo4jServer | None:
    url = os.environ.get(ENV_URL)
    if not url:
        return None
    return Neo4jServer(url, os.environ.get(ENV_PASSWORD, ""),
                       user=os.environ.get("GRAPHSVC_TEST_NEO4J_USER", "neo4j"),
                       database=os.environ.get("GRAPHSVC_TEST_NEO4J_DATABASE", "neo4j"))


def refuse_data(server: Neo4jServer) -> None:
    """Refuse (fail) a database that holds data, or wipe it when GRAPHSVC_TEST_NEO4J_RESET=1."""
    try:
        has_data = server.has_data()
    except Exception as exc:  # any failure here means: no usable Neo4j
        server.stop()
        unavailable(f"{server.url} does not answer ({type(exc).__name__}: {exc})")
    if has_data:
        if os.environ.get(ENV_RESET) != "1":
            server.stop()
            pytest.fail(f"The Neo4j database at {server.url} is not empty; the tests refuse to "
                        f"touch it. Set {ENV_RESET}=1 to let them wipe it.", pytrace=False)
        server.clear()


@contextmanager
def session_server(folder: Path) -> Iterator[Neo4jServer]:
    """The Neo4j for a whole test session: from the environment, or started (and stopped) here."""
    server = _server_from_env() or start_server(folder)
    try:
        refuse_data(server)
        yield server
        if server.dir is None:
            server.clear()  # leave a borrowed database as empty as we found it
    finally:
        server.stop()
