"""Shared fixtures: a real SQLite store in a temporary folder, the app, its client and the CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import Settings, load_settings
from graphsvc.store import GraphStore, open_store

SHARED = Path(__file__).resolve().parents[2] / "shared"


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


BACKENDS = ["sqlite"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh, empty store of each backend: the contract suite runs once per backend."""
    if request.param == "sqlite":
        s = open_store(f"sqlite:///{tmp_path / 'contract.db'}")
        yield s
        s.close()
