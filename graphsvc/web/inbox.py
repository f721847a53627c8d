"""The organisation's inbox: proposed ties and introductions waiting for an answer, notices of
downgrades, and the forms to propose a tie or send an introduction — with their JSON twins.

Only the organisation's members, its coaches and admins see an inbox or answer what is in it;
the public sees no request at all. A pending request or introduction also goes out as a mail
to the receiving organisation's contact persons when ``GRAPHSVC_SMTP_URL`` is set.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from graphsvc.actions.introductions import accept_introduction, decline_introduction, introduce
from graphsvc.actions.notify import introduction_mail, recipients_of, send_mail, tie_request_mail
from graphsvc.actions.tie_requests import (
    accept_request,
    check_fields,
    decline_request,
    propose_tie,
    record_coach_tie,
    requests_of,
)
from graphsvc.errors import Forbidden, GraphsvcError, InvalidInput, NotFound
from graphsvc.model import INTRODUCTION, TIE_REQUEST, Node, tie_pair
from graphsvc.provenance import provenance_name, tie_provenance
from graphsvc.text import normalise_name
from graphsvc.web.auth import (
    Unauthorised,
    current_account,
    current_viewer,
    may_work_with,
    require_organisation_access,
)
from graphsvc.web.params import lang_arg, str_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.introductions import introduced_on, introduction_counts, introductions_of
from queries.matching import partner_matches

__all__ = ["bp"]

bp = Blueprint("inbox", __name__)
API = "/api/v1"


def _by() -> str:
    account = current_account()
    return account.username if account is not None else ""


def _bookkeeping(node_id: str, label: str) -> Node:
    try:
        node = services().store.get_node(node_id)
    except NotFound:
        node = None
    if node is None or node.label != label:
        what = "tie request" if label == TIE_REQUEST else "introduction"
        raise NotFound(f"There is no {what} with id {node_id!r}.")
    return node


def _answerer(node_id: str, label: str) -> Node:
    """The request or introduction, when the viewer may answer it for the receiving side."""
    viewer = current_viewer()
    if viewer.role == "public":
        raise Unauthorised("Log in to answer this.")
    node = _bookkeeping(node_id, label)
    if not may_work_with(viewer, str(node.props.get("to", ""))):
        raise Forbidden("Only the receiving organisation's members, its coach or an admin answer this.")
    return node


def _body(allowed: tuple[str, ...] = (), what: str = "this request") -> dict[str, Any]:
    """The JSON body; a key it does not take is a 400 naming that field."""
    payload = request.get_json(silent=True)
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidInput("Send a JSON object.")
    check_fields(payload, allowed, what)
    return payload


def _notify(target_id: str, make: Any) -> None:
    settings = services().settings
    if not settings.smtp_url:
        return
    target = services().store.get_node(target_id)
    to = recipients_of(target)
    link = url_for("inbox.page", actor_id=target_id, _external=True)
    send_mail(settings.smtp_url, settings.smtp_from, [make(to, link)])


# -- what the inbox holds --------------------------------------------------------------------
def _inbox(actor_id: str) -> dict[str, Any]:
    snap = services().snapshot()
    snap.node(actor_id)
    return {"ties": requests_of(snap, actor_id), "introductions": introductions_of(snap, actor_id)}


def _inbox_json(actor_id: str) -> dict[str, Any]:
    box = _inbox(actor_id)
    return {"tie_requests": {k: [r.as_dict() for r in v] for k, v in box["ties"].items()},
            "introductions": {k: [i.as_dict() for i in v] for k, v in box["introductions"].items()}}


def _candidates(actor_id: str, q: str | None) -> list[dict[str, str]]:
    """At most 50 actors to propose a tie to, narrowed on the server by a search in their name."""
    snap = services().snapshot()
    needle = normalise_name(q or "")
    found = [a for a in snap.actors() if a != actor_id and needle in normalise_name(snap.name(a))]
    found.sort(key=lambda a: (normalise_name(snap.name(a)), a))
    return [{"id": a, "name": snap.name(a), "rung": str(snap.rung(actor_id, a))} for a in found[:50]]


@bp.get("/organisations/<actor_id>/inbox")
def page(actor_id: str) -> ResponseReturnValue:
    require_organisation_access(actor_id)
    snap = services().snapshot()
    node = snap.node(actor_id)
    lang = lang_arg()
    tie_list = [{"id": b, "name": snap.name(b), "rung": rung,
             "provenance": provenance_name(tie_provenance(snap.tie_props.get(tie_pair(actor_id, b), {})),
                                           lang)}
            for b, rung in sorted(snap.ties.get(actor_id, {}).items())]
    matches = partner_matches(snap, actor_id, limit=5, lang=lang, vocab=services().vocab) \
        if node.label == "Organisation" else None
    q = str_arg("q", 100)
    return render_template("inbox.html", node=node, **_inbox(actor_id), tie_list=tie_list, matches=matches,
                           introduced=introduced_on(snap, actor_id), q=q or "",
                           candidates=_candidates(actor_id, q), chosen=str_arg("to") or "",
                           rungs=services().vocab.rungs)


@bp.get(f"{API}/organisations/<actor_id>/inbox")
def api_inbox(actor_id: str) -> ResponseReturnValue:
    require_organisation_access(actor_id)
    return ok(_inbox_json(actor_id))


@bp.get(f"{API}/organisations/<actor_id>/tie-requests")
def api_requests(actor_id: str) -> ResponseReturnValue:
    require_organisation_access(actor_id)
    return ok(_inbox_json(actor_id)["tie_requests"])


@bp.get(f"{API}/organisations/<actor_id>/introductions")
def api_introductions(actor_id: str) -> ResponseReturnValue:
    require_organisation_access(actor_id)
    return ok(_inbox_json(actor_id)["introductions"])


# -- tie requests ----------------------------------------------------------------------------
def _propose(actor_id: str, payload: dict[str, Any]) -> Node:
    require_organisation_access(actor_id)
    node = propose_tie(services().store, actor_id, payload.get("to"), payload.get("rung"),
                       note=payload.get("note"), by=_by())
    if node.props["status"] == "pending":
        ends = services().store.get_nodes([actor_id, str(node.props["to"])])
        source, target = ends[actor_id], ends[str(node.props["to"])]
        _notify(target.id, lambda to, link: tie_request_mail(to, source.name, target.name,
                                                             int(node.props["rung"]), link))
    return node


def _request_json(node: Node) -> dict[str, Any]:
    snap = services().snapshot()
    box = requests_of(snap, str(node.props["from"]))
    found = next(r for items in box.values() for r in items if r.id == node.id)
    return found.as_dict()


@bp.post(f"{API}/organisations/<actor_id>/tie-requests")
def api_propose(actor_id: str) -> ResponseReturnValue:
    node = _propose(actor_id, _body(("to", "rung", "note"), "a tie request"))
    return ok({"request": _request_json(node)}, 201)


@bp.post(f"{API}/tie-requests/<request_id>/accept")
def api_accept(request_id: str) -> ResponseReturnValue:
    _answerer(request_id, TIE_REQUEST)
    body = _body(("rung", "expected_version"), "an answer")
    node = accept_request(services().store, request_id, rung=body.get("rung"), by=_by(),
                          expected_version=body.get("expected_version"))
    return ok({"request": _request_json(node)})


@bp.post(f"{API}/tie-requests/<request_id>/decline")
def api_decline(request_id: str) -> ResponseReturnValue:
    _answerer(request_id, TIE_REQUEST)
    body = _body(("expected_version",), "an answer")
    node = decline_request(services().store, request_id, by=_by(),
                           expected_version=body.get("expected_version"))
    return ok({"request": _request_json(node)})


@bp.put(f"{API}/organisations/<actor_id>/ties/<other_id>")
def api_coach_tie(actor_id: str, other_id: str) -> ResponseReturnValue:
    viewer = require_organisation_access(actor_id)
    if viewer.role not in ("coach", "admin"):
        raise Forbidden("Only a coach or an admin records a tie directly; members propose one.")
    body = _body(("rung", "note", "expected_version"), "a tie")
    tie = record_coach_tie(services().store, actor_id, other_id, body.get("rung"),
                           note=body.get("note"), expected_version=body.get("expected_version"))
    return ok({"tie": None if tie is None else
                    {**tie.as_dict(), "provenance": tie_provenance(tie.props)}})


def _form_rung() -> int | str | None:
    raw = request.form.get("rung", "")
    return int(raw) if raw.isdigit() else (raw or None)


def _back(actor_id: str) -> ResponseReturnValue:
    return redirect(url_for("inbox.page", actor_id=actor_id))


def _flash_error(exc: GraphsvcError) -> None:
    flash(exc.message, "error")


@bp.post("/organisations/<actor_id>/tie-requests")
def propose_form(actor_id: str) -> ResponseReturnValue:
    payload = {"to": request.form.get("to", ""), "rung": _form_rung(), "note": request.form.get("note")}
    try:
        node = _propose(actor_id, payload)
    except (InvalidInput, GraphsvcError) as exc:
        if exc.status in (401, 403):
            raise
        _flash_error(exc)
        return _back(actor_id)
    flash(_("Your proposal waits for the other side to confirm it.") if node.props["status"] == "pending"
          else _("The tie is changed; the other side sees a notice in its inbox."), "ok")
    return _back(actor_id)


@bp.post("/tie-requests/<request_id>/<answer>")
def answer_request_form(request_id: str, answer: str) -> ResponseReturnValue:
    node = _answerer(request_id, TIE_REQUEST)
    try:
        if answer == "accept":
            accept_request(services().store, request_id, rung=_form_rung(), by=_by())
            flash(_("Accepted: the tie is on the map."), "ok")
        elif answer == "decline":
            decline_request(services().store, request_id, by=_by())
            flash(_("Declined."), "ok")
        else:
            raise NotFound("There is no such answer.")
    except (InvalidInput, GraphsvcError) as exc:
        if exc.status == 404:
            raise
        _flash_error(exc)
    return _back(str(node.props["to"]))


# -- introductions ---------------------------------------------------------------------------
def _introduce(actor_id: str, target: object) -> Node:
    require_organisation_access(actor_id)
    snap = services().snapshot()
    # among the first hundred matches: a coach may introduce past the page's first screen
    matches = partner_matches(snap, actor_id, limit=100, vocab=services().vocab)
    node = introduce(services().store, snap, actor_id, target, matches, by=_by())
    source, other = snap.name(actor_id), snap.name(str(target))
    _notify(str(target), lambda to, link: introduction_mail(to, source, other, link))
    return node


def _intro_json(node: Node) -> dict[str, Any]:
    box = introductions_of(services().snapshot(), str(node.props["from"]))
    return next(i for items in box.values() for i in items if i.id == node.id).as_dict()


@bp.post(f"{API}/organisations/<actor_id>/introductions")
def api_introduce(actor_id: str) -> ResponseReturnValue:
    node = _introduce(actor_id, _body(("to",), "an introduction").get("to"))
    return ok({"introduction": _intro_json(node)}, 201)


@bp.post(f"{API}/introductions/<introduction_id>/<answer>")
def api_answer_introduction(introduction_id: str, answer: str) -> ResponseReturnValue:
    if answer not in ("accept", "decline"):
        raise NotFound("There is no such answer; use accept or decline.")
    _answerer(introduction_id, INTRODUCTION)
    body = _body(("expected_version",), "an answer")
    act = accept_introduction if answer == "accept" else decline_introduction
    node = act(services().store, introduction_id, by=_by(), expected_version=body.get("expected_version"))
    return ok({"introduction": _intro_json(node)})


def _safe_next(actor_id: str) -> str:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("inbox.page", actor_id=actor_id)


@bp.post("/organisations/<actor_id>/introductions")
def introduce_form(actor_id: str) -> ResponseReturnValue:
    try:
        _introduce(actor_id, request.form.get("to", ""))
        flash(_("The introduction is sent; it waits in the other organisation's inbox."), "ok")
    except GraphsvcError as exc:
        if exc.status in (401, 403):
            raise
        _flash_error(exc)
    return redirect(_safe_next(actor_id))


@bp.post("/introductions/<introduction_id>/<answer>")
def answer_introduction_form(introduction_id: str, answer: str) -> ResponseReturnValue:
    node = _answerer(introduction_id, INTRODUCTION)
    if answer not in ("accept", "decline"):
        raise NotFound("There is no such answer; use accept or decline.")
    act = accept_introduction if answer == "accept" else decline_introduction
    try:
        act(services().store, introduction_id, by=_by())
        flash(_("Accepted: you now know each other (rung 1).") if answer == "accept" else _("Declined."), "ok")
    except GraphsvcError as exc:
        _flash_error(exc)
    return _back(str(node.props["to"]))


# -- for the templates of other pages ------------------------------------------------------
@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    def may_edit(actor_id: str) -> bool:
        return may_work_with(current_viewer(), actor_id)

    def introduced_dates(actor_id: str) -> dict[str, str]:
        return introduced_on(services().snapshot(), actor_id)

    def introduction_totals(actor_ids: list[str]) -> dict[str, int]:
        return introduction_counts(services().snapshot(), actor_ids).as_dict()

    def org_names(actor_ids: frozenset[str]) -> list[tuple[str, str]]:
        snap = services().snapshot()
        return sorted(((a, snap.name(a)) for a in actor_ids if a in snap.nodes),
                      key=lambda x: normalise_name(x[1]))

    def provenance_text(provenance: str) -> str:
        return provenance_name(provenance, lang_arg())

    return {"may_edit": may_edit, "introduced_dates": introduced_dates,
            "introduction_totals": introduction_totals, "org_names": org_names,
            "provenance_text": provenance_text}
