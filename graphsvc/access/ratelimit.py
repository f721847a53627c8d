"""Login rate limits shared by every worker and app server: counters in the graph store.

A failed login counts against the account name (five within 15 minutes lock it, wherever they
came from) and against the client address (twenty, so one client spraying many names is
stopped); the client address is taken from ``X-Forwarded-For`` only behind a proxy listed in
``GRAPHSVC_TRUSTED_PROXIES``. A global cap on password checks per second keeps anonymous
clients from spending all of the server's time on argon2. Known and unknown names get the same
answers after the same work.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import Final, TypeVar

from flask import current_app, request
from flask_babel import gettext as _

from graphsvc.errors import GraphsvcError
from graphsvc.store.accounts_base import AccountRecords

__all__ = ["MAX_FAILURES", "MAX_CLIENT_FAILURES", "WINDOW_SECONDS", "LoginLimiter", "TooManyAttempts",
           "limited_authenticate", "client_address", "trusted_networks", "spend_password_check"]

U = TypeVar("U")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_FAILURES: Final = 5
MAX_CLIENT_FAILURES: Final = 20
WINDOW_SECONDS: Final = 15 * 60
_FORGET_AFTER: Final = 24 * 3600.0


class TooManyAttempts(GraphsvcError):
    status = 429
    code = "too_many_attempts"


class LoginLimiter:
    """Failed logins per account name and per client, and password checks per second, in the store.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> from graphsvc.store.accounts_base import account_records
    >>> now = [0.0]
    >>> limiter = LoginLimiter(account_records(open_store("sqlite:///:memory:")), clock=lambda: now[0])
    >>> for _ in range(5):
    ...     limiter.failed("Ayse", "10.0.0.1")
    >>> limiter.blocked("ayse", "10.0.0.2"), limiter.blocked("bram", "10.0.0.1")
    (True, False)
    >>> now[0] = 901.0
    >>> limiter.blocked("ayse", "10.0.0.2")
    False
    """

    def __init__(self, records: AccountRecords, *, max_failures: int = MAX_FAILURES,
                 max_client_failures: int = MAX_CLIENT_FAILURES, window: float = WINDOW_SECONDS,
                 checks_per_second: int = 10, clock: Callable[[], float] = time.time) -> None:
        self.records = records
        self.max_failures = max_failures
        self.max_client_failures = max_client_failures
        self.window = window
        self.checks_per_second = checks_per_second
        self._clock = clock

    @staticmethod
    def _account_key(username: str) -> str:
        return "login:account:" + username.strip().casefold()[:200]

    @staticmethod
    def _client_key(address: str) -> str:
        return "login:client:" + address[:100]

    def blocked(self, username: str, address: str) -> bool:
        """Whether this account name or this client has used up its failed attempts for now."""
        now = self._clock()
        return (self.records.count(self._account_key(username), self.window, now) >= self.max_failures
                or self.records.count(self._client_key(address), self.window, now)
                >= self.max_client_failures)

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        self.records.hit(self._account_key(username), self.window, now)
        self.records.hit(self._client_key(address), self.window, now)

    def succeeded(self, username: str) -> None:
        """Clear the account's count (never the client's: a client cannot wash its own count)."""
        self.records.clear(self._account_key(username))
        if int(self._clock()) % 97 == 0:  # now and then, forget old counters
            self.records.forget_counters(self._clock() - _FORGET_AFTER)

    def spend_check(self) -> bool:
        """Take one of this second's password checks (all servers together); False when none left."""
        now = self._clock()
        return self.records.hit("login:checks", 1.0, now) <= self.checks_per_second


def trusted_networks(spec: str) -> tuple[Network, ...]:
    """The networks of ``GRAPHSVC_TRUSTED_PROXIES`` (addresses or CIDR blocks, comma-separated).

    Examples
    --------
    >>> [str(n) for n in trusted_networks("127.0.0.1, 10.0.0.0/8")]
    ['127.0.0.1/32', '10.0.0.0/8']
    """
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address() -> str:
    """The client's address: the peer, or behind trusted proxies the last untrusted hop they saw."""
    remote = request.remote_addr or "unknown"
    networks = trusted_networks(current_app.extensions["goudkaart"].settings.trusted_proxies)
    if not networks or not _trusted(remote, networks):
        return remote  # a client's own X-Forwarded-For is never believed
    hops = [h.strip() for h in ",".join(request.headers.getlist("X-Forwarded-For")).split(",")
            if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:100]
    return hops[0][:100] if hops else remote


def _limiter() -> LoginLimiter:
    services = current_app.extensions["goudkaart"]
    return LoginLimiter(services.accounts.records,
                        checks_per_second=services.settings.password_checks_per_second)


def spend_password_check() -> None:
    """Raise 429 when the servers already checked as many passwords this second as allowed."""
    if not _limiter().spend_check():
        raise TooManyAttempts(_("The server is busy checking passwords; try again in a few seconds."))


def limited_authenticate(username: str, password: str,
                         authenticate: Callable[[str, str], U | None]) -> U | None:
    """``authenticate(username, password)``, unless this name or client failed too often.

    Raises :class:`TooManyAttempts` (429) after :data:`MAX_FAILURES` failures of the name or
    :data:`MAX_CLIENT_FAILURES` of the client within :data:`WINDOW_SECONDS` (the password is then
    not even checked), or when the global cap of password checks per second is reached.
    """
    limiter = _limiter()
    address = client_address()
    if limiter.blocked(username, address):
        raise TooManyAttempts(_("Too many failed login attempts. Wait 15 minutes and try again."))
    spend_password_check()
    user = authenticate(username, password)
    if user is None:
        limiter.failed(username, address)
    else:
        limiter.succeeded(username)
    return user
