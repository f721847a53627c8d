"""Dutch first, English second: language choice by ?lang=, a cookie, then the default."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import Babel, format_decimal

__all__ = ["init_i18n", "current_language", "LANGUAGES"]

LANGUAGES = ("nl", "en")
COOKIE = "goudkaart_lang"


def current_language() -> str:
    lang = getattr(g, "lang", None)
    if lang:
        return str(lang)
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    lang = chosen if chosen in LANGUAGES else None
    if lang is None:
        from flask import current_app

        lang = current_app.config["GOUDKAART_DEFAULT_LANGUAGE"]
    g.lang = lang
    return str(lang)


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=current_language)

    @app.after_request
    def _remember_language(response):
        chosen = request.args.get("lang")
        if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                                httponly=True)
        return response

    app.add_template_filter(number)
    app.add_template_filter(euro)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"lang": current_language(), "languages": LANGUAGES, "lang_url": lang_url}


def lang_url(code: str) -> str:
    """The current page in language ``code``, keeping every other query parameter (the filters)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return "?" + urlencode([*args, ("lang", code)])


def number(value: float | int | None, pattern: str | None = None) -> str:
    """A number written the way the page's language writes it ("0,28" in Dutch, "0.28" in English)."""
    return "" if value is None else str(format_decimal(value, format=pattern))


def euro(value: float | int | None) -> str:
    """An amount in whole euros by locale ("€ 12.500" in Dutch, "€ 12,500" in English)."""
    if value is None:
        return ""
    amount = str(format_decimal(round(float(value)), format="#,##0"))
    return f"€ {amount}"
