"""XSS payloads stored in names, descriptions and notes stay text on every page a role can reach.

The ``page`` fixture turns the Content-Security-Policy off (``bypass_csp``) and fails on any
dialog, so these tests check our escaping on its own. Every payload also sets ``window.__xss``
when it runs, for the payloads that would not open a dialog.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from tests.conftest import PASSWORD
from tests.small_graph import XSS

pytestmark = pytest.mark.browser

PAYLOADS = (
    XSS,
    "<script>window.__xss=1;alert('s')</script>",
    "\"><svg onload=\"window.__xss=1;alert('v')\">",
    "';window.__xss=1;alert('q');//",
    "</script><script>window.__xss=1;alert('t')</script>",
    "<a href=\"javascript:alert('h')\">x</a>",
)


def _payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def _seed(store: GraphStore) -> None:
    from tests.small_graph import seed_small

    seed_small(store)
    with store.transaction(source="test") as tx:
        node = tx.get_node("org-xss")
        assert node is not None
        capacity = {"assessments": [{"id": "a1", "date": "2025-01-10", "scores": {"governance": 2},
                                     "notes": {"governance": _payload(1)}, "by": _payload(2),
                                     "recorded_at": "2025-01-10T10:00:00Z"}], "decisions": []}
        tx.upsert_node(Node("org-xss", "Organisation", {
            **node.props, "description": _payload(1), "core_business": _payload(2),
            "languages": [_payload(3)], "capacity": capacity,
            "contact_persons": [{"name": _payload(4), "email": "x@example.org", "role": _payload(0)}]}))
        tx.upsert_node(Node("inst-xss", "Institution", {"name": _payload(4), "sector": "welfare",
                                                        "description": _payload(5)}))
        tx.upsert_node(Node("fund-xss", "Fund", {"name": _payload(3), "fund_type": "private-fund",
                                                 "description": _payload(2)}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "inst-xss", "area-wk0363em"))
        tx.upsert_relationship(Relationship("TIE", "inst-xss", "org-xss", {"rung": 2, "note": _payload(2)}))
        tx.upsert_relationship(Relationship("FUNDS", "fund-xss", "org-xss",
                                            {"amount": 5000, "year": 2025, "title": _payload(5)}, "G-X"))


@pytest.fixture
def xss_graph(sqlite_store: GraphStore) -> GraphStore:
    _seed(sqlite_store)
    return sqlite_store


def _log_in_as_admin(page: Any, app: Flask) -> None:
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("xss-admin", PASSWORD, "admin", [])
    page.goto("/login")
    page.fill("#username", "xss-admin")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/")


def _assert_inert(page: Any, where: str) -> None:
    page.wait_for_timeout(300)  # let onerror/onload handlers of injected elements fire
    assert page.evaluate("window.__xss") is None, f"a payload ran on {where}"
    assert page.locator("img[src='x'], svg[onload], a[href^='javascript:']").count() == 0, where


def _hover_tooltip(page: Any, node_id: str) -> None:
    page.wait_for_function("window.goudkaartMap && window.goudkaartMap.ready === true", timeout=30000)
    x, y = page.evaluate(
        """(id) => { const net = window.goudkaartMap.network;
                     const pos = net.canvasToDOM(net.getPosition(id));
                     const box = document.querySelector('#network canvas').getBoundingClientRect();
                     return [box.left + pos.x, box.top + pos.y]; }""", node_id)
    page.mouse.move(x + 1, y + 1)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)


PAGES = ("/", "/organisations", "/actors/org-xss", "/actors/inst-xss", "/actors/fund-xss",
         "/coach", "/coach/org-xss", "/coach/org-xss/sheet", "/funders", "/meeting",
         "/meeting/WK0363EM", "/meeting/WK0363EM/agenda", "/data", "/data/duplicates")


def test_no_payload_runs_on_any_page(page: Any, app: Flask, xss_graph: GraphStore) -> None:
    _log_in_as_admin(page, app)
    for path in PAGES:
        for lang in ("nl", "en"):
            response = page.goto(f"{path}?lang={lang}")
            assert response is not None and response.status < 500, path
            _assert_inert(page, path)


@pytest.mark.parametrize("node_id", ["org-xss", "inst-xss"])
def test_map_tooltips_and_profile_stay_text(page: Any, app: Flask, xss_graph: GraphStore,
                                            node_id: str) -> None:
    _log_in_as_admin(page, app)
    page.goto("/map")
    _hover_tooltip(page, node_id)
    assert page.locator("div.vis-tooltip img, div.vis-tooltip svg").count() == 0
    _assert_inert(page, f"map tooltip {node_id}")


def test_offline_map_keeps_payloads_as_text(page: Any, app: Flask, xss_graph: GraphStore) -> None:
    _log_in_as_admin(page, app)
    html = page.evaluate("""async () => (await fetch('/meeting/WK0363EM/offline.html')).text()""")
    assert "window.__xss=1" in html  # the payloads are in the file, as data
    page.set_content(html)
    page.wait_for_timeout(500)
    _assert_inert(page, "offline map")
