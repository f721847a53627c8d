"""The change history of one organisation, with undo of a tie change (itself recorded).

For the organisation's own members, its coaches and admins (like the coach workspace).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from graphsvc.history import organisation_history, undo_tie_change
from graphsvc.web.auth import current_account, require_organisation_access
from graphsvc.web.params import int_arg
from graphsvc.web.services import services

__all__ = ["bp"]

bp = Blueprint("history", __name__)


def _history(actor_id: str) -> dict[str, object]:
    require_organisation_access(actor_id)
    store = services().store
    changes = organisation_history(store, actor_id)
    limit, offset = int_arg("limit", 200, 1, 1000), int_arg("offset", 0, 0, 10_000_000)
    return {"organisation": {"id": actor_id, "name": str(store.get_node(actor_id).props.get("name", ""))},
            "count": len(changes), "changes": [c.as_dict() for c in changes[offset:offset + limit]]}


def _undo(actor_id: str, seq: int) -> dict[str, object]:
    require_organisation_access(actor_id)
    account = current_account()
    change = undo_tie_change(services().store, actor_id, seq,
                             by=account.username if account is not None else "-")
    return {"change": change.as_dict()}


@bp.get("/organisations/<actor_id>/history")
def history_page(actor_id: str) -> ResponseReturnValue:
    return render_template("history.html", **_history(actor_id))


@bp.get("/api/v1/organisations/<actor_id>/history")
def api_history(actor_id: str) -> ResponseReturnValue:
    return jsonify({"ok": True, **_history(actor_id)})


@bp.post("/organisations/<actor_id>/history/<int:seq>/undo")
def undo(actor_id: str, seq: int) -> ResponseReturnValue:
    _undo(actor_id, seq)
    return redirect(url_for("history.history_page", actor_id=actor_id))


@bp.post("/api/v1/organisations/<actor_id>/history/<int:seq>/undo")
def api_undo(actor_id: str, seq: int) -> ResponseReturnValue:
    return jsonify({"ok": True, **_undo(actor_id, seq)})
