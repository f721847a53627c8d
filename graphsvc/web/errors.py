"""Errors rendered once: the JSON error shape for the API, an HTML page for people."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from graphsvc.errors import Conflict, GraphsvcError

__all__ = ["register_error_handlers", "error_body", "wants_json"]

log = logging.getLogger(__name__)


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_body(status: int, message: str, errors: list[str] | None = None) -> dict[str, Any]:
    """The one JSON error shape: ``{"ok": false, "error": ..., "errors": [...], "status": n}``."""
    return {"ok": False, "error": message, "errors": list(errors or []), "status": status}


def _render(status: int, message: str, errors: list[str] | None = None,
            extra: dict[str, Any] | None = None) -> tuple[Response | str, int]:
    if wants_json():
        # the API speaks one language (English) so that clients can rely on its messages
        body = error_body(status, message, errors)
        body.update(extra or {})
        return jsonify(body), status
    return render_template("error.html", status=status, **_for_people(status, message, errors)), status


def _for_people(status: int, message: str, errors: list[str] | None) -> dict[str, Any]:
    """The page's message in the reader's language: a message the catalogue does not know (it
    carries values) is replaced by the plain sentence for its status, the original kept as detail."""
    translated = _(message) if message else message
    locale = get_locale()
    if translated != message or not message or locale is None or locale.language == "en":
        return {"message": translated, "errors": errors or [], "detail": None}
    plain = _HTTP_MESSAGES.get(status) or _l("The request could not be handled.")
    return {"message": str(plain), "errors": [], "detail": "; ".join([message, *(errors or [])])}


_HTTP_MESSAGES = {
    400: _l("The request is not valid."),
    403: _l("You may not do this."),
    404: _l("This page does not exist."),
    405: _l("This method is not allowed here."),
    413: _l("The upload is too large."),
    429: _l("Too many requests; wait a moment and try again."),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(GraphsvcError)
    def _graphsvc_error(exc: GraphsvcError) -> Any:
        extra = {}
        if isinstance(exc, Conflict) and exc.current_version is not None:
            extra["current_version"] = exc.current_version
        if exc.status >= 500:
            log.warning("%s: %s", type(exc).__name__, exc.message)
        message = exc.message
        if exc.code == "store_unavailable":
            if "not reachable" in exc.message:
                current_app.extensions["goudkaart"].mark_down()
            # the plain sentence in the reader's language; the store's own detail (which server)
            # is logged above and shown by /healthz, and only repeated here when it adds a reason
            # (English in JSON, like every API message)
            with force_locale("en") if wants_json() else nullcontext():
                plain = _("The graph database is not reachable. Try again in a moment.")
            message = plain if "not reachable" in message else f"{plain} {message}"
        return _render(exc.status, message, exc.errors, extra)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        with force_locale("en") if wants_json() else nullcontext():
            message = _("The form has expired or lacks its security token; reload the page "
                        "and try again.")
        return _render(400, message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        message = _HTTP_MESSAGES.get(status) or _l("The request could not be handled.")
        if wants_json():
            with force_locale("en"):
                return _render(status, str(message))
        return _render(status, str(message))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unexpected error on %s", request.path)
        return _render(500, _("Something went wrong on our side; the error has been logged."))
