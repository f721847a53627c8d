"""The meeting JSON API: area questions (islands, brokers, agenda, ladder) and ladder sessions.

Reads of an area's questions are as public as the map itself. Sessions follow the meeting's
rule: the public may read them only for an area whose meeting map an admin made public, and
only coaches and admins may open, record, undo and close.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from graphsvc.actions import sessions
from graphsvc.errors import InvalidInput
from graphsvc.web.auth import current_account, require_role
from graphsvc.web.meeting_common import (
    RECORDERS,
    area_or_404,
    area_sessions,
    json_body,
    ladder_for,
    may_view,
    meeting_state,
    require_view,
    session_dict,
    session_or_404,
)
from graphsvc.web.params import int_arg, lang_arg, str_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.agenda import neighbourhood_agenda
from queries.brokers import brokers
from queries.islands import islands, near_islands
from queries.sessions import session_diff

__all__ = ["bp"]

bp = Blueprint("meeting_api", __name__, url_prefix="/api/v1")


def _area_ref(code: str) -> tuple[Any, dict[str, Any]]:
    snap = services().snapshot()
    area = area_or_404(snap, code)
    return snap, {"id": area.id, "code": area.props.get("code", ""), "name": area.name}


# -- area questions --------------------------------------------------------------------------
@bp.get("/areas/<code>/islands")
def area_islands(code: str) -> Any:
    snap, area = _area_ref(code)
    min_rung = int_arg("min_rung", 2, 1, 5)
    found = islands(snap, area["id"], min_rung)
    return ok({"area": area, "min_rung": min_rung, "count": len(found),
               "islands": [i.as_dict() for i in found],
               "near_islands": [i.as_dict() for i in near_islands(snap, area["id"], min_rung)]})


@bp.get("/areas/<code>/brokers")
def area_brokers(code: str) -> Any:
    snap, area = _area_ref(code)
    found = brokers(snap, area["id"], limit=int_arg("limit", 10, 1, 100),
                    min_rung=int_arg("min_rung", 2, 1, 5))
    return ok({"area": area, "brokers": [b.as_dict() for b in found]})


@bp.get("/areas/<code>/agenda")
def area_agenda(code: str) -> Any:
    snap, area = _area_ref(code)
    topics = neighbourhood_agenda(snap, area["id"], limit=int_arg("limit", 10, 1, 100))
    return ok({"area": area, "topics": [t.as_dict() for t in topics]})


@bp.get("/areas/<code>/ladder")
def area_ladder(code: str) -> Any:
    snap, area = _area_ref(code)
    progress = ladder_for(snap, snap.nodes[area["id"]])
    return ok({**progress.as_dict(), "area": area})


@bp.get("/areas/<code>/meeting")
def area_meeting(code: str) -> Any:
    snap = services().snapshot()
    area = area_or_404(snap, code)
    require_view(area)
    return ok(meeting_state(snap, area, lang_arg()))


@bp.post("/areas/<code>/public-meeting-map")
@require_role()
def area_public_flag(code: str) -> Any:
    body = json_body()
    node = sessions.set_public_meeting_map(services().store, code, _flag(body.get("enabled")),
                                           expected_version=_version(body))
    return ok({"area": {"id": node.id, "code": node.props.get("code", ""),
                        "public_meeting_map": node.props["public_meeting_map"],
                        "version": node.version}})


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1"):
        return True
    if value in ("false", "off", "0", None, ""):
        return False
    raise InvalidInput("'enabled' must be true or false.")


def _version(body: dict[str, Any]) -> int | None:
    value = body.get("expected_version")
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("'expected_version' must be a whole number.")
    return value


def _rung(value: object) -> object:
    # form posts send text; the write side refuses anything that is not a whole number 1-5
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


# -- sessions ----------------------------------------------------------------------------------
@bp.get("/sessions")
def session_list() -> Any:
    snap = services().snapshot()
    code = str_arg("area")
    area_id = area_or_404(snap, code).id if code else None
    infos = [session_dict(snap, s) for s in area_sessions(snap, area_id)]
    return ok({"items": [i for i in infos if may_view(_held_in(snap, i))]})


def _held_in(snap: Any, info: dict[str, Any]) -> Any:
    """The session's area; a session without one counts as private (its own node, no flag)."""
    return snap.nodes.get(info["area"]) or snap.nodes[info["id"]]


@bp.get("/sessions/<session_id>")
def session_detail(session_id: str) -> Any:
    snap = services().snapshot()
    session = session_or_404(snap, session_id)
    info = session_dict(snap, session)
    require_view(_held_in(snap, info))
    return ok({"session": info, "diff": session_diff(snap, session_id).as_dict()})


def _who() -> str:
    account = current_account()
    return account.username if account is not None else ""


def _fresh(session_id: str) -> dict[str, Any]:
    snap = services().snapshot()
    return session_dict(snap, session_or_404(snap, session_id))


@bp.post("/sessions")
@require_role(*RECORDERS)
def session_open() -> Any:
    body = json_body()
    participants = body.get("participants") or []
    if not isinstance(participants, list):
        raise InvalidInput("'participants' must be a list of organisation ids.")
    node = sessions.open_session(services().store, str(body.get("area") or ""),
                                 name=body.get("name") or "", day=body.get("date") or None,
                                 participants=participants, opened_by=_who())
    return ok({"session": _fresh(node.id)}, 201)


@bp.post("/sessions/<session_id>/close")
@require_role(*RECORDERS)
def session_close(session_id: str) -> Any:
    body = json_body()
    sessions.close_session(services().store, session_id, expected_version=_version(body),
                           closed_by=_who())
    return ok({"session": _fresh(session_id)})


def _after_change(change: sessions.TieChange, status: int) -> Any:
    snap = services().snapshot()
    info = session_dict(snap, session_or_404(snap, change.session))
    return ok({"change": change.as_dict(), "session": info,
               "islands": [i.id for i in islands(snap, info["area"])] if info["area"] in snap.nodes
               else []}, status)


@bp.post("/sessions/<session_id>/ties")
@require_role(*RECORDERS)
def session_record(session_id: str) -> Any:
    body = json_body()
    change = sessions.record_tie(
        services().store, session_id, str(body.get("a") or ""), str(body.get("b") or ""),
        _rung(body.get("rung")), declared_by=str(body.get("declared_by") or "both"),  # type: ignore[arg-type]
        note=body.get("note") or None, expected_version=_version(body), recorded_by=_who())
    return _after_change(change, 201 if change.kind == "new" else 200)


@bp.post("/sessions/<session_id>/undo")
@require_role(*RECORDERS)
def session_undo(session_id: str) -> Any:
    body = json_body()
    change = sessions.undo_last(services().store, session_id, expected_version=_version(body),
                                undone_by=_who())
    return _after_change(change, 200)
