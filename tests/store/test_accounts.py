"""Accounts kept in the graph store, on both backends: sessions, invitations, migrate, take-over."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from graphsvc.access.accounts import SESSION_IDLE, SESSION_MAX, AccountStore, secret_hash
from graphsvc.access.accounts_transfer import take_over_accounts_file
from graphsvc.access.audit import AuditLog
from graphsvc.access.invitations import accept_invitation, invitation, invite
from graphsvc.actions.migrate import migrate
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import Node
from graphsvc.store import GraphStore, open_store
from tests.conftest import PASSWORD


def test_sessions_end_after_8_idle_hours_or_30_days(store: GraphStore) -> None:
    now = [1_000_000.0]
    accounts = AccountStore(store, clock=lambda: now[0])
    user = accounts.add_user("ayse", PASSWORD, "coach")
    busy = accounts.start_session(user)
    idle = accounts.start_session(user)
    assert accounts.user_for_session(busy.session_id) == busy
    for _ in range(int(SESSION_MAX // (7 * 3600))):  # used every 7 hours: never idle 8 h
        now[0] += 7 * 3600
        assert accounts.user_for_session(busy.session_id) is not None
    assert accounts.user_for_session(idle.session_id) is None  # idle for 8 h long ago
    now[0] += 7 * 3600  # 30 days after it began, even a busy session ends
    assert accounts.user_for_session(busy.session_id) is None
    fresh = accounts.start_session(user)
    now[0] += SESSION_IDLE - 60
    assert accounts.user_for_session(fresh.session_id) is not None
    assert accounts.user_for_session("not-a-session") is None


def test_an_invitation_is_used_once_and_expires_after_7_days(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(Node("org-1", "Organisation", {"name": "Al Amal"}))
        tx.upsert_node(Node("fund-1", "Fund", {"name": "Buurtfonds"}))
    accounts = AccountStore(store)
    with pytest.raises(InvalidInput, match="no organisation"):
        invite(accounts, store, "org-missing", "member", "cli")
    with pytest.raises(InvalidInput, match="not an organisation"):
        invite(accounts, store, "fund-1", "member", "cli")
    with pytest.raises(InvalidInput, match="member, coach, funder"):
        invite(accounts, store, "org-1", "admin", "cli")
    code = invite(accounts, store, "org-1", "member", "beheer")
    seen = invitation(accounts, code)
    assert seen is not None and seen.organisation == "org-1" and not seen.used
    assert 6.9 * 86400 < seen.expires_at - time.time() <= 7 * 86400
    with pytest.raises(InvalidInput, match="at least 10"):
        accept_invitation(accounts, code, "nieuw", "short")  # refused, the link still works
    user = accept_invitation(accounts, code, "nieuw", PASSWORD)
    assert (user.role, user.organisations) == ("member", frozenset({"org-1"}))
    assert accounts.authenticate("nieuw", PASSWORD) is not None
    with pytest.raises(NotFound, match="used already or has expired"):
        accept_invitation(accounts, code, "nieuw2", PASSWORD)
    taken = invite(accounts, store, "org-1", "member", "beheer")
    with pytest.raises(Conflict):
        accept_invitation(accounts, taken, "NIEUW", PASSWORD)  # names are unique in any case
    # an expired link: the store decides against its own record of the expiry
    assert accounts.records.use_invitation(secret_hash(taken), time.time() + 8 * 86400) is None


def test_migrate_carries_accounts_tokens_and_audit(store: GraphStore, tmp_path: Path) -> None:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    accounts = AccountStore(source)
    user = accounts.add_user("ayse", PASSWORD, "coach", ["org-1"])
    token = accounts.create_token(user.id)
    AuditLog(source).record("ayse", "coach", "view", "org-1", ["capacity"])
    first = migrate(source, store)
    assert (first.users_added, first.tokens_added, first.audit_added) == (1, 1, 1)
    moved = AccountStore(store)
    assert moved.authenticate("ayse", PASSWORD) is not None  # the same password hash
    found = moved.user_for_token(token)
    assert found is not None and found.organisations == frozenset({"org-1"})
    assert [e.target for e in AuditLog(store).entries()] == ["org-1"]
    assert migrate(source, store).changed == 0  # a second run adds nothing
    source.close()


def test_an_old_accounts_file_is_taken_over_once(store: GraphStore, tmp_path: Path) -> None:
    old = tmp_path / "accounts.db"
    conn = sqlite3.connect(old)
    conn.executescript("""
        CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, role TEXT, organisations TEXT,
            password_hash TEXT, created_at TEXT, disabled INTEGER);
        CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER, token_hash TEXT, name TEXT,
            created_at TEXT);
        CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT, username TEXT, role TEXT, action TEXT,
            target TEXT, fields TEXT, detail TEXT);
    """)
    conn.execute("INSERT INTO users VALUES (7, 'bram', 'member', '[\"org-2\"]', ?, '2025-01-01', 0)",
                 (PasswordHasher().hash(PASSWORD),))
    conn.execute("INSERT INTO audit_log VALUES (1, '2025-02-01T00:00:00Z', 'bram', 'member', 'view', "
                 "'org-2', '[\"capacity\"]', '')")
    conn.commit()
    conn.close()
    records = AccountStore(store).records
    assert take_over_accounts_file(records, old) == {"users": 1, "tokens": 0, "audit": 1}
    assert AccountStore(store).authenticate("bram", PASSWORD) is not None
    AccountStore(store).set_password("bram", "a changed password")
    assert take_over_accounts_file(records, old) is None  # once: a later start changes nothing
    assert AccountStore(store).authenticate("bram", "a changed password") is not None
