"""Accounts in the web app: the admin's account page, invitations, and the page an invited person uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_user

from graphsvc.access.invitations import INVITABLE_ROLES, accept_invitation, invitation, invite
from graphsvc.access.ratelimit import spend_password_check
from graphsvc.errors import Conflict, Forbidden, InvalidInput, NotFound
from graphsvc.web.auth import current_account, current_viewer, require_role
from graphsvc.web.services import services

__all__ = ["bp"]

bp = Blueprint("accounts_admin", __name__)
_ACTIONS = ("disable", "enable", "reset-password", "revoke-tokens", "logout-all")


def _organisations() -> list[tuple[str, str]]:
    """The organisations this viewer may invite people to: (id, name), by name."""
    viewer = current_viewer()
    snapshot = services().snapshot()
    ids = snapshot.labelled("Organisation") if viewer.role == "admin" else sorted(viewer.organisations)
    names = [(i, snapshot.name(i)) for i in ids]
    return sorted(names, key=lambda pair: pair[1].casefold())


def _page(status: int = 200, **extra: Any) -> ResponseReturnValue:
    admin = current_viewer().role == "admin"
    users = services().accounts.users() if admin else []
    snapshot = services().snapshot()
    org_names = {o: snapshot.name(o) for u in users for o in u.organisations}
    role_names = {"member": _("member"), "coach": _("coach"), "funder": _("funder"),
                  "admin": _("administrator")}
    return render_template("admin_users.html", users=users, admin=admin, roles=INVITABLE_ROLES,
                           role_names=role_names, org_names=org_names, organisations=_organisations(),
                           **extra), status


@bp.get("/admin/users")
@require_role("coach")
def users_page() -> ResponseReturnValue:
    return _page()


@bp.post("/admin/invitations")
@require_role("coach")
def create_invitation() -> ResponseReturnValue:
    viewer = current_viewer()
    organisation = (request.form.get("organisation") or "").strip()[:200]
    role = (request.form.get("role") or "member").strip()
    if viewer.role != "admin" and (organisation not in viewer.organisations or role != "member"):
        raise Forbidden("A coach invites members of the organisations it coaches.")
    account = current_account()
    try:
        code = invite(services().accounts, services().store, organisation, role,
                      account.username if account is not None else "-")
    except InvalidInput as exc:
        return _page(400, invite_error=exc.message)
    link = url_for("accounts_admin.invitation_page", code=code, _external=True)
    return _page(invitation_link=link, invited_to=organisation)


@bp.post("/admin/users/<username>/<action>")
@require_role("admin")
def user_action(username: str, action: str) -> ResponseReturnValue:
    if action not in _ACTIONS:
        abort(404)
    accounts = services().accounts
    user = accounts.by_name(username)
    if action == "disable":
        accounts.update(username, disabled=True)
        flash(_("%(name)s is disabled; its sessions have ended.", name=user.username))
    elif action == "enable":
        accounts.update(username, disabled=False)
        flash(_("%(name)s is enabled again.", name=user.username))
    elif action == "reset-password":
        spend_password_check()
        try:
            accounts.set_password(username, request.form.get("password") or "")
        except InvalidInput:
            return _page(400, password_error=_("A password needs at least 10 characters."),
                         password_user=user.username)
        flash(_("New password set for %(name)s; its sessions have ended.", name=user.username))
    elif action == "revoke-tokens":
        flash(_("Revoked the API tokens of %(name)s.", name=user.username))
        accounts.revoke_tokens(user.id)
    else:
        accounts.end_sessions(user.id)
        flash(_("%(name)s is logged out everywhere.", name=user.username))
    return redirect(url_for("accounts_admin.users_page"))


def _invitation_or_404(code: str) -> Any:
    found = invitation(services().accounts, code)
    if found is None or found.used or found.expired:
        raise NotFound(_("This invitation link is not valid: it was used already or has expired."))
    return found


@bp.route("/invitation/<code>", methods=["GET", "POST"])
def invitation_page(code: str) -> ResponseReturnValue:
    found = _invitation_or_404(code[:100])
    context: dict[str, Any] = {"organisation": services().snapshot().name(found.organisation),
                               "role": found.role, "username": ""}
    if request.method == "GET":
        return render_template("invitation.html", **context)
    username = (request.form.get("username") or "").strip()[:80]
    password = request.form.get("password") or ""
    context["username"] = username
    if password != (request.form.get("password_again") or ""):
        return render_template("invitation.html", error=_("The two passwords differ."), **context), 400
    spend_password_check()
    try:
        user = accept_invitation(services().accounts, code[:100], username, password)
    except InvalidInput as exc:
        message = (_("A password needs at least 10 characters.") if "password" in exc.message
                   else _("A user name has 2–80 letters, digits or . _ @ -."))
        return render_template("invitation.html", error=message, **context), 400
    except Conflict:
        return render_template("invitation.html", error=_("This user name is taken; choose another."),
                               **context), 409
    login_user(services().accounts.start_session(user))
    flash(_("Welcome! Your account is ready."))
    return redirect(url_for("pages.home"))
