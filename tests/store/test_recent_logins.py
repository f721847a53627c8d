"""Logins remembered for read requests (both stores): used within the bound, ended at once by a
logout, a new role, a revocation on this server, and still expiring on time."""

from __future__ import annotations

from graphsvc.access.accounts import SESSION_IDLE, AccountStore
from graphsvc.access.recent import RecentLookups
from graphsvc.store import GraphStore
from tests.conftest import PASSWORD


def test_a_read_uses_the_remembered_session_a_write_asks_the_store(store: GraphStore) -> None:
    here, elsewhere = AccountStore(store, freshness=60), AccountStore(store)
    user = here.add_user("ayse", PASSWORD, "coach", ["org-1"])
    sid = here.start_session(user).session_id
    assert here.user_for_session(sid, recent=True) is not None  # asked, and remembered
    elsewhere.end_sessions(user.id)  # another app server logs the account out
    remembered = here.user_for_session(sid, recent=True)
    assert remembered is not None and remembered.session_id == sid  # a read within the bound
    assert here.user_for_session(sid) is None  # a state-changing request asks: ended
    assert here.user_for_session(sid, recent=True) is None  # and what it learnt is kept


def test_a_remembered_session_still_expires_on_time(store: GraphStore) -> None:
    now = [1_000_000.0]
    accounts = AccountStore(store, clock=lambda: now[0], freshness=60)
    user = accounts.add_user("bram", PASSWORD, "member")
    sid = accounts.start_session(user).session_id
    assert accounts.user_for_session(sid, recent=True) is not None
    now[0] += SESSION_IDLE + 1  # idle too long (the remembered entry itself is seconds old)
    assert accounts.user_for_session(sid, recent=True) is None
    assert accounts.user_for_session(sid) is None  # and it was ended in the store


def test_logout_role_change_and_revocation_here_end_remembered_logins_at_once(store: GraphStore) -> None:
    accounts = AccountStore(store, freshness=60)
    user = accounts.add_user("funder1", PASSWORD, "funder")
    token = accounts.create_token(user.id)
    sid = accounts.start_session(user).session_id
    for _ in range(2):
        assert accounts.user_for_token(token, recent=True) is not None
        assert accounts.user_for_session(sid, recent=True) is not None
    accounts.update("funder1", role="coach")
    changed = accounts.user_for_session(sid, recent=True)
    assert changed is not None and changed.role == "coach"
    accounts.revoke_tokens(user.id)
    assert accounts.user_for_token(token, recent=True) is None
    accounts.end_session(sid)
    assert accounts.user_for_session(sid, recent=True) is None


def test_without_a_bound_every_read_asks_the_store(store: GraphStore) -> None:
    here, elsewhere = AccountStore(store), AccountStore(store)
    user = here.add_user("carla", PASSWORD, "coach")
    token = here.create_token(user.id)
    sid = here.start_session(user).session_id
    assert here.user_for_session(sid, recent=True) is not None
    assert here.user_for_token(token, recent=True) is not None
    elsewhere.end_sessions(user.id)
    elsewhere.revoke_tokens(user.id)
    assert here.user_for_session(sid, recent=True) is None
    assert here.user_for_token(token, recent=True) is None


def test_an_answer_asked_before_a_logout_is_not_remembered() -> None:
    recent = RecentLookups[str](60)
    asked = recent.asking()  # a read asks the store ...
    recent.drop("s:abc")  # ... while a logout on another thread ends the session
    recent.put("s:abc", "ayse", user_id=1, asked=asked)  # the read's answer is older than that
    assert recent.get("s:abc") is None
    recent.put("s:abc", "ayse", user_id=1, asked=recent.asking())
    assert recent.get("s:abc") == "ayse"
