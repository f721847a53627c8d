"""The Flask app: ``create_app(settings)`` is the only way to build it."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from flask import Flask, Response, g

from graphsvc.config import Settings, load_settings
from graphsvc.store import GraphStore
from graphsvc.store.base import acting_as
from graphsvc.web.auth import current_account, init_auth
from graphsvc.web.errors import register_error_handlers
from graphsvc.web.headers import init_headers
from graphsvc.web.i18n import init_i18n
from graphsvc.web.services import Services

__all__ = ["create_app"]

# No third-party origins and no inline script: user text can never become code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None,
               **overrides: Any) -> Flask:
    """Build the web app for these settings (from the environment when None).

    ``store`` lets tests and the CLI hand in an already opened store.
    """
    settings = settings or load_settings(**overrides)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.testing,
        GOUDKAART_DEFAULT_LANGUAGE=settings.default_language,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
        TESTING=settings.testing,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["goudkaart"] = Services(settings, store)
    init_i18n(app)
    init_auth(app)
    init_headers(app)
    register_error_handlers(app)

    # the change log names who made each change: the logged-in account, else "public"
    @app.before_request
    def _act_as_the_account() -> None:  # after init_auth's hook: an API token counts too
        account = current_account()
        g.acting_as = ExitStack()
        g.acting_as.enter_context(acting_as(account.username if account is not None else "public"))

    @app.teardown_request
    def _stop_acting(exc: BaseException | None) -> None:
        scope = g.pop("acting_as", None)
        if scope is not None:
            scope.close()

    _register_blueprints(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app


def _register_blueprints(app: Flask) -> None:
    """Every blueprint, one per user job (each page with its JSON twin); add new ones here."""
    from graphsvc.web import (
        accounts_admin,
        api,
        auth,
        coach,
        coach_capacity,
        data,
        funders,
        history,
        inbox,
        meeting,
        meeting_api,
        openapi,
        pages,
        privacy,
        profile,
        signals,
        signals_area,
    )

    for job in (pages, api, auth, coach, coach_capacity, meeting, meeting_api, data, funders,
                openapi, privacy, history, accounts_admin, profile, inbox, signals, signals_area):
        app.register_blueprint(job.bp)
