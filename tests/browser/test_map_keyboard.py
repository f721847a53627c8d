"""Keys inside the map: dot to dot by arrow key or by typing a name, Enter as a click, Escape.

Real demo data, a real server and a real headless Chromium; every key is pressed and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.browser.a11y import ORG, log_in, open_meeting
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

FOCUSED = "document.getElementById('network').getAttribute('data-key-node')"
LIVE = "document.getElementById('map-focus-live').textContent"


@pytest.fixture
def tab(browser: Any, demo: tuple[Flask, LiveServer]) -> Iterator[Any]:
    app, server = demo
    context = browser.new_context(base_url=server.url, viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = context.new_page()
    page.app = app
    yield page
    context.close()


class Keys:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1


def _announced(page: Any, start: str) -> str:
    page.wait_for_function(f"{LIVE}.startsWith({start!r})", timeout=5000)
    return str(page.evaluate(LIVE))


def _to_the_map(page: Any, keys: Keys, skip_links_before: int = 1) -> None:
    """From page load: Tab past the skip links before "Naar de kaart", then Enter on it."""
    keys.press("Tab", skip_links_before + 1)
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#network"
    assert page.evaluate("document.activeElement.textContent") == "Naar de kaart"
    keys.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "application"
    assert page.evaluate("document.activeElement.closest('#network') !== null")
    # its description is the key help (the same words as the help under the map)
    help_text = page.evaluate("document.getElementById(document.activeElement.getAttribute('aria-describedby'))"
                              ".textContent")
    assert "pijltje" in help_text and "Escape laat de stip los." in help_text


def _type_name(page: Any, keys: Keys, node_id: str, name: str) -> None:
    """Type the name's first letters until the keyboard is on that dot."""
    for letter in name:
        keys.press(letter if letter != " " else "Space")
        if page.evaluate(FOCUSED) == node_id:
            return
    raise AssertionError(f"typing {name!r} did not reach {node_id}: on {page.evaluate(FOCUSED)}")


def _ring_pixels(page: Any) -> dict[str, int]:
    """Around the focused dot on the canvas: how many pixels are ring ink and how many white."""
    return dict(page.evaluate("""() => {
      const s = window.goudkaartMap || window.goudkaartMeeting, net = s.network;
      const id = document.getElementById('network').getAttribute('data-key-node');
      const dom = net.canvasToDOM(net.getPositions([id])[id]);
      const r = (net.body.nodes[id].options.size || 14) * net.getScale() + 5;
      const canvas = document.querySelector('#network canvas'), ctx = canvas.getContext('2d');
      const k = canvas.width / canvas.clientWidth;
      let ink = 0, white = 0;
      const at = (radius, a) => ctx.getImageData(Math.round((dom.x + radius * Math.cos(a * Math.PI / 180)) * k),
                                                 Math.round((dom.y + radius * Math.sin(a * Math.PI / 180)) * k), 1, 1).data;
      for (let a = 0; a < 360; a += 6) {
        const [R, G, B] = at(r, a);          // the ring itself (4 px wide)
        if (R < 60 && G < 60 && B < 60) { ink++; }
        const [R2, G2, B2] = at(r + 3.5, a);  // its white halo just outside
        if (R2 > 240 && G2 > 240 && B2 > 240) { white++; }
      }
      return {ink, white};
    }"""))


