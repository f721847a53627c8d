"""Login, roles and the current viewer: who is asking decides what they may see and do."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Flask, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from graphsvc.access.accounts import User
from graphsvc.access.ratelimit import limited_authenticate
from graphsvc.access.visibility import PUBLIC, Viewer
from graphsvc.errors import Forbidden, GraphsvcError, StoreUnavailable
from graphsvc.web.services import services

__all__ = [
    "bp", "init_auth", "current_viewer", "current_account", "require_role", "Unauthorised",
    "may_work_with", "require_organisation_access", "safe_next",
]

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("auth", __name__)
csrf = CSRFProtect()


class Unauthorised(GraphsvcError):
    status = 401
    code = "unauthorised"


def current_account() -> User | None:
    """The logged-in account (session cookie or API token), or None for the public."""
    user = getattr(g, "token_user", None) or current_user
    if user is not None and not isinstance(user, User) and g.get("account_store_down"):
        # a browser with a session cookie while the store is down: not "the public", but a 503
        raise StoreUnavailable("The graph database is not reachable.")
    return user if isinstance(user, User) else None


def current_viewer() -> Viewer:
    """The role and organisations of whoever is asking; the public when nobody is logged in."""
    user = current_account()
    return user.viewer() if user is not None else PUBLIC


def require_role(*roles: str) -> Callable[[F], F]:
    """Allow a view only for these roles (admins always); 401 for the public, 403 for others."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            viewer = current_viewer()
            if viewer.role == "public":
                if request.path.startswith("/api/"):
                    raise Unauthorised("Log in or send an API token to do this.")
                return redirect(url_for("auth.login", next=request.full_path))
            if viewer.role != "admin" and viewer.role not in roles:
                raise Forbidden("Your role may not do this.")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def may_work_with(viewer: Viewer, organisation_id: str) -> bool:
    """Admins work with every organisation; coaches with those assigned, members with their own."""
    if viewer.role == "admin":
        return True
    return viewer.role in ("coach", "member") and organisation_id in viewer.organisations


def require_organisation_access(organisation_id: str) -> Viewer:
    """The viewer, when it may work with this organisation; otherwise 401 or 403."""
    viewer = current_viewer()
    if viewer.role == "public":
        raise Unauthorised("Log in to see this organisation's matches and profile.")
    if not may_work_with(viewer, organisation_id):
        raise Forbidden("You are not this organisation's coach or member.")
    return viewer


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str:
    """A path of this site to go to after logging in; ``/`` for anything else.

    Browsers drop tabs and line breaks inside a URL and read ``\\`` as ``/``, so the target is
    cleaned the way a browser would before it is judged: ``/%09/evil.example`` is ``//evil.example``,
    another site, and gives ``/``.
    """
    home = url_for("pages.home")
    if not target:
        return home
    cleaned = _CONTROL.sub("", target).replace("\\", "/")
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return home
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return home
    return urlunsplit(("", "", parts.path, parts.query, ""))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        accounts = services().accounts
        user = limited_authenticate(form.username.data, form.password.data, accounts.authenticate)
        if user is not None:
            # the cookie holds a server-side session id: logout, disable and a new password end it
            login_user(accounts.start_session(user))
            return redirect(safe_next(request.args.get("next")))
        error = _("User name or password is wrong.")
    status = 401 if error else 200
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> WerkzeugResponse:
    account = current_account()
    if account is not None and account.session_id:
        services().accounts.end_session(account.session_id)
    logout_user()
    return redirect(url_for("pages.home"))


_READS = ("GET", "HEAD", "OPTIONS")


def _reading() -> bool:
    """A read request may use a login the store confirmed within the freshness bound; a
    state-changing one always asks the store (a token revoked elsewhere is refused at once)."""
    return request.method in _READS


def _token_login() -> None:
    header = request.headers.get("Authorization", "")
    g.token_user = None
    if header.startswith("Bearer "):
        user = services().accounts.user_for_token(header[len("Bearer "):].strip(), recent=_reading())
        if user is None:
            raise Unauthorised("The API token is not valid.")
        g.token_user = user


def init_auth(app: Flask) -> None:
    manager = LoginManager(app)
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(session_id: str) -> User | None:
        # the store is asked on every state-changing request and, within the freshness bound,
        # on reads: a session ended by another app server ends here too
        try:
            accounts = services().accounts
            return accounts.user_for_session(session_id, recent=_reading()) if session_id else None
        except StoreUnavailable:  # remembered: current_account() raises it where the account matters
            g.account_store_down = True
            return None

    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def _authenticate_and_check_csrf() -> None:
        _token_login()
        # token-authenticated API calls carry no cookie, so cross-site forgery cannot reach them;
        # every other state-changing request needs a valid CSRF token
        if not _reading() and g.token_user is None:
            csrf.protect()

    @app.context_processor
    def _who() -> dict[str, object]:
        try:
            return {"account": current_account(), "viewer": current_viewer()}
        except StoreUnavailable:  # rendering the error page of exactly that
            return {"account": None, "viewer": PUBLIC}

