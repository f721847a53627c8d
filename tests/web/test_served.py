"""Two real ``graphsvc serve`` processes (gunicorn, two workers each) on one store: no server banner,
shared login limits and sessions across processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from graphsvc.access.accounts import AccountStore
from graphsvc.store import open_store
from tests.conftest import PASSWORD, csrf_token_from
from tests.neo4j_server import free_port

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")


def _wait(url: str, deadline: float = 60.0) -> None:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {deadline} s")


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[str]]:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    store = open_store(url)
    AccountStore(store).add_user("ayse", PASSWORD, "coach")
    AccountStore(store).add_user("bram", PASSWORD, "member")
    store.close()
    env = {**os.environ, "GRAPHSVC_STORE": url, "GRAPHSVC_SECRET_KEY": "served-test",
           "GRAPHSVC_TESTING": "true"}  # plain http here: cookies without the Secure flag
    procs, bases = [], []
    for _ in range(2):
        port = free_port()
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "graphsvc.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            _wait(base + "/healthz")
        yield bases
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)


def _browser() -> urllib.request.OpenerDirector:
    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())


def _post(browser: urllib.request.OpenerDirector, url: str, **fields: str) -> int:
    with browser.open(url.rsplit("/", 1)[0] + "/login", timeout=30) as page:
        fields["csrf_token"] = csrf_token_from(page.read().decode())
    data = urllib.parse.urlencode(fields).encode()
    try:
        with browser.open(urllib.request.Request(url, data=data), timeout=60) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _login(base: str, password: str, browser: urllib.request.OpenerDirector | None = None,
           name: str = "ayse") -> int:
    return _post(browser or _browser(), base + "/login", username=name, password=password)


def _home(browser: urllib.request.OpenerDirector, base: str) -> str:
    with browser.open(base + "/", timeout=30) as page:
        return str(page.read().decode())


def test_no_gunicorn_banner_and_limits_and_sessions_shared(servers: list[str]) -> None:
    browser = _browser()  # one browser behind a load balancer: its cookie reaches both servers
    assert _login(servers[0], PASSWORD, browser, name="bram") == 302
    assert "bram (lid)" in _home(browser, servers[1])
    assert _post(browser, servers[1] + "/logout") == 302
    assert "bram (lid)" not in _home(browser, servers[0])
    with urllib.request.urlopen(servers[0] + "/healthz", timeout=10) as answer:
        assert "gunicorn" not in (answer.headers.get("Server") or "").lower()
        assert answer.headers["Permissions-Policy"]
    # five wrong passwords spread over two servers (and their workers) lock the account on both
    assert [_login(servers[i % 2], "wrong-password") for i in range(5)] == [401] * 5
    assert _login(servers[0], PASSWORD) == 429 and _login(servers[1], PASSWORD) == 429
