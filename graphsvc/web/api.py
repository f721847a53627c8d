"""The JSON API under ``/api/v1/``: a JSON twin for every page, one error shape."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from graphsvc.errors import StoreUnavailable
from graphsvc.web.answers import cached_json
from graphsvc.web.auth import current_viewer
from graphsvc.web.errors import error_body
from graphsvc.web.params import int_arg, lang_arg, list_arg, str_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.profiles import actor_profile, area_list, organisation_list
from visualisations.network_map import MapFilters, build_map_payload, map_inputs

__all__ = ["bp", "map_filters_from_request"]

bp = Blueprint("api", __name__)
PREFIX = "/api/v1"


def map_filters_from_request() -> MapFilters:
    return MapFilters(
        area=str_arg("area"),
        interest=str_arg("interest"),
        types=list_arg("types", ("Organisation", "Institution", "Fund")),
        min_rung=int_arg("min_rung", 0, 0, 5),
        focus=str_arg("focus"),
        focus_limit=int_arg("focus_limit", 100, 1, 100_000),
    )


@bp.get("/healthz")
def healthz() -> Any:
    """Up or down for anyone; which store, its revision and the reason only for admins."""
    info = services().health()
    up = bool(info.get("ok"))
    try:
        admin = up and current_viewer().role == "admin"
    except StoreUnavailable:  # the account is in the store, which just went away
        admin, up = False, False
    if admin:
        return jsonify(info), 200
    if up:
        return ok({"status": 200}, 200)
    return jsonify(error_body(503, "The graph database is not reachable.")), 503


@bp.get(f"{PREFIX}/")
def index() -> Any:
    # the list is read from the app's routes, so it can never fall behind (details: openapi.json)
    from flask import current_app

    endpoints = sorted({
        f"{' '.join(sorted(m for m in (rule.methods or ()) if m not in ('HEAD', 'OPTIONS')))} {rule.rule}"
        for rule in current_app.url_map.iter_rules() if rule.rule.startswith(PREFIX)
    })
    return ok({"name": "Goudkaart API", "version": 1, "openapi": f"{PREFIX}/openapi.json",
               "endpoints": endpoints})


@bp.get(f"{PREFIX}/graph")
def graph() -> Any:
    filters = map_filters_from_request()
    snap = services().snapshot()
    lang, limit = lang_arg(), services().settings.map_node_limit

    def build() -> tuple[dict[str, Any], frozenset[str] | None]:
        # cached_json keeps the encoded answer per revision (and carries it over): no second copy
        payload = build_map_payload(snap, filters, lang=lang, node_limit=limit, store=services().store)
        return payload, map_inputs(payload)

    return cached_json(snap, ("graph", filters, lang, limit), build)


def _list(label: str) -> Any:
    snap = services().snapshot()
    return ok(organisation_list(
        snap,
        area=str_arg("area"),
        interest=str_arg("interest"),
        q=str_arg("q"),
        label=label,
        limit=int_arg("limit", 50, 1, 1000),
        offset=int_arg("offset", 0, 0, 10_000_000),
    ))


@bp.get(f"{PREFIX}/organisations")
def organisations() -> Any:
    return _list("Organisation")


@bp.get(f"{PREFIX}/institutions")
def institutions() -> Any:
    return _list("Institution")


@bp.get(f"{PREFIX}/organisations/<path:actor_id>")
def organisation(actor_id: str) -> Any:
    snap = services().snapshot()
    snap.node(actor_id, "Organisation")
    return ok(actor_profile(snap, actor_id, lang=lang_arg()))


@bp.get(f"{PREFIX}/actors/<path:actor_id>")
def actor(actor_id: str) -> Any:
    snap = services().snapshot()
    node = snap.node(actor_id)
    if node.label not in ("Organisation", "Institution", "Fund"):
        from graphsvc.errors import NotFound

        raise NotFound(f"There is no organisation, institution or fund with id {actor_id!r}.")
    return ok(actor_profile(snap, actor_id, lang=lang_arg()))


@bp.get(f"{PREFIX}/areas")
def areas() -> Any:
    return ok({"items": area_list(services().snapshot())})


@bp.get(f"{PREFIX}/vocabulary")
def vocabulary() -> Any:
    vocab = services().vocab
    return ok({
        "rungs": [vars(r) for r in vocab.rungs],
        "interests": [vars(t) for t in vocab.interests],
        "capabilities": [vars(t) for t in vocab.capabilities],
        "grant_statuses": [{"id": t.id, "nl": t.nl, "en": t.en} for t in vocab.grant_statuses],
    })


@bp.get(f"{PREFIX}/stats")
def stats() -> Any:
    store = services().store
    return ok({"revision": store.revision(), **store.counts()})
