"""A meeting in a real headless Chromium: start it, record ties in three clicks, undo, report."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from graphsvc.store import GraphStore
from tests.conftest import PASSWORD
from tests.small_graph import XSS

pytestmark = pytest.mark.browser


class Clicks:
    """Counts the clicks a user makes, so a test can hold the three-click promise."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def node(self, node_id: str) -> None:
        x, y = self.page.evaluate(
            """(id) => { const net = window.goudkaartMeeting.network;
                         const pos = net.canvasToDOM(net.getPosition(id));
                         const box = document.querySelector('#network canvas').getBoundingClientRect();
                         return [box.left + pos.x, box.top + pos.y]; }""",
            node_id,
        )
        self.page.mouse.click(x, y)
        self.count += 1

    def on(self, selector: str) -> None:
        self.page.click(selector)
        self.count += 1


def log_in(page: Any, app: Flask, role: str = "coach") -> None:
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user(f"{role}-b", PASSWORD, role, [])
    page.goto("/login")
    page.fill("#username", f"{role}-b")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/")


def wait_ready(page: Any) -> None:
    page.wait_for_function("window.goudkaartMeeting && window.goudkaartMeeting.ready === true",
                           timeout=30000)


def rung_of(page: Any, a: str, b: str) -> Any:
    return page.evaluate(
        "([a, b]) => { const e = window.goudkaartMeeting.edges.get('TIE:' + a + ':' + b); "
        "return e ? e.rung : 0; }", [a, b])


def wait_rung(page: Any, a: str, b: str, rung: int) -> None:
    page.wait_for_function(
        "([a, b, r]) => { const e = window.goudkaartMeeting.edges.get('TIE:' + a + ':' + b); "
        "return (e ? e.rung : 0) === r && !window.goudkaartMeeting.busy; }", arg=[a, b, rung])


def start_meeting(page: Any, app: Flask) -> None:
    log_in(page, app)
    page.goto("/meeting/WK0363EM")
    page.fill("#open-form input[name=name]", "Wijktafel in de browser")
    page.click("#btn-open")
    page.wait_for_selector("#record-form")
    wait_ready(page)


def test_a_meeting_records_two_ties_in_three_clicks_undoes_one_and_reports(
        page: Any, app: Flask, seeded: GraphStore) -> None:
    start_meeting(page, app)
    assert page.get_attribute("#network", "data-nodes") == "4"

    first = Clicks(page)
    first.node("org-kadin")
    first.node("org-xss")
    first.on(".rung-button[data-rung='2']")
    wait_rung(page, "org-kadin", "org-xss", 2)
    assert first.count == 3

    second = Clicks(page)
    second.node("org-amal")
    second.node("org-xss")
    page.wait_for_selector(".rung-button.current[data-rung='1']")  # the rung it is on now
    second.on(".rung-button[data-rung='4']")
    wait_rung(page, "org-amal", "org-xss", 4)
    assert second.count == 3
    assert seeded.get_relationship("TIE", "org-amal", "org-xss").props["rung"] == 4

    page.click("#btn-undo")
    wait_rung(page, "org-amal", "org-xss", 1)
    assert seeded.get_relationship("TIE", "org-amal", "org-xss").props["rung"] == 1
    assert rung_of(page, "org-kadin", "org-xss") == 2
    # org-xss found a partner tonight: no longer an island on the map or in the list
    assert XSS not in page.inner_text("#island-list")

    page.click("#report-link")
    page.wait_for_selector("#report")
    new_ties = page.inner_text("#new-ties")
    assert "Kadın Dayanışma Derneği" in new_ties and XSS in new_ties
    assert page.locator("#new-ties img").count() == 0
    assert page.locator("#climbs").count() == 0  # the climb was undone
    assert XSS in page.inner_text("#found-partner")
    assert page.locator("img.chart").evaluate("img => img.complete && img.naturalWidth > 0")


def test_keyboard_alternative_records_without_the_map(page: Any, app: Flask,
                                                      seeded: GraphStore) -> None:
    start_meeting(page, app)
    page.select_option("#pick-a", "inst-buurtteam")
    page.select_option("#pick-b", "org-kadin")
    page.wait_for_selector("#current-rung:not(:empty)")
    page.focus(".rung-button[data-rung='3']")
    page.keyboard.press("Enter")
    wait_rung(page, "inst-buurtteam", "org-kadin", 3)
    assert seeded.get_relationship("TIE", "inst-buurtteam", "org-kadin").props["rung"] == 3


def test_xss_names_are_text_in_meeting_mode(page: Any, app: Flask, seeded: GraphStore) -> None:
    start_meeting(page, app)
    assert XSS in page.inner_text("#island-list")
    assert page.locator("#island-list img, #record-form img, .side ol img").count() == 0
    options = page.eval_on_selector_all("#pick-a option", "els => els.map(e => e.textContent)")
    assert XSS in options
    clicks = Clicks(page)
    clicks.node("org-xss")  # the label on the canvas now reads "A · <img …>", drawn as text
    label = page.evaluate("window.goudkaartMeeting.nodes.get('org-xss').label")
    assert label.endswith(XSS)
    page.select_option("#pick-b", "org-amal")
    page.click(".rung-button[data-rung='2']")
    page.wait_for_function("document.querySelector('#last-change').textContent.length > 0")
    assert XSS in page.inner_text("#last-change")


def test_a_refused_tie_shows_a_plain_message(page: Any, app: Flask, seeded: GraphStore) -> None:
    start_meeting(page, app)
    page.select_option("#pick-a", "org-amal")
    page.select_option("#pick-b", "org-amal")
    page.click(".rung-button[data-rung='2']")
    page.wait_for_function("document.querySelector('#last-change').textContent.length > 0")
    assert page.locator(".rung-button").count() == 5
    revision = seeded.revision()
    page.evaluate("window.goudkaartMeeting.versions['org-amal|org-kadin'] = 99")  # a stale view
    page.select_option("#pick-b", "org-kadin")
    page.click(".rung-button[data-rung='5']")
    page.wait_for_function("document.querySelector('#last-change').textContent.includes('reload')")
    assert seeded.revision() == revision
