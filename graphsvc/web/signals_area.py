"""Signals per area, for everyone: the aggregate page, its JSON twin, the heat table, the CSV
export, the bulk template, and an agenda item made from a signalled theme (coaches, admins).

Every view passes the viewer to :func:`queries.signals.area_signals`, which applies the
fewer-than-3 rule; nothing here reads a note.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as WerkzeugResponse

from graphsvc.actions.signals_bulk import COLUMNS as TEMPLATE_COLUMNS
from graphsvc.actions.signals_bulk import import_signals, template_csv
from graphsvc.errors import InvalidInput
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.web.auth import current_account, current_viewer, may_work_with, require_role
from graphsvc.web.funders_tables import Table, to_csv
from graphsvc.web.meeting_common import RECORDERS, json_body
from graphsvc.web.params import int_arg, lang_arg, str_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.signals import AreaSignals, area_signals, parse_months, recent_months
from visualisations.charts import svg_data_uri
from visualisations.signal_charts import signal_heat_svg

__all__ = ["bp", "signals_for", "heat_svg", "heat_uri", "TEMPLATE_COLUMNS", "band_names", "trend_names"]

bp = Blueprint("signals_area", __name__)


def signals_for(snap: Snapshot, area: str, months: int | None = None) -> AreaSignals:
    """The area's signals for the current viewer: ``?period=`` if given, else the last ``months``."""
    period = str_arg("period", 40)
    chosen = parse_months(period) if period else recent_months(months) if months else None
    return area_signals(snap, area, current_viewer(), period=chosen)


def heat_svg(snap: Snapshot, signals: AreaSignals, lang: str) -> str:
    """The heat table for the current viewer; drawn once per snapshot for the default periods
    (a chart takes a moment: meeting pages, reports and the offline file share it)."""
    everything = current_viewer().role == "admin"
    if str_arg("period", 40):  # a period of the user's choosing: not worth keeping
        return signal_heat_svg(signals, lang, everything=everything)
    key = f"signals-heat:{signals.area}:{signals.period}:{lang}:{everything}"
    return snap.derived(key, lambda _: signal_heat_svg(signals, lang, everything=everything))


def heat_uri(snap: Snapshot, signals: AreaSignals, lang: str) -> str:
    """The heat table as a ``data:`` URI (for pages, the report and printing)."""
    return svg_data_uri(heat_svg(snap, signals, lang))


def _months() -> int:
    return int_arg("months", 0, 0, 120)


def _code(node: Node) -> str:
    return str(node.props.get("code") or node.id)


def band_names() -> dict[str, str]:
    return {"1-4": _("1 to 4 people"), "5-19": _("5 to 19 people"), "20-49": _("20 to 49 people"),
            "50+": _("50 people or more")}


def trend_names() -> dict[str, str]:
    return {"new": _("new"), "growing": _("growing"), "stable": _("stable"), "shrinking": _("shrinking")}


@bp.get("/areas/<code>/signals")
def page(code: str) -> Any:
    snap = services().snapshot()
    area = snap.area(code)
    signals = signals_for(snap, area.id, _months() or None)
    lang = lang_arg()
    return render_template("signals_area.html", area=area, code=_code(area), signals=signals,
                           heat=heat_uri(snap, signals, lang), bands=band_names(), trends=trend_names(),
                           period=str_arg("period", 40) or "", can_record=current_viewer().role in ("admin", *RECORDERS))


@bp.get("/api/v1/areas/<code>/signals")
def api(code: str) -> Any:
    snap = services().snapshot()
    area = snap.area(code)
    return ok({**signals_for(snap, area.id, _months() or None).as_dict()})


