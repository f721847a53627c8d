"""The /data page in a real headless Chromium: the running import's progress and the queue
change on the page without a reload, in a status region, Dutch first."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from graphsvc.web.import_worker import Ticket, queue_root
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _ticket(queue: Path, order: int, name: str, state: str, done: int = 0, total: int = 0) -> Path:
    ticket = Ticket(f"t{order}", "someone", name, False, state, "write" if total else "", done, total,
                    time.time(), os.getpid())
    path = queue / f"{order:020d}-{ticket.id}.json"
    path.write_text(json.dumps({**ticket.as_dict(), "pid": ticket.pid}), encoding="utf-8")
    return path


def test_the_data_page_follows_a_running_import_without_a_reload(app: Flask, page: Any, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    queue = queue_root()
    running = _ticket(queue, 1, "groot.xlsx", "running", done=3, total=10)
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("beheerder", PASSWORD, "admin", [])
    page.goto("/login?lang=nl")
    page.fill("input[name=username]", "beheerder")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit], form button[type=submit]")
    page.wait_for_url("**/")

    page.goto("/data")
    region = page.locator("#import-queue")
    assert region.get_attribute("role") == "status" and region.get_attribute("aria-live") == "polite"
    assert "Import van groot.xlsx: schrijven, 3 van 10 records klaar." in region.inner_text()
    assert page.locator("#imports .refresh-link").is_hidden()  # kept up to date: no refresh needed
    page.evaluate("window.notReloaded = true")

    _ticket(queue, 1, "groot.xlsx", "running", done=7, total=10)  # the import moves on
    _ticket(queue, 2, "<b>klein</b>.csv", "waiting")  # and an upload waits behind it
    page.wait_for_function("document.getElementById('import-queue').innerText.includes('7 van 10')",
                           timeout=15000)
    assert "<b>klein</b>.csv wacht: nummer 1 in de rij." in region.inner_text()  # as text, not HTML
    assert page.locator("#import-queue b").count() == 0
    assert page.evaluate("document.querySelector('#import-queue progress').value") == 7

    running.unlink()
    (queue / f"{2:020d}-t2.json").unlink()
    page.wait_for_function("document.getElementById('import-queue').innerText.includes('Er loopt geen import.')",
                           timeout=15000)
    assert page.evaluate("window.notReloaded") is True
