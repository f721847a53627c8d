"""Fixtures for the importer tests: the shared standard files, a demo store, a "nothing changed" check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.demo.dataset import load_demo
from graphsvc.store import GraphStore, open_store
from tests.conftest import TESTDATA

INDIGO = TESTDATA / "360giving-indigo-trust" / "indigo.json"
DQT = TESTDATA / "360giving-dqt-fixtures"
HSDS = TESTDATA / "hsds-3.0-examples"


def store_state(store: GraphStore) -> tuple[int, dict[str, dict[str, int]], int]:
    """What must stay identical when an import is refused: revision, counts, history length."""
    return store.revision(), store.counts(), len(store.tie_history())


def graph_content(store: GraphStore) -> dict[str, Any]:
    """Nodes, relationships and tie history without timestamps and sequence numbers."""
    return {
        "nodes": {n.id: (n.label, dict(n.props)) for n in store.iter_nodes()},
        "rels": {r.ident: dict(r.props) for r in store.iter_relationships()},
        "events": [e.as_dict() for e in store.tie_history()],
    }


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """The demo neighbourhood in a SQLite file, shared by the tests of one module (read-mostly)."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    load_demo(store)
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    yield store
    store.close()
