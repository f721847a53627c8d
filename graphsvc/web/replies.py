"""The one JSON success shape, ``{"ok": true, ...}``, beside the one error shape of
:func:`graphsvc.web.errors.error_body`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify

__all__ = ["ok"]


def ok(data: Mapping[str, Any] | Any = None, status: int = 200) -> tuple[Response, int]:
    """``{"ok": true, **data}`` with ``status``; data that is no mapping goes under ``"data"``."""
    if data is None:
        body: dict[str, Any] = {"ok": True}
    elif isinstance(data, Mapping):
        body = {"ok": True, **data}
    else:
        body = {"ok": True, "data": data}
    return jsonify(body), status
