"""A city-size graph in the browser: aggregated start, open an area, focus one organisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from graphsvc.config import load_settings
from graphsvc.generate import write_generated
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store

pytestmark = pytest.mark.browser


@pytest.fixture
def big_store(tmp_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path / 'big.db'}")
    write_generated(store, 1500, seed=5)
    yield store
    store.close()


@pytest.fixture
def app(big_store: GraphStore, tmp_path: Path) -> Flask:
    from graphsvc.web import create_app

    settings = load_settings(environ={}, store=big_store.url, testing=True, secret_key="x",
                             map_node_limit=400)
    return create_app(settings, store=big_store)


def wait_ready(page: Any) -> None:
    page.wait_for_function("window.goudkaartMap && window.goudkaartMap.ready === true", timeout=60000)


def test_big_graph_starts_aggregated_and_opens_on_click(page: Any, big_store: GraphStore) -> None:
    page.goto("/map")
    wait_ready(page)
    assert page.get_attribute("#network", "data-mode") == "aggregate"
    payload = page.evaluate("window.goudkaartMap.payload")
    assert all(n["id"].startswith("area:") for n in payload["nodes"])
    smallest = min(payload["nodes"], key=lambda n: n["count"])
    # click the area's node on the canvas: the map opens that area
    x, y = page.evaluate(
        """(id) => { const net = window.goudkaartMap.network;
                     const p = net.canvasToDOM(net.getPosition(id));
                     const b = document.querySelector('#network canvas').getBoundingClientRect();
                     return [b.left + p.x, b.top + p.y]; }""", smallest["id"])
    page.mouse.click(x, y)
    page.wait_for_function("document.querySelector('#network').dataset.mode === 'graph'")
    wait_ready(page)
    assert f"area={smallest['area']}" in page.url


def test_search_focuses_one_organisation_and_shows_more(page: Any, big_store: GraphStore) -> None:
    snap = Snapshot.from_store(big_store)
    hub = max(snap.labelled("Organisation"), key=lambda o: len(snap.ties.get(o, {})))
    page.goto("/map")
    wait_ready(page)
    page.fill("#f-search", snap.name(hub)[:12])
    page.wait_for_selector("#search-results button")
    buttons = page.locator("#search-results button")
    names = [buttons.nth(i).inner_text() for i in range(buttons.count())]
    buttons.nth(names.index(snap.name(hub))).click()
    page.wait_for_function("document.querySelector('#network').dataset.mode === 'graph'")
    wait_ready(page)
    payload = page.evaluate("window.goudkaartMap.payload")
    assert payload["filters"]["focus"] == hub
    assert hub in {n["id"] for n in payload["nodes"]}
