"""Login rate limiting: five failed attempts per user name and address, then 429 for a while."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from graphsvc.access.ratelimit import LoginLimiter
from graphsvc.store import GraphStore
from graphsvc.store.accounts_base import account_records
from tests.conftest import PASSWORD, csrf_token_from


def _attempt(client: FlaskClient, token: str, password: str) -> int:
    return client.post("/login", data={"username": "ayse", "password": password,
                                       "csrf_token": token}).status_code


def test_five_failed_logins_then_429_even_with_the_right_password(app: Flask,
                                                                   client: FlaskClient) -> None:
    app.extensions["goudkaart"].accounts.add_user("ayse", PASSWORD, "coach")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert [_attempt(client, token, "wrong") for _ in range(5)] == [401] * 5
    blocked = client.post("/login", data={"username": "ayse", "password": PASSWORD,
                                          "csrf_token": token})
    assert blocked.status_code == 429
    assert "15" in blocked.get_data(as_text=True)
    other = client.post("/login", data={"username": "someone-else", "password": "x",
                                        "csrf_token": token})
    assert other.status_code == 401  # another user name is not blocked


def test_a_success_clears_the_account_count_and_the_window_ends(store: GraphStore) -> None:
    now = [0.0]
    limiter = LoginLimiter(account_records(store), max_failures=2, max_client_failures=3, window=60,
                           clock=lambda: now[0])
    limiter.failed("Ayse", "1.2.3.4")
    limiter.succeeded("ayse")
    limiter.failed("ayse", "1.2.3.4")
    assert not limiter.blocked("ayse", "1.2.3.4")
    limiter.failed("ayse", "5.6.7.8")
    # two failures of the name from two clients lock the name, not the clients' other names
    assert limiter.blocked("AYSE", "9.9.9.9") and not limiter.blocked("bram", "1.2.3.4")
    limiter.failed("bram", "1.2.3.4")  # the third failure of this client: it is stopped for any name
    assert limiter.blocked("carla", "1.2.3.4") and not limiter.blocked("carla", "5.6.7.8")
    now[0] = 61
    assert not limiter.blocked("ayse", "1.2.3.4")


def test_password_checks_per_second_are_capped_for_all_servers_together(store: GraphStore) -> None:
    now = [100.0]
    records = account_records(store)
    one, other = (LoginLimiter(records, checks_per_second=3, clock=lambda: now[0]) for _ in range(2))
    assert [one.spend_check(), other.spend_check(), one.spend_check(), other.spend_check()] == [
        True, True, True, False]
    now[0] += 1.0  # the next second
    assert one.spend_check()


def test_a_login_beyond_the_cap_gets_429_without_a_password_check(app: Flask, client: FlaskClient) -> None:
    import time

    app.extensions["goudkaart"].accounts.add_user("ayse", PASSWORD, "coach")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    records = app.extensions["goudkaart"].accounts.records
    for _ in range(app.extensions["goudkaart"].settings.password_checks_per_second):
        records.hit("login:checks", 1.0, time.time())  # other servers used this second's checks
    busy = client.post("/login", data={"username": "ayse", "password": PASSWORD, "csrf_token": token})
    assert busy.status_code == 429 and "druk" in busy.get_data(as_text=True)
