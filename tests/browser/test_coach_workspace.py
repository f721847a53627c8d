"""The coach workspace in a real headless Chromium: record an assessment, confirm the need it
proposes, and see the new partner match appear; the visit sheet prints without the site chrome."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from graphsvc.capacity import capacity_profile
from graphsvc.store import GraphStore
from tests.capacity_graph import FIN, NEW_PARTNER, ORG, seed_capacity_graph
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SCORES = {"governance": 3, "financial_administration": 2, "volunteer_policy": 4, "innovation": 3,
          "positioning": 4}


@pytest.fixture
def graph(sqlite_store: GraphStore) -> GraphStore:
    seed_capacity_graph(sqlite_store)
    return sqlite_store


def log_in_as_coach(page: Any, app: Flask) -> None:
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("coach-ayse", PASSWORD, "coach", [ORG])
    page.goto("/login")
    page.fill("#username", "coach-ayse")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/")


def test_coach_records_an_assessment_confirms_the_need_and_sees_a_new_match(
        page: Any, app: Flask, graph: GraphStore) -> None:
    log_in_as_coach(page, app)
    page.goto(f"/coach/{ORG}?lang=en")
    assert page.locator(f'#matches li.match[data-id="{NEW_PARTNER}"]').count() == 0
    assert page.locator("li.proposal").count() == 0

    for dimension, score in SCORES.items():
        page.check(f'#assessment-form input[name="score-{dimension}"][value="{score}"]')
    page.fill('#assessment-form textarea[name="note-financial_administration"]', "Geen jaarrekening")
    page.click("#btn-record")
    page.wait_for_selector(".flash-ok")
    row = page.locator('#capacity-table tr[data-dimension="financial_administration"]')
    assert row.locator(".cap-score").inner_text() == "2" and "Geen jaarrekening" in row.inner_text()
    assert page.evaluate("Array.from(document.querySelectorAll('img.trend')).every(i => i.naturalWidth > 0)")

    proposal = page.locator(f'li.proposal[data-need="{FIN}"]')
    assert "Financial administration" in proposal.inner_text()
    proposal.locator('button[value="confirmed"]').click()
    new_match = page.locator(f'#matches li.match[data-id="{NEW_PARTNER}"]')
    new_match.wait_for()
    assert "financial administration" in new_match.locator(".reason").inner_text()
    assert "capacity profile" in new_match.locator(".from-capacity").inner_text()
    assert page.locator(f'#needs-list li[data-need="{FIN}"] .badge').count() == 1

    profile = capacity_profile(graph.get_node(ORG))
    assert len(profile.assessments) == 1 and profile.assessments[0].by == "coach-ayse"
    assert graph.get_relationship("NEEDS", ORG, FIN).props["confirmed_by"] == "coach-ayse"


def test_the_visit_sheet_prints_on_one_page_without_the_site_header(
        page: Any, app: Flask, graph: GraphStore) -> None:
    log_in_as_coach(page, app)
    page.goto(f"/coach/{ORG}?lang=en")
    page.click("#sheet-link")
    page.wait_for_selector(".visit-sheet")
    page.wait_for_load_state("load")  # the print rules are in a stylesheet still loading under load
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden() and page.locator(".screen-only").is_hidden()
    assert page.locator(".visit-sheet h1").inner_text() == "Stichting Al Amal West"
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
