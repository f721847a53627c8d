"""The coach's job: for one organisation, ranked partner matches with reasons, referral partners
and fitting funds — as a page and as JSON, from the same query functions the CLI uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.web.auth import (
    current_viewer,
    may_work_with,
    require_organisation_access,
    require_role,
)
from graphsvc.web.params import int_arg, lang_arg, list_arg, str_arg
from graphsvc.web.services import services
from queries.matching import fitting_funds, partner_matches, referral_partners
from queries.profiles import normalise_name

__all__ = ["bp"]

bp = Blueprint("coach", __name__)
PART_NAMES = {
    "shared_interests": _l("Shared themes"),
    "reciprocity": _l("Give and take"),
    "proximity": _l("Nearby"),
    "bridging": _l("Bridges communities"),
    "ladder": _l("On the ladder"),
}


def _actor(actor_id: str) -> None:
    services().snapshot().node(actor_id, "Organisation")
    require_organisation_access(actor_id)


def _match_args() -> dict[str, Any]:
    kinds = list_arg("kinds", ())
    area = str_arg("area")
    if area:
        try:
            services().snapshot().area(area)
        except NotFound:
            raise InvalidInput(f"Parameter 'area': there is no area with code {area!r}.") from None
    return {"limit": int_arg("limit", 10, 1, 100), "area": area,
            "kinds": kinds or None, "lang": lang_arg()}


@bp.get("/api/v1/organisations/<actor_id>/matches")
def api_matches(actor_id: str) -> Any:
    _actor(actor_id)
    result = partner_matches(services().snapshot(), actor_id, **_match_args())
    return jsonify({"ok": True, **result.as_dict()})


@bp.get("/api/v1/organisations/<actor_id>/referrals")
def api_referrals(actor_id: str) -> Any:
    _actor(actor_id)
    result = referral_partners(services().snapshot(), actor_id,
                               limit=int_arg("limit", 10, 1, 100), lang=lang_arg())
    return jsonify({"ok": True, **result.as_dict()})


@bp.get("/api/v1/organisations/<actor_id>/funds")
def api_funds(actor_id: str) -> Any:
    _actor(actor_id)
    result = fitting_funds(services().snapshot(), actor_id,
                           limit=int_arg("limit", 10, 1, 100), lang=lang_arg())
    return jsonify({"ok": True, **result.as_dict()})


@bp.get("/coach")
@require_role("coach", "member")
def index() -> Any:
    snap = services().snapshot()
    viewer = current_viewer()
    q = normalise_name(request.args.get("q", "")[:100])
    ids = [o for o in snap.labelled("Organisation") if may_work_with(viewer, o)]
    if q:
        ids = [o for o in ids if q in normalise_name(snap.name(o))]
    ids.sort(key=lambda o: normalise_name(snap.name(o)))
    rows = [{"id": o, "name": snap.name(o)} for o in ids[:200]]
    return render_template("coach_index.html", rows=rows, total=len(ids), q=request.args.get("q", ""))


@bp.get("/coach/<actor_id>")
@require_role("coach", "member")
def organisation(actor_id: str) -> Any:
    _actor(actor_id)
    snap = services().snapshot()
    args = _match_args()
    lang = args["lang"]
    return render_template(
        "coach.html",
        actor=snap.node(actor_id),
        matches=partner_matches(snap, actor_id, **args),
        referrals=referral_partners(snap, actor_id, limit=5, lang=lang),
        funds=fitting_funds(snap, actor_id, limit=5, lang=lang),
        rungs={r.rung: r.name(lang) for r in services().vocab.rungs},
        selected={"area": args["area"] or "", "limit": args["limit"]},
        part_names=PART_NAMES,
    )
