"""Meeting mode: one area on a projector, ties recorded in three clicks, the report at the end.

Pages (the JSON twins live in :mod:`graphsvc.web.meeting_api`):

* ``/meeting`` – choose an area; ``/meeting/<code>`` – meeting mode for one area;
* ``/meeting/<code>/agenda`` – the draft neighbourhood agenda with the ladder chart, printable;
* ``/meeting/sessions/<id>/report`` – "what moved tonight", printable;
* ``/meeting/<code>/offline.html`` – the area's map as one file that opens without network;
* ``/meeting/<code>/ladder.svg`` – the ladder chart;
* form posts for browsers without script: open, record, undo, close, and the admin's public flag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from graphsvc.actions import sessions
from graphsvc.errors import GraphsvcError, NotFound
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from graphsvc.web.auth import current_account, require_role
from graphsvc.web.meeting_common import (
    DARK_RUNG_COLOURS,
    RECORDERS,
    area_or_404,
    area_sessions,
    ladder_for,
    ladder_svg,
    may_record,
    may_view,
    require_view,
    rung_names,
    session_dict,
    session_or_404,
)
from graphsvc.web.params import lang_arg
from graphsvc.web.services import services
from graphsvc.web.signals_area import band_names, heat_uri, signals_for, trend_names
from queries.agenda import neighbourhood_agenda
from queries.islands import islands
from queries.profiles import area_list
from queries.sessions import session_diff
from queries.signal_gaps import signalled_unfunded
from queries.signals import area_signals, recent_months
from visualisations.charts import svg_data_uri
from visualisations.offline_map import offline_map_html
from visualisations.signal_charts import signal_heat_svg
from visualisations.styles import RUNG_COLOURS

__all__ = ["bp"]

bp = Blueprint("meeting", __name__)


def _login_redirect() -> WerkzeugResponse:
    return redirect(url_for("auth.login", next=request.full_path))


def _viewable_area(code: str) -> tuple[Snapshot, Node, WerkzeugResponse | None]:
    snap = services().snapshot()
    area = area_or_404(snap, code)
    return snap, area, None if may_view(area) else _login_redirect()


def _code(area: Node) -> str:
    return str(area.props.get("code") or area.id)


#: the meeting shows the signals of the last three months (this one included)
SIGNAL_MONTHS = 3


def _signals(snap: Snapshot, area: Node, lang: str, *, heat: bool = True) -> dict[str, Any]:
    signals = signals_for(snap, area.id, SIGNAL_MONTHS)
    return {"signals": signals, "signal_heat": heat_uri(snap, signals, lang) if heat else None,
            "bands": band_names(), "trends": trend_names()}


@bp.get("/meeting")
def index() -> Any:
    snap = services().snapshot()
    areas = [a for a in area_list(snap) if may_view(snap.nodes[a["id"]])]
    for row in areas:
        row["public"] = snap.nodes[row["id"]].props.get("public_meeting_map") is True
    recent = [session_dict(snap, s) for s in area_sessions(snap, None)[:30]]
    recent = [s for s in recent if s["area"] in snap.nodes and may_view(snap.nodes[s["area"]])]
    return render_template("meeting_index.html", areas=areas, sessions=recent)


def _actor_choices(snap: Snapshot, area: Node) -> list[dict[str, str]]:
    actors = [a for a in snap.actors_in(area.id)]
    rows = [{"id": a, "name": snap.name(a), "label": snap.nodes[a].label} for a in actors]
    return sorted(rows, key=lambda r: (r["name"].casefold(), r["id"]))


@bp.get("/meeting/<code>")
def meeting(code: str) -> Any:
    snap, area, denied = _viewable_area(code)
    if denied:
        return denied
    lang = lang_arg()
    open_now = [s for s in area_sessions(snap, area.id) if sessions.is_open(s)]
    session = session_dict(snap, open_now[0]) if open_now else None
    return render_template(
        "meeting.html", area=area, code=_code(area), session=session,
        actors=_actor_choices(snap, area), islands=islands(snap, area.id),
        topics=neighbourhood_agenda(snap, area.id), rungs=services().vocab.rungs,
        can_record=may_record(), today=date.today().isoformat(),
        config=_meeting_config(area, session, lang), **_signals(snap, area, lang, heat=False),
    )


def _meeting_config(area: Node, session: dict[str, Any] | None, lang: str) -> dict[str, Any]:
    code = _code(area)
    return {
        "stateApi": url_for("meeting_api.area_meeting", code=code),
        "recordApi": url_for("meeting_api.session_record", session_id="__SID__"),
        "undoApi": url_for("meeting_api.session_undo", session_id="__SID__"),
        "session": session, "lang": lang, "canRecord": may_record(),
        "rungs": {str(k): v for k, v in rung_names(lang).items()},
        "rungColours": {"light": {str(k): v for k, v in RUNG_COLOURS.items()},
                        "dark": {str(k): v for k, v in DARK_RUNG_COLOURS.items()}},
        "text": {
            "pickA": _("Click organisation A on the map, or choose it in the list."),
            "pickB": _("Now click organisation B."),
            "pickRung": _("Now click a rung."),
            "noTie": _("No tie yet."), "current": _("Now: rung {rung} ({name})"),
            "recorded": _("Recorded: {a} and {b}, rung {rung} ({name})."),
            "confirmed": _("Confirmed: {a} and {b} stay at rung {rung} ({name})."),
            "undone": _("Undone: {a} and {b} are back at rung {rung}."),
            "undoneGone": _("Undone: the tie between {a} and {b} is gone again."),
            "needBoth": _("Choose two different organisations first."),
            "error": _("Not recorded:"), "loading": _("Loading the map…"),
            "loadError": _("The map could not be loaded:"), "none": _("None."),
            "shown": _("{nodes} on the map, {edges} ties, {islands} islands"),
        },
    }


# -- form posts (the same writes as the API, for browsers without script) ---------------------
def _form_write(code: str, write: Callable[[], Any], done: str) -> WerkzeugResponse:
    try:
        write()
        flash(done, "ok")
    except GraphsvcError as exc:
        flash(exc.message, "error")
    return redirect(url_for("meeting.meeting", code=code))


def _who() -> str:
    account = current_account()
    return account.username if account else ""


@bp.post("/meeting/<code>/sessions")
@require_role(*RECORDERS)
def open_session(code: str) -> WerkzeugResponse:
    form = request.form
    return _form_write(code, lambda: sessions.open_session(
        services().store, code, name=form.get("name", ""), day=form.get("date") or None,
        opened_by=_who()), _("The meeting is open."))


@bp.post("/meeting/<code>/ties")
@require_role(*RECORDERS)
def record(code: str) -> WerkzeugResponse:
    form = request.form
    rung = form.get("rung", "")
    return _form_write(code, lambda: sessions.record_tie(
        services().store, form.get("session", ""), form.get("a", ""), form.get("b", ""),
        int(rung) if rung.isdigit() else rung,  # type: ignore[arg-type]
        declared_by=form.get("declared_by") or "both", recorded_by=_who()), _("Recorded."))


@bp.post("/meeting/<code>/undo")
@require_role(*RECORDERS)
def undo(code: str) -> WerkzeugResponse:
    return _form_write(code, lambda: sessions.undo_last(
        services().store, request.form.get("session", ""), undone_by=_who()), _("Undone."))


@bp.post("/meeting/<code>/close")
@require_role(*RECORDERS)
def close(code: str) -> WerkzeugResponse:
    session_id = request.form.get("session", "")
    try:
        sessions.close_session(services().store, session_id, closed_by=_who())
    except GraphsvcError as exc:
        flash(exc.message, "error")
        return redirect(url_for("meeting.meeting", code=code))
    return redirect(url_for("meeting.report", session_id=session_id))


@bp.post("/meeting/<code>/public")
@require_role()
def public_flag(code: str) -> WerkzeugResponse:
    enabled = request.form.get("enabled") == "on"
    return _form_write(code, lambda: sessions.set_public_meeting_map(services().store, code, enabled),
                       _("The public may now view this meeting map.") if enabled
                       else _("Only logged-in users may view this meeting map now."))


# -- printable pages, the chart and the offline file ----------------------------------------------
def _chart(snap: Snapshot, area: Node, lang: str) -> dict[str, Any]:
    return {"uri": svg_data_uri(ladder_svg(snap, area, lang)), "progress": ladder_for(snap, area),
            "rung_names": rung_names(lang)}


@bp.get("/meeting/<code>/agenda")
def agenda(code: str) -> Any:
    snap, area, denied = _viewable_area(code)
    if denied:
        return denied
    lang = lang_arg()
    return render_template("report_agenda.html", area=area, code=_code(area),
                           topics=neighbourhood_agenda(snap, area.id), chart=_chart(snap, area, lang),
                           today=date.today().isoformat(), can_record=may_record(),
                           unfunded=signalled_unfunded(snap, area=area.id, period=str(date.today().year)),
                           **_signals(snap, area, lang))


@bp.get("/meeting/sessions/<session_id>/report")
def report(session_id: str) -> Any:
    snap = services().snapshot()
    session = session_dict(snap, session_or_404(snap, session_id))
    area = snap.nodes.get(session["area"])
    if area is None:
        raise NotFound(f"The area of the session {session['name']!r} no longer exists.")
    if not may_view(area):
        return _login_redirect()
    lang = lang_arg()
    return render_template("report.html", session=session, area=area, code=_code(area),
                           diff=session_diff(snap, session_id), chart=_chart(snap, area, lang),
                           topics=neighbourhood_agenda(snap, area.id), rungs=rung_names(lang),
                           **_signals(snap, area, lang))


@bp.get("/meeting/<code>/ladder.svg")
def ladder_chart(code: str) -> Response:
    snap = services().snapshot()
    area = area_or_404(snap, code)
    require_view(area)  # as the meeting map: public only where an admin made the area's map public
    svg = ladder_svg(snap, area, lang_arg())
    return Response(svg, mimetype="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@bp.get("/meeting/<code>/offline.html")
def offline(code: str) -> Any:
    snap, area, denied = _viewable_area(code)
    if denied:
        return denied
    lang = lang_arg()
    # the file travels: its heat table is what the public may see, whoever downloads it
    public = area_signals(snap, area.id, period=recent_months(SIGNAL_MONTHS))
    html = offline_map_html(snap, area.id, lang=lang, rung_names=rung_names(),
                            signal_heat=svg_data_uri(signal_heat_svg(public, lang)),
                            store=services().store)
    name = "".join(ch for ch in _code(area) if ch.isalnum() or ch in "-_") or "area"
    return Response(html, mimetype="text/html", headers={
        "Content-Disposition": f'attachment; filename="goudkaart-{name}.html"',
        # the file inlines its script: allow it only here, and still nothing from elsewhere
        "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                                   "style-src 'unsafe-inline'; img-src data:; font-src data:",
    })
