"""Everyone can use it: axe-core on every page × role at 1280 and 390 px, phone reflow, keyboard tasks.

The demo neighbourhood is served once per module; each role logs in through the real login form.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser.a11y import (
    MEETING,
    ORG,
    PAGES,
    axe_violations,
    lix,
    log_in,
    main_text,
    open_meeting,
    pages_for,
    running_text,
    sideways_overflow,
)
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser: Any, demo: tuple[Flask, LiveServer]) -> Iterator[Any]:
    app, server = demo
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800},
                                  bypass_csp=True)
    page = context.new_page()
    page.app = app
    yield page
    context.close()


def _settle(page: Any) -> None:
    """Wait until a map on the page (if any) has drawn, so axe sees the map in words too."""
    if page.locator("#network").count():
        page.wait_for_selector("#network[data-ready=true]", state="attached", timeout=60000)


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_has_no_serious_axe_violation_and_reflows_on_a_phone(tab: Any, role: str) -> None:
    if role != "public":
        log_in(tab, tab.app, role)
    if role == "coach":
        open_meeting(tab)
    found: dict[str, list[Any]] = {}
    wide: dict[str, int] = {}
    for path in pages_for(role, tab.app):
        for width in (1280, 390):
            tab.set_viewport_size({"width": width, "height": 800 if width > 800 else 844})
            tab.goto(f"{path}?lang=nl")
            _settle(tab)
            violations = axe_violations(tab)
            if violations:
                found[f"{path} @{width}"] = violations
        for width in (390, 320):  # WCAG 1.4.10: no sideways scrolling down to 320 CSS px
            tab.set_viewport_size({"width": width, "height": 844})
            tab.wait_for_timeout(100)
            if sideways_overflow(tab) > 0:
                wide[f"{path} @{width}"] = sideways_overflow(tab)
    assert not found, f"axe-core serious/critical violations for {role}: {found}"
    assert not wide, f"pages that scroll sideways on a phone for {role} (px): {wide}"


class Keys:
    """Presses keys on the page and counts them, so a test can hold a key-count promise."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def tab_until(self, js_test: str, limit: int) -> None:
        while not self.page.evaluate(js_test):
            assert self.count < limit, f"not reached within {limit} key presses"
            self.press("Tab")


