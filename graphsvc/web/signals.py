"""Early signals of one organisation: its own list, record, edit and delete — page and JSON API.

Only the organisation's members, its coach and admins reach these views
(:func:`require_organisation_access`); they are the only ones who see the notes. What everyone
else sees is the aggregate per area (:mod:`graphsvc.web.signals_area`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from graphsvc.actions.signals import (
    BANDS,
    MAX_NOTE,
    TRENDS,
    delete_signal,
    record_signal,
    update_signal,
)
from graphsvc.errors import GraphsvcError
from graphsvc.snapshot import Snapshot
from graphsvc.web.auth import current_account, require_organisation_access
from graphsvc.web.meeting_common import json_body
from graphsvc.web.params import lang_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from graphsvc.web.signals_area import band_names, trend_names
from queries.signals import organisation_signals, recent_months, referral_suggestions

__all__ = ["bp", "band_names", "trend_names"]

bp = Blueprint("signals", __name__)
API = "/api/v1/organisations/<org_id>/signals"


def _source() -> str:
    account = current_account()
    return f"signals:{account.username}" if account else "signals"


def _organisation(org_id: str) -> Snapshot:
    require_organisation_access(org_id)
    snap = services().snapshot()
    snap.node(org_id, "Organisation")
    return snap


def _values() -> dict[str, Any]:
    body = json_body()
    if not request.is_json and "areas" in request.form:
        body["areas"] = request.form.getlist("areas")
    return body


def _list(snap: Snapshot, org_id: str) -> list[dict[str, Any]]:
    return [r.as_dict(snap) for r in organisation_signals(snap, org_id)]


# -- JSON API ----------------------------------------------------------------------------------
@bp.get(API)
def api_list(org_id: str) -> Any:
    snap = _organisation(org_id)
    return ok({"organisation": org_id, "signals": _list(snap, org_id),
                    "referral_suggestions": referral_suggestions(snap, org_id)})


@bp.post(API)
def api_record(org_id: str) -> Any:
    snap = _organisation(org_id)
    signal_id = record_signal(services().store, snap, org_id, _values(), source=_source())
    snap = services().snapshot()
    [made] = [r for r in organisation_signals(snap, org_id) if r.id == signal_id]
    return ok({"signal": made.as_dict(snap)}, 201)


@bp.patch(f"{API}/<signal_id>")
def api_update(org_id: str, signal_id: str) -> Any:
    snap = _organisation(org_id)
    update_signal(services().store, snap, org_id, signal_id, _values(), source=_source())
    snap = services().snapshot()
    [made] = [r for r in organisation_signals(snap, org_id) if r.id == signal_id]
    return ok({"signal": made.as_dict(snap)})


@bp.delete(f"{API}/<signal_id>")
def api_delete(org_id: str, signal_id: str) -> Any:
    _organisation(org_id)
    delete_signal(services().store, org_id, signal_id, source=_source())
    return ok({"deleted": signal_id})


# -- pages -------------------------------------------------------------------------------------
def _choices(snap: Snapshot, lang: str) -> dict[str, Any]:
    def named(label: str) -> list[dict[str, str]]:
        rows = [{"id": i, "name": str(snap.nodes[i].props.get("name_en") or snap.name(i)) if lang == "en"
                 else snap.name(i)} for i in snap.labelled(label)]
        return sorted(rows, key=lambda r: r["name"].casefold())

    areas = [{"id": a, "code": str(snap.nodes[a].props.get("code") or a), "name": snap.name(a)}
             for a in snap.labelled("Neighbourhood")]
    return {"themes": named("Interest"), "communities": named("Community"),
            "areas": sorted(areas, key=lambda r: r["name"].casefold()),
            "bands": band_names(), "trends": trend_names(), "band_order": BANDS, "trend_order": TRENDS,
            "max_note": MAX_NOTE, "this_month": recent_months(1)[1]}


@bp.get("/organisations/<org_id>/signals")
def page(org_id: str) -> Any:
    snap = _organisation(org_id)
    lang = lang_arg()
    own_areas = sorted(snap.targets("ACTIVE_IN", org_id))
    return render_template("signals.html", org=snap.nodes[org_id], signals=_list(snap, org_id),
                           suggestions=referral_suggestions(snap, org_id), own_areas=own_areas,
                           edit=request.args.get("edit", ""), **_choices(snap, lang))


def _form_write(org_id: str, write: Any, done: str) -> WerkzeugResponse:
    try:
        write()
        flash(done, "ok")
    except GraphsvcError as exc:
        flash(exc.message, "error")
    return redirect(url_for("signals.page", org_id=org_id))


@bp.post("/organisations/<org_id>/signals")
def record(org_id: str) -> WerkzeugResponse:
    snap = _organisation(org_id)
    values = _values()
    return _form_write(org_id, lambda: record_signal(services().store, snap, org_id, values, source=_source()),
                       _("The signal is recorded."))


@bp.post("/organisations/<org_id>/signals/<signal_id>")
def update(org_id: str, signal_id: str) -> WerkzeugResponse:
    snap = _organisation(org_id)
    values = _values()
    return _form_write(org_id, lambda: update_signal(services().store, snap, org_id, signal_id, values,
                                                     source=_source()), _("The signal is changed."))


@bp.post("/organisations/<org_id>/signals/<signal_id>/delete")
def delete(org_id: str, signal_id: str) -> WerkzeugResponse:
    _organisation(org_id)
    return _form_write(org_id, lambda: delete_signal(services().store, org_id, signal_id, source=_source()),
                       _("The signal is deleted."))
