"""The data steward's pages: upload with a preview (dry run) and a confirm step, templates,
near-duplicates and merging (admins), and exports (every logged-in role, filtered for that role).

An upload is kept in a private temporary folder between preview and confirm, under a random
token bound to the uploading account, and removed after the import or within an hour. Imports
run one at a time (:mod:`graphsvc.web.import_worker`); the page shows the running one's stage
and records done of total and where waiting uploads stand in the queue, kept up to date by
``js/data_progress.js`` polling ``/api/v1/data/imports`` (without JavaScript: a refresh link).
JSON twins live under ``/api/v1/data/``.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from flask import Blueprint, render_template, request, send_file, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.web.auth import current_account, current_viewer, require_role
from graphsvc.web.i18n import current_language
from graphsvc.web.import_worker import QueueState, Ticket, queue_state, run_web_import
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from importers.exporters import EXPORT_FORMATS, MEDIA_TYPES, SUFFIXES, export_store
from importers.files import FORMATS, detect_format
from importers.graph_mapping import GraphMapping
from importers.graph_weights import GRAPH_FORMATS, file_bins, needs_mapping
from importers.limits import web_limits
from importers.report import ImportRejected, ImportReport
from importers.template_spec import SHEETS, sheet_named
from importers.templates import XLSX_NAME, template_csv, template_xlsx

__all__ = ["bp"]

bp = Blueprint("data", __name__)
API: Final = "/api/v1/data"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_MAX_AGE: Final = 3600
#: What the preview page offers for the nodes and edges of a graph file from another tool.
MAPPED_NODE_TYPES: Final = ("Organisation", "Institution", "Fund")
MAPPED_EDGE_TYPES: Final = ("TIE",)


def _upload_root() -> Path:
    root = Path(tempfile.gettempdir()) / "goudkaart-uploads"
    root.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in root.iterdir():  # forget uploads nobody confirmed
        if now - old.stat().st_mtime > _MAX_AGE:
            shutil.rmtree(old, ignore_errors=True)
    return root


def _username() -> str:
    account = current_account()
    return account.username if account is not None else ""


def _save_upload(upload: FileStorage | None) -> tuple[str, Path]:
    if upload is None or not upload.filename:
        raise InvalidInput("Choose a file to upload. / Kies een bestand om te uploaden.")
    name = _short_name(secure_filename(upload.filename) or "upload")
    token = secrets.token_urlsafe(24)
    folder = _upload_root() / token
    folder.mkdir(mode=0o700)
    path = folder / name
    try:
        upload.save(path)
        (folder / ".owner.json").write_text(json.dumps({"user": _username(), "name": upload.filename[:255]}))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)  # no half-made upload folder stays behind
        raise InvalidInput("The upload could not be saved; try again with a shorter file name. / "
                           "De upload kon niet worden bewaard; probeer het opnieuw met een kortere "
                           "bestandsnaam.") from None
    return token, path


def _short_name(name: str, limit: int = 100) -> str:
    """A file name the file system accepts: long names keep their start and their suffix."""
    if len(name) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        return name[:limit]
    return f"{stem[:limit - len(suffix) - 1]}.{suffix}"


def _saved_upload(token: str) -> tuple[Path, str]:
    folder = _upload_root() / token if _TOKEN.match(token or "") else None
    owner = folder / ".owner.json" if folder else None
    if folder is None or owner is None or not owner.is_file():
        raise NotFound("This upload has expired; upload the file again. / "
                       "Deze upload is verlopen; upload het bestand opnieuw.")
    meta = json.loads(owner.read_text())
    if meta.get("user") != _username():
        raise NotFound("This upload has expired; upload the file again. / "
                       "Deze upload is verlopen; upload het bestand opnieuw.")
    files = [p for p in folder.iterdir() if p.name != ".owner.json"]
    return files[0], str(meta.get("name") or files[0].name)


def _format_arg() -> str | None:
    fmt = request.form.get("format") or request.args.get("format") or "auto"
    if fmt != "auto" and fmt not in (*FORMATS, "csv", "xlsx", "json"):
        raise InvalidInput(f"Unknown format {fmt!r}. / Onbekend formaat {fmt!r}.")
    return None if fmt == "auto" else fmt


def _mapping_arg() -> GraphMapping | None:
    """The mapping chosen on the preview page for a graph file from another tool (or None)."""
    form = request.form
    node_type = form.get("node_type") or None
    edge_type = form.get("edge_type") or None
    rung_text = form.get("rung") or ""
    rung_from = "weight" if rung_text == "weight" else None
    rung = int(rung_text) if rung_text in ("1", "2", "3", "4", "5") else None
    if node_type not in (None, *MAPPED_NODE_TYPES) or edge_type not in (None, *MAPPED_EDGE_TYPES):
        raise InvalidInput("Unknown node or edge type. / Onbekende soort knoop of verbinding.")
    if node_type is None and edge_type is None:
        return None
    return GraphMapping(node_type, edge_type, rung, rung_from)


def _bin_rows(path: Path, fmt: str) -> list[tuple[int, str, str]]:
    """``(rung, lowest weight exclusive, highest inclusive)`` as the page shows them ("" = open end)."""
    bins = file_bins(path, fmt)
    shown = (lambda v: "" if v is None else format_decimal(v))  # noqa: E731 - one line
    return [(rung, shown(low), shown(high)) for rung, low, high in bins.describe()] if bins else []


def _run(path: Path, name: str, fmt: str | None, dry_run: bool,
         mapping: GraphMapping | None = None) -> ImportReport:
    svc = services()
    return run_web_import(svc.settings, svc.store, path, user=_username(), format=fmt, dry_run=dry_run,
                          name=name, limits=web_limits(svc.settings.max_upload_mb), vocab=svc.vocab,
                          mapping=mapping)


def _stage_name(stage: str) -> str:
    return {"read": _("reading the file"), "check": _("checking"),
            "write": _("writing")}.get(stage, _("starting"))


def _running_text(ticket: Ticket) -> str:
    what = _("Check of %(name)s", name=ticket.name) if ticket.dry_run else \
        _("Import of %(name)s", name=ticket.name)
    if ticket.stage == "write" and ticket.total:
        return ngettext("%(what)s: writing, %(done)s of %(total)s record done.",
                        "%(what)s: writing, %(done)s of %(total)s records done.", ticket.total,
                        what=what, done=format_decimal(ticket.done), total=format_decimal(ticket.total))
    return _("%(what)s: %(stage)s.", what=what, stage=_stage_name(ticket.stage))


def _waiting_text(ticket: Ticket, position: int) -> str:
    return _("%(name)s waits: number %(position)s in the queue.", name=ticket.name, position=position)


def _queue_json(state: QueueState) -> dict[str, Any]:
    """The queue as the page and its JSON twin show it: data and one sentence per import."""
    me = _username()
    running = state.running
    return {
        "running": None if running is None else {
            "name": running.name, "dry_run": running.dry_run, "stage": running.stage,
            "done": running.done, "total": running.total, "mine": running.user == me,
            "text": _running_text(running)},
        "waiting": [{"name": t.name, "dry_run": t.dry_run, "position": i, "mine": t.user == me,
                     "text": _waiting_text(t, i)} for i, t in enumerate(state.waiting, 1)],
        "idle_text": _("No import is running."),
    }


# -- pages ---------------------------------------------------------------------------------
@bp.get("/data")
@require_role("admin")
def index() -> Any:
    return render_template("data.html", formats=FORMATS, export_formats=EXPORT_FORMATS,
                           sheets=SHEETS, max_mb=services().settings.max_upload_mb,
                           queue=_queue_json(queue_state()))


@bp.post("/data/preview")
@require_role("admin")
def preview() -> Any:
    fmt, mapping = _format_arg(), _mapping_arg()
    if request.form.get("token"):  # the mapping form: the same upload, now with a mapping
        path, name = _saved_upload(request.form.get("token", ""))
        token = request.form.get("token", "")
    else:
        token, path = _save_upload(request.files.get("file"))
        name = request.files["file"].filename or path.name
    try:
        report = _run(path, name, fmt, dry_run=True, mapping=mapping)
    except ImportRejected as exc:
        chosen = fmt or detect_format(path)
        if chosen in GRAPH_FORMATS and needs_mapping([e.message_en for e in exc.row_errors]):
            return render_template("data_preview.html", report=None, rejected=None, token=token,
                                   fmt=fmt or "auto", lang=current_language(), mapping_form=exc,
                                   mapping=mapping, bins=_bin_rows(path, chosen), node_types=MAPPED_NODE_TYPES,
                                   edge_types=MAPPED_EDGE_TYPES), 400
        shutil.rmtree(path.parent, ignore_errors=True)
        return render_template("data_preview.html", report=None, rejected=exc, token="",
                               lang=current_language()), 400
    except Exception:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    return render_template("data_preview.html", report=report, rejected=None, token=token,
                           fmt=fmt or "auto", lang=current_language(), mapping=mapping)


@bp.post("/data/confirm")
@require_role("admin")
def confirm() -> Any:
    path, name = _saved_upload(request.form.get("token", ""))
    try:
        report = _run(path, name, _format_arg(), dry_run=False, mapping=_mapping_arg())
    except ImportRejected as exc:
        return render_template("data_preview.html", report=None, rejected=exc, token="",
                               lang=current_language()), 400
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return render_template("data_result.html", report=report, lang=current_language())


@bp.get("/data/template.xlsx")
@require_role("admin")
def template_workbook() -> Any:
    return send_file(io.BytesIO(template_xlsx()), as_attachment=True, download_name=XLSX_NAME,
                     mimetype=MEDIA_TYPES["xlsx"])


@bp.get("/data/template/<name>.csv")
@require_role("admin")
def template_sheet(name: str) -> Any:
    sheet = sheet_named(name)
    if sheet is None:
        raise NotFound(f"There is no template sheet {name!r}.")
    return send_file(io.BytesIO(template_csv(sheet)), as_attachment=True,
                     download_name=f"{sheet.name}.csv", mimetype="text/csv")


@bp.get("/data/export/<fmt>")
@bp.get(f"{API}/export/<fmt>")
@require_role("member", "coach", "funder")
def export(fmt: str) -> Any:
    if fmt not in EXPORT_FORMATS:
        raise NotFound(f"There is no export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}.")
    with tempfile.TemporaryDirectory(prefix="goudkaart-export-") as folder:
        target = Path(folder) / f"goudkaart{SUFFIXES[fmt]}"
        export_store(services().store, fmt, target, current_viewer())
        data = target.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=target.name,
                     mimetype=MEDIA_TYPES[fmt])


def _duplicates() -> list[Any]:
    from importers.duplicates import near_duplicates

    return near_duplicates(services().snapshot().nodes.values())


@bp.get("/data/duplicates")
@require_role("admin")
def duplicates() -> Any:
    return render_template("data_duplicates.html", pairs=_duplicates()[:500], lang=current_language())


@bp.get("/data/merge")
@require_role("admin")
def merge_page() -> Any:
    store = services().store
    keep, drop = request.args.get("keep", ""), request.args.get("drop", "")
    a, b = store.get_node(keep), store.get_node(drop)
    return render_template("data_merge.html", keep=a, drop=b, result=None)


@bp.post("/data/merge")
@require_role("admin")
def merge() -> Any:
    from importers.merge import merge_nodes

    keep, drop = request.form.get("keep", ""), request.form.get("drop", "")
    store = services().store
    kept = store.get_node(keep)
    result = merge_nodes(store, keep, drop)
    return render_template("data_merge.html", keep=store.get_node(kept.id), drop=None, result=result)


# -- JSON twins ------------------------------------------------------------------------------
@bp.get(f"{API}/")
@require_role("admin")
def api_index() -> Any:
    return ok({"import_formats": list(FORMATS), "export_formats": list(EXPORT_FORMATS),
                    "templates": [url_for("data.template_workbook")] +
                    [url_for("data.template_sheet", name=s.name) for s in SHEETS]})


@bp.post(f"{API}/import")
@require_role("admin")
def api_import() -> Any:
    """Upload a file (multipart field ``file``); ``?dry_run=1`` checks without writing.

    A graph file from another tool takes the form fields ``node_type``, ``edge_type`` and
    ``rung`` (1-5 or ``weight``), as on the preview page.
    """
    dry_run = (request.args.get("dry_run") or request.form.get("dry_run") or "") in ("1", "true", "yes")
    fmt = _format_arg()
    _token, path = _save_upload(request.files.get("file"))
    try:
        report = _run(path, request.files["file"].filename or path.name, fmt, dry_run=dry_run,
                      mapping=_mapping_arg())
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return ok({"report": report.as_dict()})


@bp.get(f"{API}/imports")
@require_role("admin")
def api_imports() -> Any:
    """The running import (stage, records done of total) and the uploads waiting behind it."""
    response, status = ok(_queue_json(queue_state()))
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.get(f"{API}/duplicates")
@require_role("admin")
def api_duplicates() -> Any:
    return ok({"duplicates": [d.as_dict() for d in _duplicates()]})


@bp.post(f"{API}/merge")
@require_role("admin")
def api_merge() -> Any:
    from importers.merge import merge_nodes

    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise InvalidInput('Send a JSON object {"keep": id, "drop": id}. / '
                           'Stuur een JSON-object {"keep": id, "drop": id}.')
    keep, drop = str(body.get("keep") or ""), str(body.get("drop") or "")
    return ok({"merge": merge_nodes(services().store, keep, drop).as_dict()})