def test_map_to_a_profile_by_keyboard(tab: Any) -> None:
    tab.goto("/map?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    keys = Keys(tab)
    keys.press("Tab")  # the first stop is the skip link to the map in words
    assert tab.evaluate("document.activeElement.getAttribute('href')") == "#network-words"
    keys.press("Enter")
    keys.tab_until("document.activeElement.closest('#network-text a') !== null", limit=6)
    name = tab.evaluate("document.activeElement.textContent")
    keys.press("Enter")
    tab.wait_for_url("**/actors/**")
    assert tab.locator("h1").inner_text() == name
    print(f"keys map→profile: {keys.count}")
    assert keys.count <= 5, keys.count


def test_the_map_in_words_names_islands_with_their_area_and_every_tie(tab: Any) -> None:
    tab.goto("/map?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    payload = tab.evaluate("window.goudkaartMap.payload")
    heading = tab.locator("#network-text h3").first.text_content()
    assert heading.startswith(f"{len(payload['islands'])} eilanden")
    island = next(n for n in payload["nodes"] if n["id"] == payload["islands"][0])
    first = tab.locator("#network-text ul").first.locator("li").first.text_content()
    assert first.startswith(island["label"]) and "(" in first  # its area by name
    ties = [e for e in payload["edges"] if e["type"] == "TIE"]
    a = next(n["label"] for n in payload["nodes"] if n["id"] == ties[0]["from"])
    b = next(n["label"] for n in payload["nodes"] if n["id"] == ties[0]["to"])
    row = tab.evaluate("(a) => Array.from(document.querySelectorAll('#network-text ul')[1].children)"
                       ".find(li => li.querySelector('a').textContent === a).textContent", a)
    assert f"{b} (trede {ties[0]['rung']}" in row
    label = tab.get_attribute("#network", "aria-label")
    assert label.startswith("Kaart van ") and "eilanden" in label


def test_recording_a_tie_by_keyboard_is_listed_and_announced(tab: Any) -> None:
    log_in(tab, tab.app, "coach")
    open_meeting(tab)
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    keys = Keys(tab)
    keys.press("Tab")
    assert tab.evaluate("document.activeElement.getAttribute('href')") == "#record-title"
    keys.press("Enter")
    keys.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "pick-a"
    keys.press("ArrowDown")
    keys.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "pick-b"
    keys.press("ArrowDown", 2)
    a, b = tab.evaluate("[document.getElementById('pick-a').value, document.getElementById('pick-b').value]")
    assert a and b and a != b
    names = tab.evaluate("[document.getElementById('pick-a').selectedOptions[0].text,"
                         " document.getElementById('pick-b').selectedOptions[0].text]")
    keys.tab_until("document.activeElement.dataset.rung === '4'", limit=14)
    keys.press("Enter")
    tab.wait_for_function("document.querySelector('#tonight-ties li') !== null", timeout=20000)
    assert tab.locator("#tonight-ties ol").get_attribute("aria-live") == "polite"
    assert names[0] in tab.locator("#tonight-ties li").first.text_content()
    assert tab.locator("#meeting-ties li", has_text=names[0]).filter(has_text=names[1]).count() == 1
    print(f"keys record a tie: {keys.count}")
    assert keys.count <= 12, keys.count


def test_coach_reaches_the_first_match_within_ten_tab_presses(tab: Any) -> None:
    log_in(tab, tab.app, "coach")
    tab.goto(f"/coach/{ORG}?lang=nl")
    keys = Keys(tab)
    keys.press("Tab")
    keys.press("Enter")  # the first stop is the skip link to the matches
    keys.tab_until("document.activeElement.matches('#matches li.match a.match-name')", limit=11)
    tabs = keys.count - 1
    print(f"tabs coach→first match: {tabs} (+1 Enter)")
    assert tabs <= 10, tabs
    first = tab.locator("#matches li.match a.match-name").first.text_content()
    assert tab.evaluate("document.activeElement.textContent") == first


@pytest.mark.parametrize("path", ["/map", "/meeting/F"])
def test_hyphen_and_plus_reach_every_text_field_of_the_map_pages(tab: Any, path: str) -> None:
    log_in(tab, tab.app, "coach")  # a coach sees the form that names a new meeting
    tab.goto(f"{path}?lang=nl")
    tab.wait_for_selector("#network[data-ready=true]", timeout=60000)
    fields = tab.locator("input[type=search]:visible, input[type=text]:visible, input:not([type]):visible,"
                         " textarea:visible")
    assert fields.count() >= 1
    network = "window.goudkaartMap || window.goudkaartMeeting"
    for i in range(fields.count()):
        field = fields.nth(i)
        field.fill("")
        scale = tab.evaluate(f"({network}).network.getScale()")
        field.click()
        tab.keyboard.type("Osdorp-Oost 1+1")
        assert field.input_value() == "Osdorp-Oost 1+1"
        # "-" zooms out by a tenth when the map takes the key: allow only rounding noise
        assert tab.evaluate(f"({network}).network.getScale()") == pytest.approx(scale, rel=1e-3)


def test_the_header_folds_into_a_menu_on_a_phone(tab: Any) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto("/?lang=nl")
    toggle = tab.locator("#menu-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not tab.locator("nav.main-nav a", has_text="Kaart").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    tab.locator("nav.main-nav a", has_text="Kaart").click()
    tab.wait_for_url("**/map**")


def test_lix_of_the_plain_language_pages(tab: Any) -> None:
    for path in ("/toegankelijkheid", "/begrippen"):
        tab.goto(f"{path}?lang=nl")
        assert lix(tab.locator("main").inner_text()) <= 40, path


@pytest.mark.parametrize("role", ["coach", "funder"])
def test_lix_of_the_task_pages(tab: Any, role: str) -> None:
    """The coach page, meeting mode and /funders in plain Dutch: their sentences at LIX 40 or less,
    and each page as a whole too: the coach page and meeting mode with every name and drop-down,
    /funders without the proper names its tables list (marked ``translate="no"``)."""
    log_in(tab, tab.app, role)
    paths = {"coach": [f"/coach/{ORG}", f"/meeting/{MEETING}"], "funder": ["/funders"]}[role]
    if role == "coach":
        open_meeting(tab)
    for path in paths:
        tab.goto(f"{path}?lang=nl")
        _settle(tab)
        assert lix(running_text(tab)) <= 40, (path, lix(running_text(tab)))
        whole = main_text(tab, names=role != "funder")
        assert lix(whole) <= 40, (path, lix(whole))
    if role == "funder":  # the names left out are names, not the sentences about the clusters
        names = tab.locator("main [translate=no]").all_inner_texts()
        assert "Rijksregeling Inburgering Dichtbij" in names
        assert not any(". " in name for name in names)


def test_lix_counts_words_sentences_and_long_words() -> None:
    assert lix("De kaart laat zien wie samenwerkt. Klik op een stip.") == 15.0
    assert lix("De kaart laat zien wie samenwerkt. Klik op een stip") == 15.0  # the last one unclosed
    assert lix("Fonds\tOrganisaties\nWijkfonds\tVrouwen van Osdorp") == 1.5 + 100 * 3 / 6  # cells, not rows
    assert lix("Samenwerkingsverbanden") == 101.0
    assert lix("") == 0.0


def test_axe_is_vendored_with_its_licence() -> None:
    vendor = Path(__file__).with_name("vendor")
    assert "axe-core" in (vendor / "LICENSE").read_text(encoding="utf-8") or \
        "Mozilla Public License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    assert (vendor / "axe.min.js").stat().st_size > 100_000
