"""The change history of one organisation, with undo of any change (itself recorded).

For the organisation's own members, its coaches and admins (like the coach workspace). Values of
confidential fields pass the visibility filter; viewing them is audited (``web/privacy.py``).
"""

from __future__ import annotations

from typing import Final

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from graphsvc.actions.history import (
    PAGE,
    UndoRefused,
    history_entries,
    organisation_history,
    undo_change,
)
from graphsvc.actions.notify import recipients_of, send_mail, tie_notice_mail
from graphsvc.model import CONFIDENTIAL_FIELDS, Node
from graphsvc.web.auth import require_organisation_access
from graphsvc.web.pages import kind_names
from graphsvc.web.params import int_arg, lang_arg
from graphsvc.web.privacy import record
from graphsvc.web.replies import ok
from graphsvc.web.services import services

__all__ = ["bp"]

bp = Blueprint("history", __name__)

_REFUSED: Final = {
    "later": _l("Not undone: this was changed again later. Undo the later change first."),
    "changed": _l("Not undone: it is no longer as this change left it."),
    "missing": _l("Not undone: the other side of this relationship no longer exists. Undo its "
                  "deletion first."),
}


def _history(actor_id: str) -> dict[str, object]:
    viewer = require_organisation_access(actor_id)
    page = organisation_history(services().store, actor_id, viewer,
                                before=int_arg("before", 0, 1, 2**53) or None,
                                limit=int_arg("limit", PAGE, 1, 500))
    return page.as_dict()


def _mail_notices(notices: list[Node]) -> None:
    """Mail the other side's contact persons of each tie the undo moved (with a mail server)."""
    settings = services().settings
    if not settings.smtp_url or not notices:
        return
    ends = services().store.get_nodes({str(n.props[k]) for n in notices for k in ("from", "to")})
    mails = []
    for notice in notices:
        source, target = ends.get(str(notice.props["from"])), ends.get(str(notice.props["to"]))
        if source is None or target is None:
            continue
        link = url_for("inbox.page", actor_id=target.id, _external=True)
        mails.append(tie_notice_mail(recipients_of(target), source.name, target.name,
                                     int(notice.props["old_rung"]), int(notice.props["rung"]), link,
                                     undo=True))
    send_mail(settings.smtp_url, settings.smtp_from, mails)


def _undo(actor_id: str, seq: int) -> dict[str, object]:
    viewer = require_organisation_access(actor_id)
    store = services().store
    # by the logged-in account (see create_app), when it may make that change now
    notices: list[Node] = []
    made = undo_change(store, actor_id, seq, viewer=viewer, notices=notices)
    _mail_notices(notices)
    fields = sorted({k for c in made if c.is_node for k in (*c.old, *c.new)} & CONFIDENTIAL_FIELDS)
    if fields:
        record("change", actor_id, fields, f"undo of change {seq}")
    return {"undone": seq, "changes": [e.as_dict() for e in history_entries(store, actor_id, made, viewer)]}


@bp.get("/organisations/<path:actor_id>/history")
def history_page(actor_id: str) -> ResponseReturnValue:
    return render_template("history.html", kinds=kind_names(lang_arg()), **_history(actor_id))


@bp.get("/api/v1/organisations/<path:actor_id>/history")
def api_history(actor_id: str) -> ResponseReturnValue:
    return ok(_history(actor_id))


@bp.post("/organisations/<path:actor_id>/history/<int:seq>/undo")
def undo(actor_id: str, seq: int) -> ResponseReturnValue:
    try:
        _undo(actor_id, seq)
        flash(_("Undone; the undo is at the top of the history."), "ok")
    except UndoRefused as exc:
        flash(str(_REFUSED.get(exc.reason, exc.message)), "error")
    return redirect(url_for("history.history_page", actor_id=actor_id))


@bp.post("/api/v1/organisations/<path:actor_id>/history/<int:seq>/undo")
def api_undo(actor_id: str, seq: int) -> ResponseReturnValue:
    return ok({**_undo(actor_id, seq)})
