"""Browser tests: the app on a real HTTP port on 127.0.0.1, driven by a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("GRAPHSVC_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def buffered(app: Flask) -> Any:
    """The app with every response body read and closed before the first byte is sent.

    Werkzeug's development server skips the body's ``close()`` when the browser drops the
    connection mid-response (a page navigates away while a font is still loading), which leaves
    the static file open until garbage collection; under ``filterwarnings = error`` that
    ResourceWarning then fails whichever test happens to be running. Gunicorn, which serves
    production, closes the body itself.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; CI must run the browser tests.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    # bypass_csp lets the test harness evaluate its probes; it also means the XSS tests check
    # our escaping on its own, without the Content-Security-Policy as a safety net
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900},
                                  bypass_csp=True)
    outside: list[str] = []
    dialogs: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.outside_requests = outside
    pg.dialogs = dialogs
    yield pg
    context.close()
    assert not outside, f"the page tried to load from outside localhost: {outside}"
    assert not dialogs, f"a script ran and opened a dialog: {dialogs}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, LiveServer]]:
    """The demo data in a SQLite file of this test module, served on a live port."""
    from graphsvc.config import load_settings
    from graphsvc.demo.dataset import load_demo
    from graphsvc.store import open_store
    from graphsvc.web import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    store = open_store(url)
    load_demo(store)
    app = create_app(load_settings(environ={}, store=url, testing=True, secret_key="demo"), store=store)
    with LiveServer(app) as server:
        yield app, server
    store.close()
