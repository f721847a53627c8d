"""The offline map file in a real headless Chromium with the network switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.actions.sessions import set_public_meeting_map
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from tests.small_graph import XSS
from visualisations.offline_map import write_offline_map

pytestmark = pytest.mark.browser


@pytest.fixture
def offline_page(browser: Any) -> Iterator[Any]:
    """A page with no network at all: offline, and every request that is not file:// aborted."""
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
    outside: list[str] = []
    dialogs: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith("file://") or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()
    assert not outside, f"the offline file tried to load: {outside}"
    assert not dialogs, f"a script ran and opened a dialog: {dialogs}"


def open_file(page: Any, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_function("window.goudkaartOffline && window.goudkaartOffline.ready === true",
                           timeout=30000)


def test_offline_file_draws_the_map_and_search_works(offline_page: Any, seeded: GraphStore,
                                                     tmp_path: Path) -> None:
    path = write_offline_map(Snapshot.from_store(seeded), "E", tmp_path / "map.html",
                             rung_names={2: "ontmoeten"})
    open_file(offline_page, path)
    assert offline_page.locator("#network canvas").count() == 1
    assert offline_page.get_attribute("#network", "data-nodes") == "5"
    drawn = offline_page.evaluate("window.goudkaartOffline.network.body.nodeIndices.length")
    assert drawn == 5

    offline_page.fill("#f-search", "kadın")
    offline_page.click("#search-results button")
    offline_page.wait_for_selector("#details[data-node='org-kadin']")
    assert "Stichting Al Amal West" in offline_page.inner_text("#details")
    assert offline_page.evaluate("window.goudkaartOffline.network.getSelectedNodes()") == ["org-kadin"]

    offline_page.fill("#f-search", "geen-naam-zo")
    assert offline_page.inner_text("#search-results") == "Geen naam gevonden."


def test_offline_filters_and_islands(offline_page: Any, seeded: GraphStore, tmp_path: Path) -> None:
    path = write_offline_map(Snapshot.from_store(seeded), "E", tmp_path / "map.html", lang="en")
    open_file(offline_page, path)
    assert XSS in offline_page.inner_text("#island-list")
    offline_page.check("#f-islands")
    offline_page.wait_for_function("document.querySelector('#network').dataset.nodes === '1'")
    offline_page.uncheck("#f-islands")
    offline_page.uncheck("input[name=types][value=Fund]")
    offline_page.wait_for_function("document.querySelector('#network').dataset.nodes === '4'")
    offline_page.select_option("#f-theme", "eenzaamheid")
    offline_page.wait_for_function("document.querySelector('#network').dataset.nodes === '1'")


def test_xss_names_are_text_in_the_offline_file(offline_page: Any, seeded: GraphStore,
                                                tmp_path: Path) -> None:
    path = write_offline_map(Snapshot.from_store(seeded), "E", tmp_path / "map.html")
    open_file(offline_page, path)
    offline_page.click("#island-list button")  # the island is the XSS-named organisation
    offline_page.wait_for_selector("#details[data-node='org-xss']")
    assert offline_page.locator("#details h2").inner_text() == XSS
    assert offline_page.locator("img").count() == 0


def test_download_button_gives_the_same_offline_file(page: Any, seeded: GraphStore,
                                                     offline_page: Any, tmp_path: Path) -> None:
    set_public_meeting_map(seeded, "WK0363EM", True)
    page.goto("/meeting/WK0363EM")
    page.wait_for_function("window.goudkaartMeeting && window.goudkaartMeeting.ready === true",
                           timeout=30000)
    with page.expect_download() as info:
        page.click("#offline-link")
    download = info.value
    assert download.suggested_filename == "goudkaart-WK0363EM.html"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    open_file(offline_page, path)
    assert offline_page.get_attribute("#network", "data-nodes") == "5"


FOCUSED = "document.getElementById('network').getAttribute('data-key-node')"
LIVE = "document.getElementById('map-focus-live').textContent"
ARROWS = {"ArrowRight": ("x", 1), "ArrowLeft": ("x", -1), "ArrowDown": ("y", 1), "ArrowUp": ("y", -1)}


def _type(page: Any, letters: str, node_id: str) -> None:
    """Type a name's first letters until the keyboard is on that dot (a pause starts a new name)."""
    page.wait_for_timeout(900)
    for letter in letters:
        page.keyboard.press(letter if letter != " " else "Space")
        if page.evaluate(FOCUSED) == node_id:
            return
    raise AssertionError(f"typing {letters!r} did not reach {node_id}: on {page.evaluate(FOCUSED)}")


def _said(page: Any, start: str) -> str:
    page.wait_for_function(f"document.getElementById('map-focus-live').textContent.startsWith({start!r})",
                           timeout=5000)
    return str(page.evaluate(LIVE))


def test_the_offline_file_has_the_live_maps_keys(offline_page: Any, seeded: GraphStore, tmp_path: Path) -> None:
    """From disk, no server: the skip link puts the keyboard on the map, letters find Stichting Al
    Amal West, an arrow key goes to Kadın Dayanışma Derneği (announced, with its tie), Enter shows
    its profile; the help says the same words as /map."""
    path = write_offline_map(Snapshot.from_store(seeded), "E", tmp_path / "map.html",
                             rung_names={3: "afstemmen"})
    open_file(offline_page, path)
    offline_page.keyboard.press("Tab")
    assert offline_page.evaluate("document.activeElement.textContent") == "Naar de kaart"
    offline_page.keyboard.press("Enter")
    assert offline_page.evaluate("document.activeElement.getAttribute('role')") == "application"
    help_text = offline_page.evaluate(
        "document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent")
    assert "Met een pijltje ga je naar de dichtste stip in die richting." in help_text
    assert "Enter opent het profiel. Escape laat de stip los." in help_text
    assert offline_page.locator("details.map-keys summary").inner_text() == "De kaart met toetsen gebruiken"

    _type(offline_page, "stichting", "org-amal")
    said = _said(offline_page, "Stichting Al Amal West (Organisatie). 3 banden: Kadın Dayanışma Derneği "
                               "(trede 3, afstemmen);")
    assert said.endswith("Enter opent het profiel.")

    # the arrow key that points from Al Amal to Kadın (the larger of the two distances) goes there
    where = "(id) => window.goudkaartOffline.network.getPositions([id])[id]"
    amal, kadin = offline_page.evaluate(where, "org-amal"), offline_page.evaluate(where, "org-kadin")
    dx, dy = kadin["x"] - amal["x"], kadin["y"] - amal["y"]
    key = ("ArrowRight" if dx > 0 else "ArrowLeft") if abs(dx) >= abs(dy) else ("ArrowDown" if dy > 0 else "ArrowUp")
    offline_page.keyboard.press(key)
    assert offline_page.evaluate(FOCUSED) == "org-kadin", (key, amal, kadin)
    said = _said(offline_page, "Kadın Dayanışma Derneği (Organisatie). 1 band: Stichting Al Amal West (trede 3")
    offline_page.keyboard.press("Enter")
    offline_page.wait_for_selector("#details[data-node='org-kadin']")
    assert offline_page.locator("#details h2").inner_text() == "Kadın Dayanışma Derneği"
    assert "Stichting Al Amal West · trede 3 (afstemmen)" in offline_page.inner_text("#details")
    assert offline_page.evaluate(FOCUSED) == "org-kadin"  # the keyboard stays on the map
    offline_page.keyboard.press("Escape")
    _said(offline_page, "Geen stip gekozen.")


def test_the_offline_file_says_the_keys_in_english(offline_page: Any, seeded: GraphStore, tmp_path: Path) -> None:
    path = write_offline_map(Snapshot.from_store(seeded), "E", tmp_path / "map.html", lang="en")
    open_file(offline_page, path)
    offline_page.keyboard.press("Tab")
    assert offline_page.evaluate("document.activeElement.textContent") == "Skip to the map"
    offline_page.keyboard.press("Enter")
    offline_page.keyboard.press("Home")
    first = offline_page.evaluate(f"window.goudkaartOffline.nodes.get({FOCUSED}).label")
    assert first
    assert _said(offline_page, first).endswith("Enter opens its profile.")
    assert offline_page.locator("details.map-keys summary").inner_text() == "Using the map with the keyboard"
