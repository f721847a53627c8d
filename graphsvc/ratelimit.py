"""Login rate limiting: a few failed attempts per user name and address, then a pause.

In memory and per process, which is enough for the single-process deployments Goudkaart runs
as; a failed attempt counts against the pair (user name, client address), so one guessing
client cannot lock a real user out from another address.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Final, TypeVar

from flask import Flask, current_app, request
from flask_babel import gettext as _

from graphsvc.errors import GraphsvcError

__all__ = ["MAX_FAILURES", "WINDOW_SECONDS", "LoginLimiter", "TooManyAttempts", "login_limiter",
           "limited_authenticate"]

U = TypeVar("U")

MAX_FAILURES: Final = 5
WINDOW_SECONDS: Final = 15 * 60


class LoginLimiter:
    """Counts failed logins per key within a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, address: str) -> tuple[str, str]:
        return (username.strip().casefold()[:200], address)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        stamps = self._failures[key]
        cutoff = self._clock() - self.window
        while stamps and stamps[0] <= cutoff:
            stamps.popleft()
        return stamps

    def blocked(self, username: str, address: str) -> bool:
        """Whether this pair has used up its failed attempts for now."""
        with self._lock:
            return len(self._recent(self.key(username, address))) >= self.max_failures

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._recent(self.key(username, address)).append(self._clock())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self.key(username, address), None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


class TooManyAttempts(GraphsvcError):
    status = 429
    code = "too_many_attempts"


def login_limiter(app: Flask) -> LoginLimiter:
    """The limiter of one app, kept in ``app.extensions`` (test apps never share counts)."""
    limiter = app.extensions.get("goudkaart_login_limiter")
    if not isinstance(limiter, LoginLimiter):
        limiter = app.extensions["goudkaart_login_limiter"] = LoginLimiter()
    return limiter


def limited_authenticate(username: str, password: str,
                         authenticate: Callable[[str, str], U | None]) -> U | None:
    """``authenticate(username, password)``, unless this name and address failed too often.

    Raises :class:`TooManyAttempts` (429) after :data:`MAX_FAILURES` failures within
    :data:`WINDOW_SECONDS`; the password is then not even checked.
    """
    limiter = login_limiter(current_app)
    address = request.remote_addr or "unknown"
    if limiter.blocked(username, address):
        raise TooManyAttempts(_("Too many failed login attempts. Wait 15 minutes and try again."))
    user = authenticate(username, password)
    if user is None:
        limiter.failed(username, address)
    else:
        limiter.succeeded(username, address)
    return user