def test_from_the_map_to_a_named_profile_by_keyboard(tab: Any) -> None:
    tab.goto("/map?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    name = tab.evaluate(f"window.goudkaartMap.nodes.get({ORG!r}).label")
    keys = Keys(tab)
    _to_the_map(tab, keys)
    _type_name(tab, keys, ORG, name)
    said = _announced(tab, name)
    assert said.startswith(f"{name} (Organisatie).")
    assert "band" in said and "trede" in said  # its ties, by name and rung
    assert said.endswith("Enter opent het profiel.")
    keys.press("Enter")
    tab.wait_for_function(f"document.getElementById('profile').getAttribute('data-node') === {ORG!r}")
    assert tab.locator("#profile h2").inner_text() == name
    assert tab.evaluate(FOCUSED) == ORG  # the keyboard stays on the map
    print(f"keys map→named profile ({name}): {keys.count}")
    assert keys.count <= 8, keys.count


def test_arrow_keys_go_to_the_nearest_dot_in_that_direction_and_draw_a_ring(tab: Any) -> None:
    tab.goto("/map?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    keys = Keys(tab)
    _to_the_map(tab, keys)
    assert tab.evaluate(FOCUSED) is None
    keys.press("ArrowRight")  # the first key takes the dot nearest the middle of the view
    first = tab.evaluate(FOCUSED)
    assert first
    tab.wait_for_timeout(400)  # a move into view animates
    ring = _ring_pixels(tab)
    assert ring["ink"] >= 50 and ring["white"] >= 30, ring  # ink on white: 16.9:1
    position = "(id) => window.goudkaartMap.network.getPositions([id])[id]"
    for key, axis, sign in (("ArrowRight", "x", 1), ("ArrowDown", "y", 1), ("ArrowLeft", "x", -1),
                            ("ArrowUp", "y", -1)):
        before = tab.evaluate(FOCUSED)
        keys.press(key)
        after = tab.evaluate(FOCUSED)
        assert after != before, key
        moved = tab.evaluate(position, after)[axis] - tab.evaluate(position, before)[axis]
        assert moved * sign > 0, (key, moved)
        name = tab.evaluate(f"window.goudkaartMap.nodes.get({after!r}).label")
        _announced(tab, name)
    keys.press("Escape")
    assert tab.evaluate(FOCUSED) is None
    _announced(tab, "Geen stip gekozen.")
    # Shift + arrow moves the view, not the dot
    view = tab.evaluate("window.goudkaartMap.network.getViewPosition()")
    keys.press("Shift+ArrowRight")
    assert tab.evaluate("window.goudkaartMap.network.getViewPosition()")["x"] > view["x"]
    assert tab.evaluate(FOCUSED) is None


def test_the_keys_act_only_while_the_map_has_focus(tab: Any) -> None:
    tab.goto("/map?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    tab.click("#f-search")
    tab.keyboard.type("Al")
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("Home")
    assert tab.input_value("#f-search") == "Al"
    assert tab.evaluate(FOCUSED) is None
    assert tab.evaluate(LIVE) == ""


def test_typing_a_letter_again_moves_to_the_next_name_with_it(tab: Any) -> None:
    tab.goto("/map?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    keys = Keys(tab)
    _to_the_map(tab, keys)
    names = tab.evaluate("window.goudkaartMap.nodes.get().map(n => n.label)"
                         ".filter(n => n.toLowerCase().startsWith('b'))"
                         ".sort((a, b) => a.localeCompare(b, 'nl', {sensitivity: 'base'}))")
    assert len(names) >= 2
    label = "window.goudkaartMap.nodes.get(" + FOCUSED + ").label"
    keys.press("b")
    assert tab.evaluate(label) == names[0]
    keys.press("b")
    assert tab.evaluate(label) == names[1]
    keys.press("End")
    everyone = tab.evaluate("window.goudkaartMap.nodes.get().map(n => n.label)"
                            ".sort((a, b) => a.localeCompare(b, 'nl', {sensitivity: 'base'}))")
    assert tab.evaluate(label) == everyone[-1]
    tab.wait_for_timeout(900)
    keys.press("q")
    keys.press("x")
    _announced(tab, "Geen naam begint met ‘qx’.")


def test_meeting_mode_picks_a_and_b_by_keyboard(tab: Any) -> None:
    log_in(tab, tab.app, "coach")
    open_meeting(tab)
    tab.goto("/meeting/WK0363FD?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    a, b = tab.evaluate("Object.keys(window.goudkaartMeeting.names).sort().slice(0, 2)")
    names = tab.evaluate("(ids) => ids.map(id => window.goudkaartMeeting.names[id])", [a, b])
    keys = Keys(tab)
    _to_the_map(tab, keys, skip_links_before=1)  # after "Naar een band vastleggen"
    for node_id, name in ((a, names[0]), (b, names[1])):
        tab.wait_for_timeout(900)  # a new name, not the letters typed before
        _type_name(tab, keys, node_id, name)
        said = _announced(tab, name)
        assert said.endswith("Enter kiest de stip als organisatie A of B.")
        keys.press("Enter")
    assert tab.input_value("#pick-a") == a and tab.input_value("#pick-b") == b
    assert tab.locator("#record-hint").inner_text() == "Klik nu op een trede."
    print(f"keys meeting map→A and B: {keys.count}")


def test_the_funder_cluster_map_opens_a_cluster_by_keyboard(tab: Any) -> None:
    log_in(tab, tab.app, "funder")
    tab.goto("/funders?lang=nl")
    tab.wait_for_selector("#cluster-map[data-ready=true]", timeout=60000)
    tab.focus("#cluster-map .vis-network")
    assert tab.evaluate("document.activeElement.getAttribute('role')") == "application"
    tab.keyboard.press("ArrowDown")
    cluster = tab.evaluate("document.getElementById('cluster-map').getAttribute('data-key-node')")
    label = tab.evaluate(f"window.goudkaartClusters.nodes.get({cluster!r}).label")
    said = _announced(tab, label)
    assert "(Cluster)." in said and "Herfindahl" in said
    tab.keyboard.press("Enter")
    tab.wait_for_function(f"(document.getElementById('cluster-map').getAttribute('data-expanded') || '')"
                          f".split(' ').includes({cluster!r})", timeout=20000)
    assert tab.locator("#cluster-detail h2").count() == 1
