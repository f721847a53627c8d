"""The OpenAPI 3.1 document of ``/api/v1/``, generated from the app's routes.

Paths and methods come from ``app.url_map``, so a new endpoint appears by itself; query
parameters and the summaries of the main endpoints come from the small table below. Every
success body is ``{"ok": true, ...}`` and every error body is the one error shape of
``web/errors.py``; file downloads (exports) are declared with their media types.
"""

from __future__ import annotations

import re
from typing import Any, Final

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.routing import IntegerConverter, Rule

__all__ = ["bp", "openapi_document", "api_rules", "PREFIX"]

PREFIX: Final = "/api/v1/"
bp = Blueprint("openapi", __name__)

_STR: Final = {"type": "string", "maxLength": 200}
_LANG: Final = {"type": "string", "enum": ["nl", "en"]}
_TYPE = "(Organisation|Institution|Fund|Interest)"
_TYPES: Final = {"type": "string", "pattern": f"^{_TYPE}(,{_TYPE})*$"}
#: one year (the server also takes ``2023-2025``, as long as it does not end before it starts)
_PERIOD: Final = {"type": "string", "pattern": "^20[0-9]{2}$"}
_LEVEL: Final = {"type": "string", "enum": ["district", "wijk"]}
_SCALE: Final = {"type": "string", "enum": ["coarse", "normal", "fine"]}
_SIZE_BY: Final = {"type": "string", "enum": ["members", "funding"]}


def _int(low: int, high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high}


#: endpoint -> {query parameter: schema}; parameters not listed are ignored by the server
QUERY: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "api.graph": {"area": _STR, "interest": _STR, "types": _TYPES, "min_rung": _int(0, 5),
                  "focus": _STR, "focus_limit": _int(1, 100_000), "lang": _LANG},
    "api.organisations": {"area": _STR, "interest": _STR, "q": _STR,
                          "limit": _int(1, 1000), "offset": _int(0, 10_000_000)},
    "api.institutions": {"area": _STR, "interest": _STR, "q": _STR,
                         "limit": _int(1, 1000), "offset": _int(0, 10_000_000)},
    "api.actor": {"lang": _LANG},
    "api.organisation": {"lang": _LANG},
    "coach.api_matches": {"limit": _int(1, 100), "area": _STR, "kinds": _STR, "lang": _LANG},
    "coach.api_referrals": {"limit": _int(1, 100), "lang": _LANG},
    "coach.api_funds": {"limit": _int(1, 100), "lang": _LANG},
    "funders.api_clusters": {"area": _STR, "seed": _int(0, 2**31 - 1), "period": _PERIOD,
                             "scale": _SCALE, "lang": _LANG},
    "funders.api_cluster_map": {"size_by": _SIZE_BY, "limit": _int(1, 5000), "lang": _LANG},
    "funders.api_gaps": {"period": _PERIOD, "level": _LEVEL, "few": _int(1, 1000),
                         "min_orgs": _int(1, 100_000)},
    "funders.api_flows": {"fund": _STR, "period": _PERIOD, "level": _LEVEL},
    "funders.api_dependency": {"offset": _int(0, 10_000_000), "limit": _int(1, 10_000)},
    "history.api_history": {"limit": _int(1, 500), "before": _int(1, 2**53)},
    "privacy.api_audit": {"target": _STR, "limit": _int(1, 1000), "offset": _int(0, 10_000_000)},
    "privacy.api_person": {"person": {"type": "string", "minLength": 3, "maxLength": 200,
                                      "pattern": "\\S.*\\S.*\\S"}},
}

SUMMARY: Final[dict[str, str]] = {
    "api.index": "What the API offers", "api.graph": "The map payload (filtered)",
    "api.organisations": "Organisations, filtered and paged", "api.stats": "Counts",
    "api.organisation": "One organisation (confidential fields only for its own team)",
    "openapi.openapi_json": "This document",
    "history.api_history": "Change history of one organisation (its team only)",
    "history.api_undo": "Undo one change (recorded as a new change; 409 if changed since)",
    "privacy.api_audit": "Audit trail of confidential data (admins)",
    "privacy.api_person": "A contact person's personal data (admins)",
}

ERROR: Final = {
    "type": "object", "additionalProperties": False, "required": ["ok", "error", "errors", "status"],
    "properties": {"ok": {"const": False}, "error": {"type": "string"},
                   "errors": {"type": "array", "items": {"type": "string"}},
                   "status": {"type": "integer"},
                   "current_version": {"type": "integer", "description": "409 Conflict only"}},
}
OK: Final = {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}}
_DOWNLOADS: Final = ("application/json", "text/csv", "application/octet-stream",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "application/xml", "text/html", "application/zip", "application/graphml+xml")


def api_rules(app: Flask) -> list[Rule]:
    """The rules under ``/api/v1/``, sorted by path."""
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX)),
                  key=lambda r: (r.rule, r.endpoint))


def _path(rule: Rule) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)


def _path_schema(rule: Rule, name: str) -> dict[str, Any]:
    converter = rule._converters.get(name)  # werkzeug keeps no public view of a rule's converters
    if isinstance(converter, IntegerConverter):
        return {"type": "integer", "minimum": 0}
    return {"type": "string", "maxLength": 200, "pattern": "^[^/]+$"}


def _responses(rule: Rule) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if "export" in rule.endpoint:
        ok: dict[str, Any] = {"description": "A file", "content": {t: {} for t in _DOWNLOADS}}
    elif rule.endpoint == "openapi.openapi_json":
        ok = {"description": "This document", "content": {"application/json": {
            "schema": {"type": "object", "required": ["openapi", "paths"]}}}}
    else:
        ok = {"description": "Success",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}}
    responses = {"200": ok}
    for status in ("400", "401", "403", "404", "405", "409", "413", "429", "503"):
        responses[status] = {"description": "Error", **error}
    if "POST" in (rule.methods or ()):
        responses["201"] = ok
    return responses


def _operation(rule: Rule, method: str) -> dict[str, Any]:
    parameters = [{"name": a, "in": "path", "required": True, "schema": _path_schema(rule, a)}
                  for a in sorted(rule.arguments)]
    if method == "get":
        parameters += [{"name": n, "in": "query", "required": False, "schema": s}
                       for n, s in QUERY.get(rule.endpoint, {}).items()]
    operation: dict[str, Any] = {
        "operationId": f"{rule.endpoint}.{method}",
        "summary": SUMMARY.get(rule.endpoint, rule.endpoint.rsplit(".", 1)[-1].replace("_", " ")),
        "parameters": parameters, "responses": _responses(rule),
    }
    if method != "get":
        # the bodies of writes (uploads, ties, assessments) are documented on their pages, not
        # here: the document says only that a JSON object goes in
        operation["requestBody"] = {"required": False, "content": {
            "application/json": {"schema": {"type": "object"}}}}
    return operation


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every ``/api/v1/`` route of ``app``."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in api_rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(_path(rule), {})[method.lower()] = _operation(rule, method.lower())
    return {
        "openapi": "3.1.0",
        "info": {"title": "Goudkaart API", "version": "1",
                 "description": "Errors always have the shape {ok: false, error, errors, status}. "
                                "Send `Authorization: Bearer gk_…` for role-restricted endpoints."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR, "Ok": OK},
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"token": []}],
    }


@bp.get("/api/v1/openapi.json")
def openapi_json() -> ResponseReturnValue:
    return jsonify(openapi_document(current_app))
