"""Shared fixtures: a real SQLite store in a temporary folder, the app, its client and the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import Settings, load_settings
from graphsvc.store import GraphStore, open_store

if TYPE_CHECKING:
    from tests.neo4j_server import Neo4jServer

ROOT = Path(__file__).resolve().parents[1]
# Third-party sample files (360Giving, HSDS, org-id lists) are not part of the repository: tests
# marked ``testdata`` read them from here, fail in CI without them and are skipped elsewhere.
TESTDATA = Path(os.environ.get("GRAPHSVC_TESTDATA") or ROOT.parent / "shared" / "testdata")
# Fixture files written for this project.
DATA = ROOT / "tests" / "data"


_SAMPLES_NOT_RUN = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests that need the third-party samples when they are absent (fail in CI)."""
    if TESTDATA.is_dir():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"GRAPHSVC_TESTDATA: {TESTDATA} not found (required in CI)")
    left_out = [item for item in items if item.get_closest_marker("testdata")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("testdata")]
    config.stash[_SAMPLES_NOT_RUN] = len(left_out)


@pytest.fixture
def undeclared_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the store accept properties no label or relationship type declares: for tests of the stores' encoding of
    every kind of value (the declaration check has its own tests in tests/test_doctor.py)."""
    import graphsvc.model

    monkeypatch.setattr(graphsvc.model, "undeclared_keys", lambda label, props: [])
    monkeypatch.setattr(graphsvc.model, "check_declared_rel", lambda rel: None)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'graph.db'}"


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[GraphStore]:
    store = open_store(sqlite_url)
    yield store
    store.close()


@pytest.fixture
def seeded(sqlite_store: GraphStore) -> GraphStore:
    """The small neighbourhood of tests/small_graph.py in the SQLite store the app uses."""
    from tests.small_graph import seed_small

    seed_small(sqlite_store)
    return sqlite_store


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return load_settings(environ={}, store=sqlite_url, testing=True, secret_key="test-secret")


@pytest.fixture
def app(settings: Settings, sqlite_store: GraphStore) -> Flask:
    from graphsvc.web import create_app

    return create_app(settings, store=sqlite_store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GRAPHSVC_STORE", sqlite_url)
    return CliRunner()


BACKENDS = ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jServer]:
    """A real Neo4j for the session (see tests/neo4j_server.py): skipped without one, unless CI."""
    from tests.neo4j_server import session_server

    with session_server(tmp_path_factory.mktemp("neo4j")) as server:
        yield server


@pytest.fixture
def neo4j_store(neo4j_server: Neo4jServer) -> Iterator[GraphStore]:
    """A Neo4jStore on an emptied database."""
    neo4j_server.clear()
    s = neo4j_server.store()
    yield s
    s.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh, empty store of each backend: the contract suite runs once per backend."""
    if request.param == "sqlite":
        s = open_store(f"sqlite:///{tmp_path / 'contract.db'}")
        yield s
        s.close()
    else:
        yield request.getfixturevalue("neo4j_store")


@pytest.fixture
def login(app: Flask, client: FlaskClient) -> Callable[..., FlaskClient]:
    """Log the test client in with a new account of this role: ``login("coach", orgs=["o1"])``."""
    def _login(role: str, orgs: tuple[str, ...] | list[str] = (), username: str | None = None) -> FlaskClient:
        name = username or f"{role}-user"
        with app.app_context():
            try:
                app.extensions["goudkaart"].accounts.add_user(name, PASSWORD, role, list(orgs))
            except Exception:  # the same user twice in one test: keep the first
                pass
        page = client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        response = client.post("/login", data={"username": name, "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


PASSWORD = "correct horse battery"


def csrf_token_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests ran against each real outside service, so a log shows they executed.

    Counted by marker (``neo4j``, ``browser``, ``testdata``), not by test name.
    """
    for marker, what in (("neo4j", "Neo4j-backed"), ("browser", "Chromium browser"),
                         ("testdata", "Third-party sample")):
        counts: dict[str, int] = {}
        for outcome in ("passed", "failed", "skipped", "error"):
            counts[outcome] = sum(1 for r in terminalreporter.stats.get(outcome, [])
                                  if marker in getattr(r, "keywords", {})
                                  and getattr(r, "when", "call") in ("call", "setup"))
        line = (f"{what} tests: {counts['passed']} passed, {counts['failed']} failed, "
                f"{counts['skipped']} skipped, {counts['error']} errors")
        if marker == "testdata" and not TESTDATA.is_dir():
            not_run = terminalreporter.config.stash.get(_SAMPLES_NOT_RUN, 0)
            line = (f"{what} tests: {not_run} not run, samples not found at {TESTDATA} "
                    "(set GRAPHSVC_TESTDATA)")
        terminalreporter.write_line(line)
