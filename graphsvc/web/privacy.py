"""Privacy for admins: the audit trail of confidential data, and a contact person's data
(export and erasure). Every successful view or change of confidential data is audited here,
in one after-request hook, so no view has to remember to do it."""

from __future__ import annotations

from typing import Any, Final

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from graphsvc.access.audit import AuditLog
from graphsvc.actions.privacy import erase_person, export_person, find_in_history
from graphsvc.model import CONFIDENTIAL_FIELDS
from graphsvc.web.auth import current_account, current_viewer, require_role
from graphsvc.web.params import int_arg, str_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services

__all__ = ["bp", "audit_log", "record"]

bp = Blueprint("privacy", __name__)

#: endpoint -> (action, confidential fields it shows or changes) for the organisation in the URL
AUDITED: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "pages.actor": ("view", ("capacity", "contact_persons")),
    "api.actor": ("view", ("capacity", "contact_persons")),
    "api.organisation": ("view", ("capacity", "contact_persons")),
    "coach.organisation": ("view", ("capacity",)),
    "coach.visit_sheet": ("view", ("capacity",)),
    "coach_capacity.api_history": ("view", ("capacity",)),
    "history.history_page": ("view", ("capacity", "contact_persons")),
    "history.api_history": ("view", ("capacity", "contact_persons")),
    "coach_capacity.api_record": ("change", ("capacity",)),
    "coach_capacity.api_decide": ("change", ("capacity",)),
    "coach_capacity.api_positioning": ("change", ("capacity",)),
    "coach_capacity.record": ("change", ("capacity",)),
    "coach_capacity.decide": ("change", ("capacity",)),
    "coach_capacity.positioning": ("change", ("capacity",)),
}
_EXPORTS: Final = ("data.export",)


def audit_log() -> AuditLog:
    """The app's audit log, in the graph store beside the accounts."""
    log = current_app.extensions.get("goudkaart_audit")
    if log is None:
        log = current_app.extensions["goudkaart_audit"] = AuditLog(services().accounts.records)
    return log


def record(action: str, target: str, fields: tuple[str, ...] | list[str], detail: str = "") -> None:
    """Audit one action of whoever is asking."""
    account = current_account()
    username = account.username if account is not None else "-"
    audit_log().record(username, current_viewer().role, action, target, fields, detail)


def _organisation_in_url() -> str | None:
    args = request.view_args or {}
    value = args.get("actor_id") or args.get("org_id")
    return str(value) if value else None


@bp.after_app_request
def _audit_confidential(response: Response) -> Response:
    if response.status_code >= 400 or request.endpoint is None:
        return response
    viewer = current_viewer()
    if request.endpoint in _EXPORTS and viewer.role == "admin":
        record("export", "*", sorted(CONFIDENTIAL_FIELDS), request.path)
        return response
    action, fields = AUDITED.get(request.endpoint, ("", ()))
    target = _organisation_in_url()
    if action and target and viewer.may_see_confidential(target):
        record(action, target, fields, f"{request.method} {request.path}")
    return response


def _audit_page() -> dict[str, Any]:
    target = str_arg("target", 120)
    entries = audit_log().entries(target=target, limit=int_arg("limit", 200, 1, 1000),
                                  offset=int_arg("offset", 0, 0, 10_000_000))
    return {"target": target or "", "entries": [e.as_dict() for e in entries]}


@bp.get("/admin/audit")
@require_role("admin")
def audit_page() -> ResponseReturnValue:
    return render_template("admin_audit.html", **_audit_page())


@bp.get("/api/v1/audit")
@require_role("admin")
def api_audit() -> ResponseReturnValue:
    return ok(_audit_page())


def _person_data() -> dict[str, Any]:
    person = str_arg("person", 200)
    if not person:
        return {"person": "", "count": 0, "records": [], "history_count": 0, "history": []}
    data = export_person(services().store, person)
    record("view", "*", ["contact_persons"],
           f"person search ({data['count']} found, {data['history_count']} in the change history)")
    return data


@bp.get("/admin/privacy")
@require_role("admin")
def privacy_page() -> ResponseReturnValue:
    return render_template("admin_privacy.html", **_person_data())


@bp.get("/api/v1/privacy/person")
@require_role("admin")
def api_person() -> ResponseReturnValue:
    return ok(_person_data())


@bp.post("/admin/privacy/erase")
@require_role("admin")
def erase() -> ResponseReturnValue:
    person = (request.form.get("person") or "").strip()[:200]
    account = current_account()
    source = f"user:{account.username}" if account is not None else "privacy"
    history = find_in_history(services().store, person)  # what the erasure will scrub there
    removed = erase_person(services().store, person, source=source)
    for target in sorted({r.organisation_id for r in removed} | {str(h["organisation"]) for h in history}):
        record("erase", target, ["contact_persons"], "contact person erased")
    flash(_("Erased %(n)d entries and %(h)d in the change history.", n=len(removed), h=len(history)))
    return redirect(url_for("privacy.privacy_page"))
