"""Response headers beyond the basic set: HSTS over HTTPS, Permissions-Policy, no caching of private answers."""

from __future__ import annotations

from typing import Final

from flask import Flask, Response, request

from graphsvc.access.ratelimit import trusted_networks
from graphsvc.errors import StoreUnavailable

__all__ = ["init_headers", "served_over_https"]

HSTS: Final = "max-age=31536000; includeSubDomains"
# the app uses none of these browser features; a page can never switch them on
PERMISSIONS_POLICY: Final = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)


def served_over_https(trusted: str) -> bool:
    """Whether the browser reached us over HTTPS: directly, or as a trusted proxy says."""
    if request.is_secure:
        return True
    networks = trusted_networks(trusted)
    if not networks:
        return False
    try:
        import ipaddress

        peer = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if not any(peer in net for net in networks):
        return False  # anyone can send X-Forwarded-Proto; only a trusted proxy is believed
    return request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https"


def init_headers(app: Flask) -> None:
    """Register the header hook (after the basic security headers of ``create_app``)."""
    from graphsvc.web.auth import current_account

    @app.after_request
    def _more_headers(response: Response) -> Response:
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if served_over_https(app.extensions["goudkaart"].settings.trusted_proxies):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        try:
            private = current_account() is not None
        except StoreUnavailable:  # a browser with a session while the store is down
            private = True
        private = private or request.path.startswith("/invitation/") or request.path == "/healthz"
        if private and request.endpoint != "static":
            # answers for a logged-in person may hold confidential fields: never kept by a cache
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
