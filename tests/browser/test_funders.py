"""The funder dashboard in a real headless Chromium: log in, expand a cluster, see its organisations."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from graphsvc.store import GraphStore
from tests.conftest import PASSWORD
from tests.funders_graph import seed_funders_city
from tests.small_graph import XSS

pytestmark = pytest.mark.browser


def log_in_as_funder(app: Flask, page: Any) -> None:
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("fonds-medewerker", PASSWORD, "funder", [])
    page.goto("/login")
    page.fill("input[name=username]", "fonds-medewerker")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit], form button[type=submit]")
    page.wait_for_url("**/")


def click_node(page: Any, node_id: str) -> None:
    x, y = page.evaluate(
        """(id) => { const net = window.goudkaartClusters.network;
                     const pos = net.canvasToDOM(net.getPosition(id));
                     const box = document.querySelector('#cluster-map canvas').getBoundingClientRect();
                     return [box.left + pos.x, box.top + pos.y]; }""",
        node_id,
    )
    page.mouse.click(x, y)


def test_funder_expands_a_cluster_into_its_organisations(app: Flask, page: Any, sqlite_store: GraphStore) -> None:
    seed_funders_city(sqlite_store)
    log_in_as_funder(app, page)
    page.goto("/funders?lang=en")
    page.wait_for_function("window.goudkaartClusters && window.goudkaartClusters.ready === true", timeout=30000)
    assert page.get_attribute("#cluster-map", "data-clusters") == "3"
    target = page.evaluate("""() => window.goudkaartClusters.nodes.get()
        .filter(n => n.label.includes("Osdorp-Oost")).map(n => n.id)[0]""")  # the language cluster
    assert target

    click_node(page, target)
    page.wait_for_selector("#cluster-members li")
    members = page.locator("#cluster-members li a").all_inner_texts()
    assert sorted(members) == sorted([XSS, "Taal 0", "Taal 1", "Taal 2", "Taal 3"])
    assert page.locator("#cluster-detail img").count() == 0  # the XSS name stays text
    on_map = page.evaluate("window.goudkaartClusters.nodes.getIds()")
    assert target not in on_map and {f"m:org-taal-{i}" for i in range(5)} <= set(on_map)
    assert page.get_attribute("#cluster-map", "data-expanded") == target

    page.click("#cluster-detail button")  # fold it back
    page.wait_for_function(f"window.goudkaartClusters.nodes.get('{target}') !== null")
    assert len(page.evaluate("window.goudkaartClusters.nodes.getIds()")) == 3


def test_cluster_table_sorts_by_a_column(app: Flask, page: Any, sqlite_store: GraphStore) -> None:
    seed_funders_city(sqlite_store)
    log_in_as_funder(app, page)
    page.goto("/funders?lang=en")
    header = page.locator("#cluster-table thead th").nth(3)  # funding
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = page.eval_on_selector_all("#cluster-table tbody tr td:nth-child(4)",
                                       "cells => cells.map(c => parseFloat(c.dataset.value))")
    assert values == sorted(values)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
