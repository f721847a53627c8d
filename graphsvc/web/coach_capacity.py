"""Writes of the coach workspace: record an assessment, decide on a proposed need, edit positioning.

Each write exists twice: as a JSON API call under ``/api/v1/organisations/<id>/`` (a session
needs the ``X-CSRFToken`` header; an API token needs none) and as a form post from the workspace
page, which redirects back with a message. Only the organisation's members, its coach and admins
may read or write any of it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from graphsvc.actions.capacity import record_assessment
from graphsvc.actions.capacity_needs import decide_need
from graphsvc.actions.positioning import update_positioning
from graphsvc.errors import GraphsvcError, InvalidInput
from graphsvc.web.auth import current_account, require_organisation_access, require_role
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.capacity import capacity_needs
from queries.coach_overview import capacity_report

__all__ = ["bp"]

bp = Blueprint("coach_capacity", __name__)
WRITERS = ("coach", "member")  # and admins: require_role always lets them in


def _access(actor_id: str) -> str:
    """Check the organisation exists and the viewer may work with it; return the user name."""
    services().snapshot().node(actor_id, "Organisation")
    require_organisation_access(actor_id)
    account = current_account()
    return account.username if account else ""


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object (Content-Type: application/json).")
    return body


def _mapping(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise InvalidInput(f"'{key}' must be an object that maps each dimension to a value.")
    return value


def _version(raw: object) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(str(raw))
    except ValueError:
        raise InvalidInput("'version' must be a whole number.") from None


def _id_list(raw: object, key: str) -> list[str] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise InvalidInput(f"'{key}' must be a list of ids.")
    return raw


# -- JSON API ------------------------------------------------------------------------------------
@bp.get("/api/v1/organisations/<path:actor_id>/capacity")
@require_role(*WRITERS)
def api_history(actor_id: str) -> Any:
    _access(actor_id)
    return ok({**capacity_report(services().snapshot(), actor_id, services().vocab)})


@bp.post("/api/v1/organisations/<path:actor_id>/capacity")
@require_role(*WRITERS)
def api_record(actor_id: str) -> Any:
    by = _access(actor_id)
    body = _json_body()
    assessment = record_assessment(services().store, actor_id, _mapping(body, "scores"),
                                   notes=_mapping(body, "notes"), day=body.get("date"), by=by,
                                   vocab=services().vocab)
    report = capacity_report(services().snapshot(), actor_id, services().vocab)
    return ok({"assessment": assessment.as_dict(), **report}, 201)


@bp.post("/api/v1/organisations/<path:actor_id>/capacity/needs")
@require_role(*WRITERS)
def api_decide(actor_id: str) -> Any:
    by = _access(actor_id)
    body = _json_body()
    decision = str(body.get("decision", ""))
    proposal = decide_need(services().store, actor_id, str(body.get("need", "")), decision,
                           by=by, vocab=services().vocab)
    return ok({"decision": decision, "proposal": proposal.as_dict(),
                    "needs_from_capacity": sorted(capacity_needs(services().snapshot(), actor_id))})


@bp.post("/api/v1/organisations/<path:actor_id>/positioning")
@require_role(*WRITERS)
def api_positioning(actor_id: str) -> Any:
    by = _access(actor_id)
    body = _json_body()
    if not isinstance(body.get("core_business", ""), str):
        raise InvalidInput("'core_business' must be text.")
    result = update_positioning(
        services().store, services().snapshot(), actor_id,
        core_business=body.get("core_business", ""),
        communities=_id_list(body.get("communities"), "communities"),
        areas=_id_list(body.get("areas"), "areas"), by=by,
        expected_version=_version(body.get("version")))
    return ok(result.as_dict())


# -- form posts from the workspace page -----------------------------------------------------------
def _back(actor_id: str, anchor: str) -> WerkzeugResponse:
    return redirect(url_for("coach.organisation", actor_id=actor_id) + f"#{anchor}")


def _form_write(actor_id: str, anchor: str, write: Any, done: str) -> WerkzeugResponse:
    try:
        write()
        flash(done, "ok")
    except GraphsvcError as exc:
        flash(exc.message, "error")
    return _back(actor_id, anchor)


@bp.post("/coach/<path:actor_id>/capacity")
@require_role(*WRITERS)
def record(actor_id: str) -> WerkzeugResponse:
    by = _access(actor_id)
    form = request.form
    dims = [d.id for d in services().vocab.capacity]
    scores = {d: form.get(f"score-{d}", "") for d in dims}
    notes = {d: form.get(f"note-{d}", "") for d in dims}
    return _form_write(actor_id, "profile", lambda: record_assessment(
        services().store, actor_id, scores, notes=notes, day=form.get("date") or None, by=by,
        vocab=services().vocab), _("The assessment is recorded."))


@bp.post("/coach/<path:actor_id>/needs")
@require_role(*WRITERS)
def decide(actor_id: str) -> WerkzeugResponse:
    by = _access(actor_id)
    decision = request.form.get("decision", "")
    done = (_("The need is confirmed; the matches use it now.") if decision == "confirmed"
            else _("The proposal is rejected; it will not be proposed again for this assessment."))
    return _form_write(actor_id, "needs", lambda: decide_need(
        services().store, actor_id, request.form.get("need", ""), decision, by=by,
        vocab=services().vocab), done)


@bp.post("/coach/<path:actor_id>/positioning")
@require_role(*WRITERS)
def positioning(actor_id: str) -> WerkzeugResponse:
    by = _access(actor_id)
    form = request.form
    return _form_write(actor_id, "positioning", lambda: update_positioning(
        services().store, services().snapshot(), actor_id,
        core_business=form.get("core_business", ""), communities=form.getlist("communities"),
        areas=form.getlist("areas"), by=by, expected_version=_version(form.get("version"))),
        _("The core business, communities and areas are saved."))
