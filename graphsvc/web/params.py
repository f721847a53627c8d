"""Query-string parsing with errors that name the parameter."""

from __future__ import annotations

from flask import request

from graphsvc.errors import InvalidInput

__all__ = ["int_arg", "str_arg", "list_arg", "lang_arg"]


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(
            f"Parameter '{name}' must be a whole number from {low} to {high}, not {raw[:40]!r}."
        ) from None
    if not low <= value <= high:
        raise InvalidInput(f"Parameter '{name}' must be a whole number from {low} to {high}.")
    return value


def str_arg(name: str, max_length: int = 200) -> str | None:
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    if len(raw) > max_length:
        raise InvalidInput(f"Parameter '{name}' is longer than {max_length} characters.")
    return raw.strip()


def list_arg(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = [v for raw in request.args.getlist(name) for v in raw.split(",") if v.strip()]
    return tuple(v.strip() for v in values) if values else default


def lang_arg() -> str:
    from graphsvc.web.i18n import current_language

    return current_language()
