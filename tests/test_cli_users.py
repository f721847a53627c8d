"""``graphsvc user …`` on both stores: invite, disable, reset-password, revoke-tokens, logout-all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.access.accounts import AccountStore
from graphsvc.access.invitations import accept_invitation
from graphsvc.cli import cli
from graphsvc.model import Node
from graphsvc.store import GraphStore, open_store
from tests.conftest import BACKENDS, PASSWORD


@pytest.fixture(params=BACKENDS)
def cli_store(request: pytest.FixtureRequest, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphStore]:
    """A store the CLI is pointed at by the environment, with one organisation in it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'graph.db'}"
        store = open_store(url)
    else:
        server = request.getfixturevalue("neo4j_server")
        server.clear()
        url, store = server.url, server.store()
        monkeypatch.setenv("GRAPHSVC_NEO4J_USER", server.user)
        monkeypatch.setenv("GRAPHSVC_NEO4J_PASSWORD", server.password)
    monkeypatch.setenv("GRAPHSVC_STORE", url)
    monkeypatch.setenv("GRAPHSVC_ACCOUNTS_DB", str(tmp_path / "no-old-accounts.db"))
    with store.transaction() as tx:
        tx.upsert_node(Node("org-1", "Organisation", {"name": "Al Amal"}))
    yield store
    store.close()


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output


def test_invite_prints_a_one_time_link(cli_store: GraphStore) -> None:
    code, out = _run("user", "invite", "--org", "org-1", "--role", "member",
                     "--base-url", "https://kaart.example/")
    link = re.fullmatch(r"https://kaart\.example/invitation/(\S+)\n", out)
    assert code == 0 and link is not None
    user = accept_invitation(AccountStore(cli_store), link.group(1), "nieuw", PASSWORD)
    assert user.organisations == frozenset({"org-1"})
    code, out = _run("user", "invite", "--org", "org-missing")
    assert code == 1 and out.strip() == "Error: There is no organisation with id 'org-missing'."


def test_disable_reset_revoke_and_logout_all(cli_store: GraphStore) -> None:
    accounts = AccountStore(cli_store)
    user = accounts.add_user("ayse", PASSWORD, "coach", ["org-1"])
    token = accounts.create_token(user.id)
    sessions = [accounts.start_session(user).session_id for _ in range(2)]
    assert _run("user", "logout-all", "ayse") == (0, "Ended 2 session(s) of 'ayse'.\n")
    assert all(accounts.user_for_session(sid) is None for sid in sessions)
    assert _run("user", "revoke-tokens", "ayse") == (0, "Revoked 1 API token(s) of 'ayse'.\n")
    assert accounts.user_for_token(token) is None
    code, out = _run("user", "reset-password", "ayse", "--password-stdin", stdin="short\n")
    assert code == 1 and "at least 10 characters" in out
    session = accounts.start_session(user).session_id
    code, _ = _run("user", "reset-password", "ayse", "--password-stdin", stdin="a new long password\n")
    assert code == 0 and accounts.user_for_session(session) is None
    assert accounts.authenticate("ayse", "a new long password") is not None
    session = accounts.start_session(user).session_id
    assert _run("user", "disable", "ayse")[0] == 0
    assert accounts.user_for_session(session) is None
    assert accounts.authenticate("ayse", "a new long password") is None
    assert _run("user", "enable", "ayse")[0] == 0
    assert accounts.authenticate("ayse", "a new long password") is not None
    code, out = _run("user", "disable", "nobody")
    assert code == 1 and out.strip() == "Error: There is no user named 'nobody'."
    listed = _run("user", "list")[1]
    assert "ayse" in listed and "coach" in listed
