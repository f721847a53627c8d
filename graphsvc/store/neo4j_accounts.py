"""Account records in Neo4j: unconnected bookkeeping nodes with labels none of the model's.

Labels: ``GAccount`` (users, ``name_key`` = lower-case name, unique), ``GApiToken``,
``GInvitation``, ``GWebSession``, ``GAudit`` (numbered by ``id``), ``GCounter`` and ``GMark``;
``GAccountSeq`` numbers users and audit entries. Like ``GNode`` and ``GMeta`` they are never
part of the graph a snapshot, an export or a migration of the graph reads.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Final, LiteralString

from neo4j import RoutingControl
from neo4j import exceptions as neo4j_errors

from graphsvc.errors import Conflict
from graphsvc.store.accounts_base import AccountRecords, Record

if TYPE_CHECKING:
    from graphsvc.store.neo4j import Neo4jStore

__all__ = ["Neo4jAccounts"]

SCHEMA: Final[tuple[LiteralString, ...]] = (
    "CREATE CONSTRAINT goudkaart_account_name IF NOT EXISTS FOR (u:GAccount) REQUIRE u.name_key IS UNIQUE",
    "CREATE CONSTRAINT goudkaart_account_id IF NOT EXISTS FOR (u:GAccount) REQUIRE u.id IS UNIQUE",
    "CREATE CONSTRAINT goudkaart_api_token IF NOT EXISTS FOR (t:GApiToken) REQUIRE t.token_hash IS UNIQUE",
    "CREATE INDEX goudkaart_api_token_user IF NOT EXISTS FOR (t:GApiToken) ON (t.user_id)",
    "CREATE CONSTRAINT goudkaart_invitation IF NOT EXISTS FOR (i:GInvitation) REQUIRE i.token_hash IS UNIQUE",
    "CREATE CONSTRAINT goudkaart_web_session IF NOT EXISTS FOR (s:GWebSession) REQUIRE s.sid_hash IS UNIQUE",
    "CREATE INDEX goudkaart_web_session_user IF NOT EXISTS FOR (s:GWebSession) ON (s.user_id)",
    "CREATE CONSTRAINT goudkaart_audit_id IF NOT EXISTS FOR (a:GAudit) REQUIRE a.id IS UNIQUE",
    "CREATE INDEX goudkaart_audit_target IF NOT EXISTS FOR (a:GAudit) ON (a.target)",
    "CREATE CONSTRAINT goudkaart_counter IF NOT EXISTS FOR (c:GCounter) REQUIRE c.key IS UNIQUE",
    "CREATE CONSTRAINT goudkaart_mark IF NOT EXISTS FOR (m:GMark) REQUIRE m.key IS UNIQUE",
    "CREATE CONSTRAINT goudkaart_account_seq IF NOT EXISTS FOR (s:GAccountSeq) REQUIRE s.key IS UNIQUE",
)
_USER_FIELDS: Final = (
    "u.id AS id, u.username AS username, u.role AS role, u.organisations AS organisations, "
    "u.password_hash AS password_hash, u.created_at AS created_at, u.disabled AS disabled"
)
ADD_USER: Final = (
    "MERGE (s:GAccountSeq {key: 'user'}) SET s.n = coalesce(s.n, 0) + 1 "
    "CREATE (u:GAccount {id: s.n, username: $username, name_key: toLower($username), role: $role, "
    "organisations: $organisations, password_hash: $password_hash, created_at: $created_at, "
    "disabled: $disabled}) RETURN u.id AS id"
)
USER: Final = "MATCH (u:GAccount {id: $id}) RETURN " + _USER_FIELDS
USER_BY_NAME: Final = "MATCH (u:GAccount {name_key: toLower($username)}) RETURN " + _USER_FIELDS
USERS: Final = "MATCH (u:GAccount) RETURN " + _USER_FIELDS + " ORDER BY u.name_key"
UPDATE_USER: Final = "MATCH (u:GAccount {id: $id}) SET u += $changes"
ADD_TOKEN: Final = (
    "MERGE (t:GApiToken {token_hash: $token_hash}) "
    "ON CREATE SET t.user_id = $user_id, t.name = $name, t.created_at = $created_at"
)
TOKEN_USER: Final = (
    "MATCH (t:GApiToken {token_hash: $token_hash}) MATCH (u:GAccount {id: t.user_id}) RETURN " + _USER_FIELDS
)
DELETE_TOKENS: Final = "MATCH (t:GApiToken {user_id: $user_id}) DELETE t RETURN count(*) AS n"
TOKENS: Final = (
    "MATCH (t:GApiToken) RETURN t.token_hash AS token_hash, t.user_id AS user_id, t.name AS name, "
    "t.created_at AS created_at"
)
_INVITATION_FIELDS: Final = (
    "i.token_hash AS token_hash, i.organisation AS organisation, i.role AS role, "
    "i.created_by AS created_by, i.created_at AS created_at, i.expires_at AS expires_at, "
    "i.used_at AS used_at"
)
ADD_INVITATION: Final = "CREATE (i:GInvitation) SET i = $invitation"
INVITATION: Final = "MATCH (i:GInvitation {token_hash: $token_hash}) RETURN " + _INVITATION_FIELDS
# SET takes the node's write lock; the second of two racing callers sees used_at and gets nothing
USE_INVITATION: Final = (
    "MATCH (i:GInvitation {token_hash: $token_hash}) SET i._lock = true REMOVE i._lock "
    "WITH i WHERE i.used_at IS NULL AND i.expires_at > $now SET i.used_at = $now "
    "RETURN " + _INVITATION_FIELDS
)
ADD_SESSION: Final = "CREATE (s:GWebSession) SET s = $session"
# a session with its account (null when there is none), in one round trip: a request looks up both
SESSION: Final = (
    "MATCH (s:GWebSession {sid_hash: $sid_hash}) OPTIONAL MATCH (u:GAccount {id: s.user_id}) "
    "RETURN s.sid_hash AS sid_hash, s.user_id AS user_id, s.created_at AS created_at, s.seen_at AS seen_at, "
    "CASE WHEN u IS NULL THEN null ELSE u {.id, .username, .role, .organisations, .password_hash, "
    ".created_at, .disabled} END AS account"
)
TOUCH_SESSION: Final = "MATCH (s:GWebSession {sid_hash: $sid_hash}) SET s.seen_at = $now"
END_SESSION: Final = "MATCH (s:GWebSession {sid_hash: $sid_hash}) DELETE s RETURN count(*) AS n"
END_USER_SESSIONS: Final = "MATCH (s:GWebSession {user_id: $user_id}) DELETE s RETURN count(*) AS n"
END_IDLE_SESSIONS: Final = "MATCH (s:GWebSession) WHERE s.seen_at < $before DELETE s RETURN count(*) AS n"
APPEND_AUDIT: Final = (
    "MERGE (s:GAccountSeq {key: 'audit'}) SET s.n = coalesce(s.n, 0) + 1 "
    "CREATE (a:GAudit {id: s.n}) SET a += $entry"
)
_AUDIT_FIELDS: Final = (
    "a.id AS id, a.at AS at, a.username AS username, a.role AS role, a.action AS action, "
    "a.target AS target, a.fields AS fields, a.detail AS detail"
)
AUDIT: Final = (
    "MATCH (a:GAudit) WHERE $target IS NULL OR a.target = $target RETURN " + _AUDIT_FIELDS
    + " ORDER BY a.id DESC SKIP $offset LIMIT $limit"
)
HIT: Final = (
    "MERGE (c:GCounter {key: $key}) ON CREATE SET c.start = $now, c.n = 0 "
    "WITH c, c.start <= $now - $window AS over "
    "SET c.n = CASE WHEN over THEN 1 ELSE c.n + 1 END, "
    "c.start = CASE WHEN over THEN $now ELSE c.start END RETURN c.n AS n"
)
COUNT: Final = "MATCH (c:GCounter {key: $key}) WHERE c.start > $now - $window RETURN c.n AS n"
CLEAR: Final = "MATCH (c:GCounter {key: $key}) DELETE c"
FORGET_COUNTERS: Final = "MATCH (c:GCounter) WHERE c.start < $before DELETE c RETURN count(*) AS n"
MARK: Final = "MATCH (m:GMark {key: $key}) RETURN m.value AS value"
SET_MARK: Final = "MERGE (m:GMark {key: $key}) SET m.value = $value"


#: Seconds an account read with its session answers the user() call that follows it.
_READ_WITH_SESSION: Final = 1.0


def _user(record: Any) -> Record:
    user = dict(record)
    user["organisations"] = list(user["organisations"] or [])
    user["disabled"] = bool(user["disabled"])
    return user


class Neo4jAccounts(AccountRecords):
    """Account records as bookkeeping nodes in the store's Neo4j database."""

    def __init__(self, store: Neo4jStore) -> None:
        self._store = store
        self._prepared = False
        self._lock = threading.Lock()
        self._local = threading.local()  # the account read with this thread's last session

    def _query(self, query: LiteralString, *, write: bool = True, **params: Any) -> list[dict[str, Any]]:
        if write:
            self._local.read = None  # an account read with a session is not kept past a write
        store = self._store
        driver = store._ready_driver()
        try:
            if not self._prepared:
                with self._lock:
                    if not self._prepared:
                        for statement in SCHEMA:
                            driver.execute_query(statement, database_=store.database)
                        self._prepared = True
            return driver.execute_query(
                query, params, database_=store.database,
                routing_=RoutingControl.WRITE if write else RoutingControl.READ,
                result_transformer_=lambda result: [r.data() for r in result],
            )
        except neo4j_errors.ConstraintError:
            raise
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            raise store._translate(exc) from exc

    def _read(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        return self._query(query, write=False, **params)

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, user: Record) -> int:
        try:
            rows = self._query(ADD_USER, username=user["username"], role=user["role"],
                               organisations=sorted(user["organisations"]),
                               password_hash=user["password_hash"], created_at=user["created_at"],
                               disabled=bool(user.get("disabled")))
        except neo4j_errors.ConstraintError:
            raise Conflict(f"There is already a user named {user['username']!r}.") from None
        return int(rows[0]["id"])

    def user(self, user_id: int) -> Record | None:
        read = getattr(self._local, "read", None)
        if read is not None:
            self._local.read = None  # answers once
            if read[0] == user_id and time.monotonic() - read[2] < _READ_WITH_SESSION:
                return dict(read[1])
        rows = self._read(USER, id=user_id)
        return _user(rows[0]) if rows else None

    def user_by_name(self, username: str) -> Record | None:
        rows = self._read(USER_BY_NAME, username=username)
        return _user(rows[0]) if rows else None

    def users(self) -> list[Record]:
        return [_user(r) for r in self._read(USERS)]

    def update_user(self, user_id: int, changes: Record) -> None:
        allowed = {"role", "organisations", "disabled", "password_hash"}
        if set(changes) - allowed:
            raise ValueError(f"cannot change {sorted(set(changes) - allowed)} of a user")
        values = dict(changes)
        if "organisations" in values:
            values["organisations"] = sorted(values["organisations"])
        self._query(UPDATE_USER, id=user_id, changes=values)

    # -- tokens ----------------------------------------------------------------------------------
    def add_token(self, token: Record) -> None:
        self._query(ADD_TOKEN, **{k: token[k] for k in ("token_hash", "user_id", "name", "created_at")})

    def token_user(self, token_hash: str) -> Record | None:
        rows = self._read(TOKEN_USER, token_hash=token_hash)
        return _user(rows[0]) if rows else None

    def delete_tokens(self, user_id: int) -> int:
        return int(self._query(DELETE_TOKENS, user_id=user_id)[0]["n"])

    def tokens(self) -> list[Record]:
        return self._read(TOKENS)

    # -- invitations -----------------------------------------------------------------------------
    def add_invitation(self, invitation: Record) -> None:
        self._query(ADD_INVITATION, invitation={k: v for k, v in invitation.items() if v is not None})

    def invitation(self, token_hash: str) -> Record | None:
        rows = self._read(INVITATION, token_hash=token_hash)
        return rows[0] if rows else None

    def use_invitation(self, token_hash: str, now: float) -> Record | None:
        rows = self._query(USE_INVITATION, token_hash=token_hash, now=now)
        return rows[0] if rows else None

    # -- sessions --------------------------------------------------------------------------------
    def add_session(self, session: Record) -> None:
        self._query(ADD_SESSION, session=dict(session))

    def session(self, sid_hash: str) -> Record | None:
        """The session; its account comes in the same round trip and is what the next
        :meth:`user` call for that account in this thread answers (within a second)."""
        rows = self._read(SESSION, sid_hash=sid_hash)
        if not rows:
            return None
        row = rows[0]
        account = row.pop("account")
        if account is not None:
            self._local.read = (account["id"], _user(account), time.monotonic())
        return row

    def touch_session(self, sid_hash: str, now: float) -> None:
        self._query(TOUCH_SESSION, sid_hash=sid_hash, now=now)

    def end_sessions(self, *, sid_hash: str | None = None, user_id: int | None = None,
                     idle_before: float | None = None) -> int:
        if sid_hash is not None:
            rows = self._query(END_SESSION, sid_hash=sid_hash)
        elif user_id is not None:
            rows = self._query(END_USER_SESSIONS, user_id=user_id)
        elif idle_before is not None:
            rows = self._query(END_IDLE_SESSIONS, before=idle_before)
        else:
            return 0
        return int(rows[0]["n"])

    # -- audit -----------------------------------------------------------------------------------
    def append_audit(self, entry: Record) -> None:
        values = {k: entry[k] for k in ("at", "username", "role", "action", "target", "detail")}
        values["fields"] = sorted(entry["fields"])
        self._query(APPEND_AUDIT, entry=values)

    def audit(self, *, target: str | None, limit: int, offset: int) -> list[Record]:
        rows = self._read(AUDIT, target=target or None, limit=limit, offset=offset)
        for row in rows:
            row["fields"] = list(row["fields"] or [])
        return rows

    # -- counters --------------------------------------------------------------------------------
    def hit(self, key: str, window: float, now: float) -> int:
        return int(self._query(HIT, key=key, window=float(window), now=float(now))[0]["n"])

    def count(self, key: str, window: float, now: float) -> int:
        rows = self._read(COUNT, key=key, window=float(window), now=float(now))
        return int(rows[0]["n"]) if rows else 0

    def clear(self, key: str) -> None:
        self._query(CLEAR, key=key)

    def forget_counters(self, before: float) -> int:
        return int(self._query(FORGET_COUNTERS, before=float(before))[0]["n"])

    # -- marks -----------------------------------------------------------------------------------
    def mark(self, key: str) -> str | None:
        rows = self._read(MARK, key=key)
        return str(rows[0]["value"]) if rows else None

    def set_mark(self, key: str, value: str) -> None:
        self._query(SET_MARK, key=key, value=value)
