"""What the meeting pages and the meeting API share: who may look, sessions as JSON, the ladder."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import request

from graphsvc.actions.sessions import change_count, is_open, last_change
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from graphsvc.web.auth import Unauthorised, current_viewer
from graphsvc.web.params import lang_arg, str_arg
from graphsvc.web.services import services
from queries.islands import islands
from queries.ladder import LadderProgress, Period, ladder_progress, quarters, years
from visualisations.charts import ladder_chart_svg
from visualisations.network_map import MapFilters, map_payload
from visualisations.styles import DARK_RUNG_COLOURS as DARK_TIE_COLOURS

__all__ = [
    "RECORDERS", "DARK_RUNG_COLOURS", "area_or_404", "may_view", "require_view", "may_record", "rung_names",
    "session_dict", "area_sessions", "ladder_for", "ladder_svg", "meeting_state", "json_body",
    "session_or_404",
]

#: Roles that may record ties at a meeting (admins always may).
RECORDERS = ("coach",)
#: Tie colours on the dark projector theme: stronger ties are brighter (the light theme uses
#: visualisations.styles.RUNG_COLOURS, where stronger ties are darker).
DARK_RUNG_COLOURS = dict(DARK_TIE_COLOURS)
MAX_QUARTERS = 12


def area_or_404(snap: Snapshot, code: str) -> Node:
    """The Neighbourhood with this code or id; NotFound ('There is no area …') otherwise."""
    return snap.area(code)


def may_view(area: Node) -> bool:
    """Anyone logged in may view a meeting; the public only where an admin allowed it."""
    return current_viewer().role != "public" or area.props.get("public_meeting_map") is True


def require_view(area: Node) -> None:
    """Raise Unauthorised (401, or a redirect to the login page for pages) when not allowed."""
    if not may_view(area):
        raise Unauthorised("Log in to view this meeting; the map of this area is not public.")


def may_record() -> bool:
    role = current_viewer().role
    return role == "admin" or role in RECORDERS


def rung_names(lang: str | None = None) -> dict[int, str]:
    chosen = lang or lang_arg()
    return {r.rung: r.name(chosen) for r in services().vocab.rungs}


def session_or_404(snap: Snapshot, session_id: str) -> Node:
    node = snap.nodes.get(session_id)
    if node is None or node.label != "Session":
        raise NotFound(f"There is no session with id {session_id!r}.")
    return node


def _area_of(snap: Snapshot, session: Node) -> str:
    held = sorted(snap.targets("HELD_IN", session.id))
    return held[0] if held else str(session.props.get("area", ""))


def session_dict(snap: Snapshot, session: Node) -> dict[str, Any]:
    """A session as the API shows it: no change log, only what a client needs."""
    last = last_change(session) if is_open(session) else None
    area_id = _area_of(snap, session)
    return {
        "id": session.id, "name": session.name, "date": str(session.props.get("date", "")),
        "area": area_id, "area_code": str(snap.nodes[area_id].props.get("code", ""))
        if area_id in snap.nodes else "",
        "status": "open" if is_open(session) else "closed", "version": session.version,
        "opened_at": session.props.get("opened_at"), "closed_at": session.props.get("closed_at"),
        "changes": change_count(session),
        "last_change": None if last is None else {
            "a": last["a"], "a_name": snap.name(str(last["a"])), "b": last["b"],
            "b_name": snap.name(str(last["b"])), "old_rung": last["old_rung"],
            "new_rung": last["new_rung"]},
        "participants": sorted(snap.sources("ATTENDED", session.id)),
    }


def area_sessions(snap: Snapshot, area_id: str | None) -> list[Node]:
    """Sessions held in the area (all when None), open ones first, then newest first."""
    found = [snap.nodes[s] for s in snap.labelled("Session")
             if area_id is None or _area_of(snap, snap.nodes[s]) == area_id]
    found.sort(key=lambda n: (str(n.props.get("date", "")), str(n.props.get("opened_at", ""))),
               reverse=True)
    return sorted(found, key=lambda n: not is_open(n))


def _first_event_day(snap: Snapshot, area_id: str) -> date | None:
    members = set(snap.actors_in(area_id))
    days = [e.at[:10] for e in snap.tie_events.involving(members)]
    try:
        return date.fromisoformat(min(days)) if days else None
    except ValueError:
        return None


def _periods(snap: Snapshot, area_id: str, kind: str) -> list[Period]:
    today = date.today()
    first = _first_event_day(snap, area_id) or today
    if kind == "year":
        return years(min(first, today), today)
    earliest = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    for _ in range(MAX_QUARTERS - 1):
        earliest = (earliest - timedelta(days=1)).replace(day=1)
        earliest = earliest.replace(month=(earliest.month - 1) // 3 * 3 + 1)
    return quarters(max(min(first, today), earliest), today)


def ladder_for(snap: Snapshot, area: Node, kind: str | None = None) -> LadderProgress:
    """The area's ladder per quarter (the last three years at most) or per year."""
    chosen = kind or str_arg("period") or "quarter"
    if chosen not in ("quarter", "year"):
        raise InvalidInput("Parameter 'period' must be 'quarter' or 'year'.")
    return ladder_progress(snap, area.id, _periods(snap, area.id, chosen))


def ladder_svg(snap: Snapshot, area: Node, lang: str, kind: str | None = None) -> str:
    return ladder_chart_svg(ladder_for(snap, area, kind), rung_names(lang), lang=lang)


def meeting_state(snap: Snapshot, area: Node, lang: str) -> dict[str, Any]:
    """Everything meeting mode draws: the map, tie versions, islands and the open session."""
    code = str(area.props.get("code") or area.id)
    payload = map_payload(snap, MapFilters(area=area.id, types=("Organisation", "Institution")),
                          lang=lang, store=services().store)
    shown = {n["id"] for n in payload["nodes"]}
    # the ties among the shown actors, looked up by pair (not a walk over every tie of the city)
    versions = {f"{a}|{b}": int(snap.tie_props[(a, b)].get("version", 0))
                for a in sorted(shown) for b in snap.ties.get(a, {})
                if a < b and b in shown and (a, b) in snap.tie_props}
    sessions = [s for s in area_sessions(snap, area.id) if is_open(s)]
    return {
        "area": {"id": area.id, "code": code, "name": area.name,
                 "public_meeting_map": area.props.get("public_meeting_map") is True},
        "revision": snap.revision, "positioned": bool(payload.get("positioned")),
        "nodes": payload["nodes"], "edges": payload["edges"],
        "islands": [i.id for i in islands(snap, area.id)], "tie_versions": versions,
        "session": session_dict(snap, sessions[0]) if sessions else None,
        "can_record": may_record(),
    }


def json_body() -> dict[str, Any]:
    """The request's JSON object, or form fields; InvalidInput when it is neither."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidInput("Send a JSON object.")
        return body
    return request.form.to_dict()
