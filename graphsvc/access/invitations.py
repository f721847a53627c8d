"""Invitations: a one-time link, valid 7 days, with which a person sets up an account of an organisation."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Final

from graphsvc.access.accounts import (
    AccountStore,
    User,
    check_password,
    check_role,
    check_username,
    secret_hash,
)
from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.store.base import GraphStore

__all__ = ["INVITATION_DAYS", "Invitation", "invite", "invitation", "accept_invitation"]

INVITATION_DAYS: Final = 7
INVITABLE_ROLES: Final = ("member", "coach", "funder")


@dataclass(frozen=True)
class Invitation:
    """An invitation as a person holding the link may see it."""

    organisation: str
    role: str
    created_by: str
    expires_at: float
    used: bool

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def invite(accounts: AccountStore, store: GraphStore, organisation: str, role: str,
           created_by: str) -> str:
    """Invite a person to an organisation; the one-time code of the link (only its hash is kept)."""
    check_role(role)
    if role not in INVITABLE_ROLES:
        raise InvalidInput(f"An invitation is for one of {', '.join(INVITABLE_ROLES)}, not {role!r}.")
    try:
        node = store.get_node(organisation)
    except NotFound:
        raise InvalidInput(f"There is no organisation with id {organisation!r}.") from None
    if node.label != "Organisation":
        raise InvalidInput(f"{organisation!r} is not an organisation.")
    code = secrets.token_urlsafe(24)
    accounts.records.add_invitation({
        "token_hash": secret_hash(code), "organisation": organisation, "role": role,
        "created_by": created_by, "created_at": utc_now(),
        "expires_at": time.time() + INVITATION_DAYS * 24 * 3600, "used_at": None})
    return code


def invitation(accounts: AccountStore, code: str) -> Invitation | None:
    """The invitation a code names, or None."""
    record = accounts.records.invitation(secret_hash(code)) if code else None
    if record is None:
        return None
    return Invitation(str(record["organisation"]), str(record["role"]), str(record["created_by"]),
                      float(record["expires_at"]), record.get("used_at") is not None)


def accept_invitation(accounts: AccountStore, code: str, username: str, password: str) -> User:
    """Use an invitation once: create the account with its organisation and role.

    Raises :class:`~graphsvc.errors.InvalidInput` for a short password or a bad user name (the
    invitation stays usable), :class:`~graphsvc.errors.NotFound` when the link is unknown, used
    or expired, and :class:`~graphsvc.errors.Conflict` when the user name is taken.
    """
    check_username(username)
    check_password(password)
    if accounts.records.user_by_name(username) is not None:
        raise Conflict(f"There is already a user named {username!r}.")
    record = accounts.records.use_invitation(secret_hash(code), time.time()) if code else None
    if record is None:
        raise NotFound("This invitation link is not valid: it was used already or has expired.")
    return accounts.add_user(username, password, str(record["role"]), [str(record["organisation"])])
