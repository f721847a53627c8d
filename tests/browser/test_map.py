"""The map in a real headless Chromium: it draws, filters, and shows a profile on click."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.store import GraphStore
from tests.small_graph import XSS

pytestmark = pytest.mark.browser


def wait_ready(page: Any) -> None:
    page.wait_for_function("window.goudkaartMap && window.goudkaartMap.ready === true", timeout=30000)


def click_node(page: Any, node_id: str) -> None:
    x, y = page.evaluate(
        """(id) => { const net = window.goudkaartMap.network;
                     const pos = net.canvasToDOM(net.getPosition(id));
                     const box = document.querySelector('#network canvas').getBoundingClientRect();
                     return [box.left + pos.x, box.top + pos.y]; }""",
        node_id,
    )
    page.mouse.click(x, y)


def open_profile(page: Any, node_id: str, tries: int = 3) -> None:
    """Click the node until its profile shows: on a loaded machine the view can still move
    (the fit after stabilising) between reading a node's position and the click landing."""
    for attempt in range(tries):
        click_node(page, node_id)
        try:
            page.wait_for_selector(f"#profile[data-node='{node_id}']", timeout=5000)
            return
        except Exception:  # playwright's TimeoutError
            if attempt == tries - 1:
                raise


def test_map_draws_filters_and_shows_a_profile(page: Any, seeded: GraphStore) -> None:
    page.goto("/map")
    wait_ready(page)
    assert page.locator("#network canvas").count() == 1
    assert page.get_attribute("#network", "data-nodes") == "6"

    page.select_option("#f-area", "F")  # Nieuw-West: only the island
    page.wait_for_function("document.querySelector('#network').dataset.nodes === '1'")
    wait_ready(page)
    assert "area=F" in page.url
    assert page.evaluate("window.goudkaartMap.payload.islands") == ["org-alone"]

    page.select_option("#f-area", "")
    page.wait_for_function("document.querySelector('#network').dataset.nodes === '6'")
    wait_ready(page)
    open_profile(page, "org-amal")
    profile = page.inner_text("#profile")
    assert "Stichting Al Amal West" in profile and "Kadın Dayanışma Derneği" in profile
    assert "Fonds Samen" in profile


def test_xss_name_is_text_in_map_tooltip_and_profile(page: Any, seeded: GraphStore) -> None:
    page.goto("/map")
    wait_ready(page)
    open_profile(page, "org-xss")
    assert page.locator("#profile h2").inner_text() == XSS
    assert page.locator("#profile img").count() == 0
    # hover for the vis-network tooltip: rendered as text
    x, y = page.evaluate(
        """() => { const net = window.goudkaartMap.network;
                   const pos = net.canvasToDOM(net.getPosition('org-xss'));
                   const box = document.querySelector('#network canvas').getBoundingClientRect();
                   return [box.left + pos.x, box.top + pos.y]; }"""
    )
    page.mouse.move(x + 1, y + 1)
    tooltip = page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    assert XSS in tooltip.inner_text()
    assert page.locator("div.vis-tooltip img").count() == 0


def test_search_finds_and_focuses_a_name(page: Any, seeded: GraphStore) -> None:
    page.goto("/map?lang=en")
    wait_ready(page)
    page.fill("#f-search", "kadın")
    page.click("#search-results button")
    page.wait_for_selector("#profile[data-node='org-kadin']")
    assert page.evaluate("window.goudkaartMap.network.getSelectedNodes()") == ["org-kadin"]
