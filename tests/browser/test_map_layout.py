"""The demo map in a real Chromium: legend colours only, stable positions, keys stay in the
search box, projector-sized labels, and filters that survive a change of language."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from visualisations.map_layout import reset_layouts
from visualisations.offline_map import offline_map_html

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(f"sqlite:///{path}")
    load_demo(store)
    store.close()
    return path


@pytest.fixture
def demo_store(demo_file: Path, tmp_path: Path) -> Iterator[GraphStore]:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_file, copy)
    store = open_store(f"sqlite:///{copy}")
    yield store
    store.close()


@pytest.fixture
def app(demo_store: GraphStore) -> Flask:
    from graphsvc.web import create_app

    settings = load_settings(environ={}, store=demo_store.url, testing=True, secret_key="x")
    return create_app(settings, store=demo_store)


def wait_map(page: Any) -> None:
    page.wait_for_function("window.goudkaartMap && window.goudkaartMap.ready === true", timeout=60000)


def wait_meeting(page: Any) -> None:
    page.wait_for_function("window.goudkaartMeeting && window.goudkaartMeeting.ready === true",
                           timeout=60000)


def log_in(page: Any, app: Flask) -> None:
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("coach-m", PASSWORD, "coach", [])
    page.goto("/login")
    page.fill("#username", "coach-m")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/")


LEGEND_JS = """() => Array.from(document.querySelectorAll('#map-legend [data-legend]')).map(el => {
    const rgb = getComputedStyle(el).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number);
    return '#' + rgb.map(v => v.toString(16).padStart(2, '0')).join(''); })"""
RENDERED_JS = """(net) => Object.values(window[net].network.body.nodes)
    .filter(n => !n.isCluster && n.id.indexOf('edgeId:') !== 0)
    .flatMap(n => [n.options.color.background, n.options.color.highlight.background,
                   n.options.color.hover.background]).map(c => c.toLowerCase())"""
POSITIONS_JS = "(net) => window[net].network.getPositions()"


def _rendered_outside_legend(page: Any, net: str) -> set[str]:
    legend = set(page.evaluate(LEGEND_JS))
    assert len(legend) >= 3
    return set(page.evaluate(RENDERED_JS, net)) - legend


def test_no_rendered_node_colour_is_missing_from_the_legend(page: Any, app: Flask) -> None:
    page.goto("/map?types=Organisation&types=Institution&types=Fund&types=Interest")
    wait_map(page)
    assert _rendered_outside_legend(page, "goudkaartMap") == set()
    page.fill("#f-search", "Stichting")  # selects nodes: vis-network restyles them
    page.wait_for_selector("#search-results li button")
    assert _rendered_outside_legend(page, "goudkaartMap") == set()
    log_in(page, app)
    page.goto("/meeting/F")
    wait_meeting(page)
    assert _rendered_outside_legend(page, "goudkaartMeeting") == set()
    page.click("#btn-theme")
    assert _rendered_outside_legend(page, "goudkaartMeeting") == set()


def test_positions_are_the_same_on_every_load_and_in_the_offline_file(
        page: Any, demo_store: GraphStore, tmp_path: Path) -> None:
    page.goto("/map?area=F")
    wait_map(page)
    first = page.evaluate(POSITIONS_JS, "goudkaartMap")
    reset_layouts()  # the next answer is worked out afresh, as in another worker
    page.reload()
    wait_map(page)
    assert page.evaluate(POSITIONS_JS, "goudkaartMap") == first
    page.set_content(offline_map_html(Snapshot.from_store(demo_store), "F"))
    page.wait_for_function("window.goudkaartOffline && window.goudkaartOffline.ready === true",
                           timeout=60000)
    assert page.evaluate("() => window.goudkaartOffline.network.getPositions()") == first


def test_typing_a_hyphen_in_search_does_not_zoom_and_accents_are_ignored(page: Any) -> None:
    page.goto("/map?area=F")
    wait_map(page)
    scale = page.evaluate("window.goudkaartMap.network.getScale()")
    page.click("#f-search")
    page.keyboard.type("Anne-")
    page.wait_for_timeout(400)
    assert page.input_value("#f-search") == "Anne-"
    assert page.evaluate("window.goudkaartMap.network.getScale()") == scale
    page.fill("#f-search", "")
    page.keyboard.type("Cocuk")
    page.wait_for_selector("#search-results li button")
    assert "Çocuk" in page.inner_text("#search-results")
    # on the map itself the keys still work
    page.click("#network canvas", position={"x": 5, "y": 5})
    page.keyboard.down("-")  # vis-network zooms on each frame while the key is down
    page.wait_for_function(f"window.goudkaartMap.network.getScale() < {scale}")
    page.keyboard.up("-")


def test_filters_survive_switching_language(page: Any) -> None:
    page.goto("/map?lang=nl")
    wait_map(page)
    page.select_option("#f-area", "F")
    page.wait_for_function("document.querySelector('#network').dataset.nodes !== undefined && "
                           "location.search.indexOf('area=F') !== -1")
    wait_map(page)
    page.uncheck("input[name=types][value=Fund]")
    page.wait_for_function("location.search.indexOf('Fund') === -1")
    page.click("a[hreflang=en]")
    wait_map(page)
    assert page.input_value("#f-area") == "F"
    assert not page.is_checked("input[name=types][value=Fund]")
    assert page.locator("h1").first.inner_text() == "Network map"


def test_projector_labels_panels_and_picked_pair_are_readable(page: Any, app: Flask) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, app)
    page.goto("/meeting/F")
    page.fill("#open-form input[name=name]", "Wijktafel Slotermeer-Noordoost")
    page.click("#btn-open")
    wait_meeting(page)
    sizes = page.evaluate("""() => { const m = window.goudkaartMeeting, s = m.network.getScale();
        return m.nodes.get().filter(n => n.label_shown).map(n => n.font.size * s); }""")
    assert len(sizes) >= 10 and min(sizes) >= 18, sorted(sizes)[:3]
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.record-panel *, .side *, .map-wrap .status, .map-legend li'))
        .filter(el => el.offsetParent && Array.from(el.childNodes).some(t => t.nodeType === 3 && t.textContent.trim()))
        .filter(el => parseFloat(getComputedStyle(el).fontSize) < 18).map(el => el.tagName + '.' + el.className + ':' + el.textContent.slice(0, 30))""")
    assert small == []
    # the two picked organisations closest together: their names must not cover each other
    a, b = page.evaluate("""() => { const m = window.goudkaartMeeting, pos = m.network.getPositions();
        const ids = m.nodes.getIds(); let best = null;
        for (const x of ids) for (const y of ids) if (x < y) {
          const d = Math.hypot(pos[x].x - pos[y].x, pos[x].y - pos[y].y);
          if (!best || d < best[0]) best = [d, x, y]; }
        return [best[1], best[2]]; }""")
    page.select_option("#pick-a", a)
    page.select_option("#pick-b", b)
    page.wait_for_timeout(300)
    boxes = page.evaluate("""(ids) => ids.map(id => {
        const n = window.goudkaartMeeting.network.body.nodes[id]; const l = n.labelModule;
        const dy = l.fontOptions.vadjust || 0;  // drawn this far from the box vis-network keeps
        return [l.size.left, l.size.top + dy, l.size.left + l.size.width, l.size.top + dy + l.size.height,
                l.fontOptions.size * window.goudkaartMeeting.network.getScale()]; })""", [a, b])
    (l1, t1, r1, b1, px1), (l2, t2, r2, b2, px2) = boxes
    assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), boxes
    assert min(px1, px2) >= 18
