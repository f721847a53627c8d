"""Early signals in a real headless Chromium: a member records one in Dutch, the meeting page of
its area shows the theme once three organisations signal it, the heat table renders."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from graphsvc.actions.signals import record_signal
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.signals import recent_months
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
MONTH = recent_months(1)[1]


@pytest.fixture
def two_signal(seeded: GraphStore) -> GraphStore:
    """The small graph with a third organisation; Kadın and the third signal loneliness already."""
    with seeded.transaction(source="test") as tx:
        tx.upsert_node(Node("org-derde", "Organisation", {"name": "Derde Stichting"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-derde", "area-wk0363em"))
    for org in ("org-kadin", "org-derde"):
        record_signal(seeded, Snapshot.from_store(seeded), org, {
            "theme": "eenzaamheid", "areas": ["area-wk0363em"], "people": "5-19", "period": MONTH,
            "trend": "growing", "note": f"geheime notitie van {org}"})
    return seeded


def _log_in(page: Any, app: Flask) -> None:
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("lid-amal", PASSWORD, "member", ["org-amal"])
    page.goto("/login?lang=nl")
    page.fill("#username", "lid-amal")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/")


def _signals_on_meeting(page: Any) -> str:
    page.goto("/meeting/WK0363EM?lang=nl")
    return str(page.locator("#meeting-signals .signal-group[data-theme=eenzaamheid]").inner_text())


def test_member_records_a_signal_and_the_meeting_shows_it(page: Any, app: Flask, two_signal: GraphStore) -> None:
    _log_in(page, app)
    before = _signals_on_meeting(page)
    assert "Eenzaamheid" in before and "minder dan 3 organisaties" in before
    assert "geheime notitie" not in page.content()

    page.goto("/organisations/org-amal/signals?lang=nl")
    assert page.locator("h1").inner_text().startswith("Vroege signalen van")
    form = page.locator("#new-form")
    form.locator("select[name=theme]").select_option("eenzaamheid")
    form.locator("select[name=areas]").select_option(["area-wk0363em"])
    form.locator("select[name=people]").select_option("20-49")
    form.locator("select[name=trend]").select_option("new")
    form.locator("textarea[name=note]").fill("Bel mevrouw op 06-12345678")
    form.locator("button[type=submit]").click()
    refused = page.locator(".flash-error").inner_text()
    assert "note:" in refused and "telefoonnummer" in refused
    assert page.locator("#signal-list").count() == 0  # nothing was recorded

    form = page.locator("#new-form")
    form.locator("select[name=theme]").select_option("eenzaamheid")
    form.locator("select[name=areas]").select_option(["area-wk0363em"])
    form.locator("select[name=people]").select_option("20-49")
    form.locator("textarea[name=note]").fill("Meer oudere vrouwen komen alleen naar de inloop")
    form.locator("button[type=submit]").click()
    assert "Het signaal is vastgelegd." in page.locator(".flash-ok").inner_text()
    row = page.locator("#signal-list tbody tr").first.inner_text()
    assert "Eenzaamheid" in row and "20 tot 49 mensen" in row and "Meer oudere vrouwen" in row

    after = _signals_on_meeting(page)
    assert "Eenzaamheid" in after and "3 organisaties" in after and "minder dan 3" not in after
    assert "Stichting Al Amal West" in after  # the member sees its own organisation named
    assert "geheime notitie" not in page.content() and "Meer oudere vrouwen" not in page.content()
    page.locator("details.signal-heat summary").click()
    heat = page.locator("details.signal-heat img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=heat.element_handle(),
                           timeout=30000)

    page.goto("/areas/WK0363EM/signals?lang=nl")
    figure = page.locator("figure.signal-heat img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=figure.element_handle(),
                           timeout=30000)
    assert "Signaal zonder brug" in page.locator("#signals").inner_text()
