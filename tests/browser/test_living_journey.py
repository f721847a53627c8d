"""The living graph in a real headless Chromium: a member edits its profile and proposes a tie,
the other side accepts, the tie is on the map with its rung and provenance, a coach introduces
the two and the coach overview counts it. XSS payloads in every new free-text field stay text."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from graphsvc.access.invitations import invite
from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from tests.conftest import PASSWORD
from tests.small_graph import XSS, seed_small

pytestmark = pytest.mark.browser

NOTE = "<script>window.__xss=1;alert('n')</script>"
CONTACT = "\"><svg onload=\"window.__xss=1;alert('c')\">"
SHOTS = os.environ.get("GRAPHSVC_SHOTS")  # a folder: save screenshots of the new pages there


@pytest.fixture
def graph(sqlite_store: GraphStore, app: Flask) -> GraphStore:
    seed_small(sqlite_store)
    with sqlite_store.transaction(source="test") as tx:
        tx.upsert_relationship(Relationship("WORKS_ON", "org-kadin", "eenzaamheid", {"weight": 2}))
        tx.upsert_relationship(Relationship("WORKS_ON", "org-alone", "eenzaamheid", {"weight": 3}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-alone", "area-wk0363em"))
    with app.app_context():
        accounts = app.extensions["goudkaart"].accounts
        accounts.add_user("kadin", PASSWORD, "member", ["org-kadin"])
        accounts.add_user("alone", PASSWORD, "member", ["org-alone"])
        accounts.add_user("coach", PASSWORD, "coach", ["org-kadin", "org-alone"])
    return sqlite_store


def _log_in(page: Any, name: str) -> None:
    page.goto("/login?lang=en")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/")


def _shoot(page: Any, name: str) -> None:
    if not SHOTS:
        return
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=False)
    page.set_viewport_size({"width": 1400, "height": 900})


def _no_script_ran(page: Any) -> None:
    assert page.evaluate("window.__xss === undefined")


def test_edit_propose_accept_map_and_introduction(page: Any, graph: GraphStore, app: Flask) -> None:
    # an invited person sets a password through the one-time link, and is the organisation's member
    with app.app_context():
        code = invite(app.extensions["goudkaart"].accounts, graph, "org-kadin", "member", "coach")
    page.goto(f"/invitation/{code}?lang=en")
    page.fill('input[name="username"]', "nieuw-lid")
    page.fill('input[name="password"]', PASSWORD)
    page.fill('input[name="password_again"]', PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/")
    assert "nieuw-lid" in page.inner_text("header")
    page.goto("/organisations/org-kadin/edit?lang=en")
    page.fill('textarea[name="description"]', "We now also work on loneliness")
    page.fill('#picker-themes input[type="search"]', "lonel")  # the English name finds it
    visible = page.eval_on_selector_all("#select-themes option:not([hidden])", "os => os.map(o => o.value)")
    assert visible == ["eenzaamheid"]
    page.fill('#picker-themes input[type="search"]', "eenzaam")  # and the Dutch one
    assert page.eval_on_selector_all("#select-themes option:not([hidden])", "os => os.map(o => o.value)") == ["eenzaamheid"]
    page.fill('#picker-offers input[type="search"]', "vergader")
    assert page.eval_on_selector_all("#select-offers option:not([hidden])", "os => os.map(o => o.value)") == ["vergaderruimte"]
    page.select_option("#select-offers", ["vergaderruimte"])
    page.fill('input[name="contact_name"]', CONTACT)
    page.fill('input[name="proposed_theme"]', XSS)
    _shoot(page, "profile-edit")
    page.click(".profile-form button[type=submit]")
    page.wait_for_selector(".flash-ok")
    assert "We now also work on loneliness" in page.inner_text("article.actor")
    assert graph.get_relationship("OFFERS", "org-kadin", "vergaderruimte")
    assert graph.get_node("org-kadin").props["contact_persons"] == [{"name": CONTACT}]
    page.goto("/organisations/org-kadin/edit?lang=en")  # what was typed comes back as text
    assert page.input_value('input[name="contact_name"]') == CONTACT
    _no_script_ran(page)

    page.goto("/actors/org-alone?lang=en")
    page.click("a.propose-tie")
    page.select_option('select[name="to"]', "org-alone")
    page.select_option('#h-propose ~ form.propose-form select[name="rung"]', "2")
    page.fill('input[name="note"]', NOTE)
    page.click("#h-propose ~ form.propose-form button.button:not(.secondary)")
    page.wait_for_selector(".flash-ok")
    assert graph.get_relationships([("TIE", "org-kadin", "org-alone", "")]) == {}  # one side only: no tie

    _log_in(page, "alone")
    page.goto("/organisations/org-alone/inbox?lang=en")
    item = page.locator("li.tie-request")
    assert NOTE in item.inner_text()  # the note shows as text
    _shoot(page, "inbox")
    item.locator("button.accept").click()
    page.wait_for_selector(".flash-ok")
    _no_script_ran(page)
    payload = page.evaluate("fetch('/api/v1/graph?types=Organisation&lang=en').then(r => r.json())")
    edge = next(e for e in payload["edges"] if {e["from"], e["to"]} == {"org-kadin", "org-alone"})
    assert (edge["rung"], edge["provenance"]) == (2, "confirmed")
    assert edge["title"] == "rung 2 · confirmed by both sides"
    page.goto("/actors/org-kadin?lang=en")
    assert "confirmed by both sides" in page.inner_text("article.actor")
    _shoot(page, "actor")

    _log_in(page, "coach")
    page.goto("/coach/org-kadin?lang=en")
    page.locator('#matches li.match[data-id="org-alone"] button.introduce').click()
    page.wait_for_selector(".flash-ok")
    _log_in(page, "alone")
    page.goto("/organisations/org-alone/inbox?lang=en")
    page.locator("li.introduction button.accept").click()
    page.wait_for_selector(".flash-ok")
    _log_in(page, "coach")
    page.goto("/coach/org-kadin?lang=en")
    assert "introduced on" in page.inner_text('#matches li.match[data-id="org-alone"]')
    page.goto("/coach?lang=en")
    _shoot(page, "coach-overview")
    counts = [page.inner_text(f"dd.intro-{k}") for k in ("made", "accepted", "climbed")]
    assert counts == ["1", "1", "1"]  # accepted, and the pair is at rung 2 already
    _no_script_ran(page)


def test_xss_in_names_notes_and_reasons_stays_text_in_the_inbox(page: Any, graph: GraphStore, app: Flask) -> None:
    from graphsvc.actions.introductions import introduce
    from graphsvc.actions.tie_requests import propose_tie
    from graphsvc.snapshot import Snapshot
    from graphsvc.store.base import read_consistent
    from queries.matching import partner_matches

    with graph.transaction(source="test") as tx:  # the proposer's own name is a payload too
        node = graph.get_node("org-kadin")
        tx.upsert_node(node.__class__("org-kadin", "Organisation", {**node.props, "name": NOTE}))
    propose_tie(graph, "org-kadin", "org-alone", 3, note=CONTACT)
    snap = Snapshot(read_consistent(graph))
    introduce(graph, snap, "org-kadin", "org-alone", partner_matches(snap, "org-kadin", limit=100))
    _log_in(page, "alone")
    for url in ("/organisations/org-alone/inbox", "/organisations/org-alone/inbox?lang=en",
                "/organisations/org-alone/edit", "/coach/org-alone", "/actors/org-alone",
                "/organisations/org-alone/history"):
        page.goto(url)
        _no_script_ran(page)
    page.goto("/organisations/org-alone/inbox")
    text = page.inner_text("main")
    assert NOTE in text and CONTACT in text
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("boss", PASSWORD, "admin", [])
    with graph.transaction(source="test") as tx:  # a payload waiting for the admin as well
        node = graph.get_node("org-xss")
        tx.upsert_node(node.__class__("org-xss", "Organisation", {**node.props, "proposed_themes": [NOTE, XSS]}))
    _log_in(page, "boss")
    for url in ("/organisations/org-xss/edit", "/organisations/org-xss/inbox", "/admin/proposed-themes",
                "/organisations/org-kadin/inbox", "/actors/org-xss"):
        page.goto(url)
        _no_script_ran(page)
    assert page.locator("h1").inner_text() == XSS
