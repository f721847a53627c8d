"""The coach's job: the workspace of one organisation (capacity profile over time, needs that
follow from it, positioning, ranked partner matches with reasons, referral partners and fitting
funds), the overview of the organisations a coach works with, and a printable visit sheet — as
pages and as JSON, from the same query functions the CLI uses.

The capacity profile is confidential: every view here first checks that the viewer is the
organisation's member, its coach or an admin (:func:`require_organisation_access`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from graphsvc.actions.positioning import positioning_of
from graphsvc.capacity import capacity_profile, capacity_trend, proposed_needs
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from graphsvc.text import normalise_name
from graphsvc.web.answers import cached_json
from graphsvc.web.auth import (
    current_viewer,
    may_work_with,
    require_organisation_access,
    require_role,
)
from graphsvc.web.params import int_arg, lang_arg, list_arg, str_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.capacity import capacity_needs
from queries.coach_overview import last_ladder_step, need_items, needs_met_by, organisation_overview
from queries.match_index import match_inputs
from queries.matching import fitting_funds, partner_matches, referral_partners
from queries.signals import referral_suggestions
from visualisations.capacity_charts import capacity_trend_uri

__all__ = ["bp", "PART_NAMES"]

bp = Blueprint("coach", __name__)
PART_NAMES = {
    "shared_interests": _l("Shared themes"),
    "reciprocity": _l("Give and take"),
    "proximity": _l("Nearby"),
    "bridging": _l("Bridges communities"),
    "ladder": _l("On the ladder"),
}
#: Organisations per page of the coach overview (each card runs a partner match).
PAGE_SIZE = 20


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


@bp.get("/api/v1/organisations/<path:actor_id>/matches")
def api_matches(actor_id: str) -> Any:
    _actor(actor_id)
    args = _match_args()
    snap = services().snapshot()
    key = ("matches", actor_id, args["limit"], args["area"], tuple(args["kinds"] or ()), args["lang"])
    return cached_json(snap, key, lambda: (partner_matches(snap, actor_id, **args).as_dict(),
                                           match_inputs(snap, actor_id)))


@bp.get("/api/v1/organisations/<path:actor_id>/referrals")
def api_referrals(actor_id: str) -> Any:
    _actor(actor_id)
    result = referral_partners(services().snapshot(), actor_id,
                               limit=int_arg("limit", 10, 1, 100), lang=lang_arg())
    return ok(result.as_dict())


@bp.get("/api/v1/organisations/<path:actor_id>/funds")
def api_funds(actor_id: str) -> Any:
    _actor(actor_id)
    result = fitting_funds(services().snapshot(), actor_id,
                           limit=int_arg("limit", 10, 1, 100), lang=lang_arg())
    return ok(result.as_dict())


# -- the overview of the organisations a coach works with ------------------------------------
def _my_organisations(snap: Snapshot) -> tuple[list[str], str]:
    viewer = current_viewer()
    raw_q = request.args.get("q", "")[:100]
    q = normalise_name(raw_q)
    ids = [o for o in snap.labelled("Organisation") if may_work_with(viewer, o)]
    if q:
        ids = [o for o in ids if q in normalise_name(snap.name(o))]
    ids.sort(key=lambda o: (normalise_name(snap.name(o)), o))
    return ids, raw_q


def _overview_page() -> dict[str, Any]:
    snap = services().snapshot()
    ids, q = _my_organisations(snap)
    offset = int_arg("offset", 0, 0, 1_000_000)
    lang = lang_arg()
    cards = [organisation_overview(snap, o, lang=lang, vocab=services().vocab)
             for o in ids[offset:offset + PAGE_SIZE]]
    return {"cards": cards, "total": len(ids), "offset": offset, "q": q, "page_size": PAGE_SIZE}


@bp.get("/coach")
@require_role("coach", "member")
def index() -> Any:
    page = _overview_page()
    return render_template("coach_index.html", **page, rungs=_rung_names())


@bp.get("/api/v1/coach")
@require_role("coach", "member")
def api_index() -> Any:
    page = _overview_page()
    return ok({"total": page["total"], "offset": page["offset"],
                    "limit": PAGE_SIZE, "organisations": [c.as_dict() for c in page["cards"]]})


def _rung_names() -> dict[int, str]:
    lang = lang_arg()
    return {r.rung: r.name(lang) for r in services().vocab.rungs}


# -- the workspace of one organisation -------------------------------------------------------
def _capacity_context(snap: Snapshot, actor_id: str, lang: str) -> dict[str, Any]:
    vocab = services().vocab
    node = snap.node(actor_id)
    profile = capacity_profile(node)
    trend = capacity_trend(profile, vocab)
    thresholds = {d.id: d.need_below_or_at for d in vocab.capacity}
    return {
        "profile": profile,
        "trend": trend,
        "charts": {t.id: capacity_trend_uri(t, threshold=thresholds[t.id], lang=lang) for t in trend},
        "proposals": proposed_needs(profile, snap.targets("NEEDS", actor_id), vocab),
        "from_capacity": capacity_needs(snap, actor_id),
        "needs_met_by": needs_met_by,
        "today": date.today().isoformat(),
    }


def _positioning_context(snap: Snapshot, actor_id: str, lang: str) -> dict[str, Any]:
    def label(node_id: str) -> str:
        node = snap.nodes[node_id]
        return str(node.props.get("name_en") or node.name) if lang == "en" else node.name

    districts: dict[str, list[dict[str, str]]] = {}
    for area in snap.labelled("Neighbourhood"):
        top = snap.top_area(area)
        districts.setdefault(label(top), []).append({"id": area, "name": label(area)})
    return {
        "positioning": positioning_of(snap, actor_id),
        "communities": sorted(({"id": c, "name": label(c)} for c in snap.labelled("Community")),
                              key=lambda c: normalise_name(c["name"])),
        "area_groups": sorted((k, sorted(v, key=lambda a: normalise_name(a["name"])))
                              for k, v in districts.items()),
    }


@bp.get("/coach/<path:actor_id>")
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
        rungs=_rung_names(),
        selected={"area": args["area"] or "", "limit": args["limit"]},
        part_names=PART_NAMES,
        needs=need_items(snap, actor_id, services().vocab),
        last_step=last_ladder_step(snap, actor_id),
        signal_referrals=referral_suggestions(snap, actor_id) if snap.nodes[actor_id].label == "Organisation" else [],
        **_capacity_context(snap, actor_id, lang),
        **_positioning_context(snap, actor_id, lang),
    )


@bp.get("/coach/<path:actor_id>/sheet")
@require_role("coach", "member")
def visit_sheet(actor_id: str) -> Any:
    """A one-page visit sheet to print: profile, needs, three matches, referrals and funds."""
    _actor(actor_id)
    snap = services().snapshot()
    lang = lang_arg()
    return render_template(
        "coach_sheet.html",
        actor=snap.node(actor_id),
        view=organisation_overview(snap, actor_id, lang=lang, vocab=services().vocab),
        referrals=referral_partners(snap, actor_id, limit=3, lang=lang),
        funds=fitting_funds(snap, actor_id, limit=3, lang=lang),
        areas=sorted(snap.name(a) for a in snap.targets("ACTIVE_IN", actor_id)),
        communities=sorted(snap.name(c) for c in snap.targets("SERVES", actor_id)),
        rungs=_rung_names(),
        today=date.today().isoformat(),
    )