@bp.get("/areas/<code>/signals.svg")
def heat(code: str) -> Response:
    snap = services().snapshot()
    area = snap.area(code)
    svg = heat_svg(snap, signals_for(snap, area.id, _months() or None), lang_arg())
    return Response(svg, mimetype="image/svg+xml", headers={
        "Cache-Control": "private, max-age=60",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


def _dash(value: Any) -> Any:
    return "" if value is None else value


@bp.get("/areas/<code>/signals.csv")
def export(code: str) -> Response:
    snap = services().snapshot()
    area = snap.area(code)
    lang = lang_arg()
    groups = signals_for(snap, area.id, _months() or None).as_dict()["groups"]
    headers = (_("Theme"), _("Organisations"), _("People (band)"), _("Trend"), _("Months"),
               _("Communities"), _("Institutions"), _("Signal without a bridge"))
    few, yes, no = _("fewer than 3"), _("yes"), _("no")
    rows = tuple((g["theme_en"] if lang == "en" else g["theme_nl"],
                  few if g["fewer_than_3"] and g["organisations"] is None else g["organisations"],
                  _dash(g["people"]), _dash(g["trend"]), " ".join(g["months"]),
                  ", ".join(f'{c["name"]} ({c["organisations"]})' for c in g["communities"]),
                  ", ".join(i["name"] for i in g["institutions"]), yes if g["gap"] else no) for g in groups)
    body = to_csv(Table("signals", _("Signals"), headers, rows))
    name = "".join(ch for ch in _code(area) if ch.isalnum() or ch in "-_") or "area"
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="goudkaart-signalen-{name}.csv"', "Cache-Control": "no-store"})


@bp.get("/signals/template.csv")
def template() -> Response:
    """The bulk template: one row per signal, filled in after a meeting (``graphsvc signals import``)."""
    text = template_csv(recent_months(1)[1], _("No names, phone numbers or e-mail addresses."))
    return Response(("\ufeff" + text).encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="goudkaart-signalen-sjabloon.csv"'})


def _agenda_item(snap: Snapshot, area: Node, theme: str) -> tuple[str, bool]:
    node = snap.nodes.get(theme)
    if node is None or node.label != "Interest":
        raise InvalidInput(f"theme: there is no theme {theme[:40]!r}.", errors=[f"theme: {theme[:40]!r}"])
    item_id = f"agenda-{area.id}-{theme}"[:200]
    if item_id in snap.nodes:
        return item_id, False
    month = date.today().strftime("%Y-%m")
    with services().store.transaction(source="signals") as tx:
        tx.upsert_node(Node(item_id, "AgendaItem", {"name": f"{node.name} in {area.name}", "status": "proposed",
                                                    "period": month, "origin": "signals"}))
        tx.upsert_relationship(Relationship("ABOUT", item_id, theme))
        tx.upsert_relationship(Relationship("FOR", item_id, area.id))
    return item_id, True


@bp.post("/api/v1/areas/<code>/agenda-items")
@require_role(*RECORDERS)
def api_agenda_item(code: str) -> Any:
    snap = services().snapshot()
    area = snap.area(code)
    item_id, made = _agenda_item(snap, area, str(json_body().get("theme", "")))
    return ok({"id": item_id, "created": made}, 201 if made else 200)


@bp.post("/areas/<code>/agenda-items")
@require_role(*RECORDERS)
def agenda_item(code: str) -> WerkzeugResponse:
    snap = services().snapshot()
    area = snap.area(code)
    try:
        made = _agenda_item(snap, area, str(json_body().get("theme", "")))[1]
        flash(_("The theme is on the draft agenda.") if made else _("This theme already has an agenda item here."),
              "ok")
    except InvalidInput as exc:
        flash(exc.message, "error")
    return redirect(url_for("meeting.agenda", code=_code(area)))


def _import_upload() -> int:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("file: choose the filled-in template (CSV) to upload.", errors=["file: missing"])
    try:
        text = upload.read(5_000_000).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{upload.filename}: the file is not UTF-8 text; save it as CSV UTF-8.") from None
    viewer, account = current_viewer(), current_account()
    return import_signals(services().store, services().snapshot(), text, name=str(upload.filename)[:100],
                          may_record_for=lambda org: may_work_with(viewer, org),
                          source=f"signals:{account.username if account else 'bulk'}")


@bp.post("/api/v1/signals/import")
@require_role("member", "coach")
def api_import() -> Any:
    return ok({"recorded": _import_upload()}, 201)


@bp.post("/areas/<code>/signals/import")
@require_role("member", "coach")
def import_page(code: str) -> WerkzeugResponse:
    area = services().snapshot().area(code)
    try:
        count = _import_upload()
        flash(ngettext("%(num)s signal recorded.", "%(num)s signals recorded.", count), "ok")
    except InvalidInput as exc:
        flash(exc.message, "error")
        for line in exc.errors[1:10]:
            flash(line, "error")
    return redirect(url_for("signals_area.page", code=_code(area)))
