"""The restore drill: a backup taken while a writer writes restores into an empty store of either
kind with every record, version, tie event, change-log entry and account; damaged files are refused."""

from __future__ import annotations

import json
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.access.accounts import AccountStore
from graphsvc.actions.backup import backup, read_manifest, restore
from graphsvc.cli import cli
from graphsvc.config import load_settings
from graphsvc.errors import Conflict, InvalidInput
from graphsvc.model import Node
from graphsvc.store import GraphStore, open_store
from graphsvc.web import create_app
from tests.conftest import PASSWORD
from tests.store.test_migrate import dump, fill

WRITER_PREFIX = "community-written-during-backup-"
API_SAMPLE = [
    "/api/v1/organisations/org-al-amal-west",
    "/api/v1/organisations/org-al-amal-west/matches",
    "/api/v1/areas/E/islands",
    "/api/v1/areas/WK0363FC/agenda",
    "/api/v1/clusters",
    "/api/v1/funding/flows",
]


class Writer(threading.Thread):
    """Adds one Community node per transaction until stopped: writes that go on during a backup."""

    def __init__(self, store: GraphStore) -> None:
        super().__init__(daemon=True)
        self.store, self.written, self.stop = store, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            with self.store.transaction(source="writer") as tx:
                tx.upsert_node(Node(f"{WRITER_PREFIX}{self.written + 1:05d}", "Community",
                                    {"name": f"Groep {self.written + 1}"}))
            self.written += 1


def _without_writer(content: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {
        "nodes": [n for n in content["nodes"] if not n[0].startswith(WRITER_PREFIX)],
        "relationships": content["relationships"],
        "tie_events": content["tie_events"],
        "changes": [c for c in content["changes"] if c["source"] != "writer"],
    }


def _writer_ids(store: GraphStore) -> list[str]:
    return sorted(n.id for n in store.iter_nodes("Community") if n.id.startswith(WRITER_PREFIX))


def _add_accounts(store: GraphStore) -> str:
    """Two accounts and an API token in the store; returns the token."""
    accounts = AccountStore(store)
    admin = accounts.add_user("beheer", PASSWORD, "admin", [])
    accounts.add_user("lid-al-amal", PASSWORD, "member", ["org-al-amal-west"])
    return accounts.create_token(admin.id, "scripts")


def _answers(store: GraphStore, token: str) -> dict[str, Any]:
    settings = load_settings(environ={}, store=store.url, testing=True, secret_key="s")
    client = create_app(settings, store=store).test_client()
    out = {}
    for path in API_SAMPLE:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        body = response.get_json()
        body.pop("revision", None)
        out[path] = body
    return out


def _target(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> GraphStore:
    if kind == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    return request.getfixturevalue("neo4j_store")


@pytest.mark.parametrize(("source_kind", "target_kind"), [
    ("sqlite", "sqlite"),
    pytest.param("sqlite", "neo4j", marks=pytest.mark.neo4j),
    pytest.param("neo4j", "sqlite", marks=pytest.mark.neo4j),
])
def test_a_backup_taken_during_writes_restores_everything(
        source_kind: str, target_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if source_kind == "sqlite":
        source = fill(open_store(f"sqlite:///{tmp_path / 'source.db'}"))
    else:
        source = fill(request.getfixturevalue("neo4j_store"))
    token = _add_accounts(source)
    before = dump(source)
    expected_answers = _answers(source, token)
    writer = Writer(source)
    writer.start()
    try:
        manifest = backup(source, tmp_path / "nightly.zip")
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.written >= 1, "the writer wrote nothing while the backup ran"
    assert manifest.counts["accounts"] == 2 and manifest.counts["tie_events"] == len(before["tie_events"])

    target = _target(target_kind, tmp_path, request)
    restore(tmp_path / "nightly.zip", target)
    after = dump(target)
    # the backup is one consistent moment: the writer's nodes are a gap-free prefix of what it wrote
    held = _writer_ids(target)
    assert held == [f"{WRITER_PREFIX}{i:05d}" for i in range(1, len(held) + 1)]
    assert len([c for c in after["changes"] if c["source"] == "writer"]) == len(held)
    # everything else: every node, relationship, version, timestamp, tie event and log entry
    assert _without_writer(after) == before
    # accounts: a login and an API token work as before, and the API answers as before
    restored = AccountStore(target)
    assert restored.authenticate("lid-al-amal", PASSWORD) is not None
    assert restored.authenticate("lid-al-amal", "not the password") is None
    assert restored.user_for_token(token) is not None
    assert _answers(target, token) == expected_answers
    if target_kind == "sqlite":
        target.close()
    if source_kind == "sqlite":
        source.close()


def test_an_open_meeting_can_undo_its_last_change_after_a_restore(tmp_path: Path) -> None:
    """The meeting's undo stack holds tie versions: restored versions must be the same."""
    from graphsvc.actions.sessions import open_session, record_tie, undo_last

    source = fill(open_store(f"sqlite:///{tmp_path / 'source.db'}"))
    session = open_session(source, "WK0363FC", name="Wijktafel")
    record_tie(source, session.id, "org-al-amal-west", "org-extra", 2)
    record_tie(source, session.id, "org-al-amal-west", "org-extra", 4)
    backup(source, tmp_path / "b.zip")
    target = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    restore(tmp_path / "b.zip", target)
    undone = undo_last(target, session.id)
    assert (undone.old_rung, undone.new_rung) == (4, 2)
    assert target.get_relationship("TIE", "org-al-amal-west", "org-extra").props["rung"] == 2
    source.close()
    target.close()


# -- damaged, foreign and misplaced files -------------------------------------------------------


@pytest.fixture
def good_backup(tmp_path: Path) -> Path:
    source = open_store(f"sqlite:///{tmp_path / 'source.db'}")
    with source.transaction() as tx:
        for i in range(50):
            tx.upsert_node(Node(f"o{i}", "Organisation", {"name": f"Organisatie {i}"}))
    backup(source, tmp_path / "good.zip")
    source.close()
    return tmp_path / "good.zip"


def _rewrite(source: Path, target: Path, change: Any) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return target


def _flip_byte(name: str, data: bytes) -> bytes:
    if name != "graph.db":
        return data
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


def _wrong_counts(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["counts"]["nodes"] = {"Organisation": 49}
    return json.dumps(manifest).encode()


def _foreign_format(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    return json.dumps({**json.loads(data), "format": "something-else"}).encode()


DAMAGES = {
    "truncated": (lambda good, bad: bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2]),
                  "damaged"),
    "a byte changed in the graph": (lambda good, bad: _rewrite(good, bad, _flip_byte), "checksum"),
    "no manifest": (lambda good, bad: _rewrite(good, bad, lambda n, d: None if n == "manifest.json" else d),
                    "not a Goudkaart backup"),
    "another format": (lambda good, bad: _rewrite(good, bad, _foreign_format), "not a Goudkaart backup"),
    "counts that do not match": (lambda good, bad: _rewrite(good, bad, _wrong_counts),
                                 "other nodes than its manifest"),
    "not a zip at all": (lambda good, bad: bad.write_text("id,name\n1,Al Amal\n"), "not a Goudkaart backup"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_or_foreign_file_is_refused_and_nothing_is_written(
        damage: str, good_backup: Path, tmp_path: Path) -> None:
    make, expected = DAMAGES[damage]
    bad = tmp_path / "bad.zip"
    make(good_backup, bad)
    target_path = tmp_path / "target.db"
    opened: list[GraphStore] = []

    def target() -> GraphStore:
        opened.append(open_store(f"sqlite:///{target_path}"))
        return opened[0]

    with pytest.raises(InvalidInput, match=expected):
        restore(bad, target)
    assert not opened and not target_path.exists()


def test_a_store_that_holds_data_is_refused(good_backup: Path, tmp_path: Path) -> None:
    target = open_store(f"sqlite:///{tmp_path / 'busy.db'}")
    with target.transaction() as tx:
        tx.upsert_node(Node("mine", "Organisation", {"name": "Al bestaand"}))
    revision = target.revision()
    with pytest.raises(Conflict, match="already holds data"):
        restore(good_backup, target)
    assert target.revision() == revision and [n.id for n in target.iter_nodes()] == ["mine"]
    target.close()
    with_accounts = open_store(f"sqlite:///{tmp_path / 'accounts-only.db'}")
    AccountStore(with_accounts).add_user("beheer", PASSWORD, "admin", [])
    with pytest.raises(Conflict, match="accounts"):
        restore(good_backup, with_accounts)
    assert with_accounts.is_empty()
    with_accounts.close()


def test_the_cli_backs_up_and_restores_with_one_line_each(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_STORE", f"sqlite:///{tmp_path / 'g.db'}")
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--no-serve"]).exit_code == 0
    made = runner.invoke(cli, ["backup", str(tmp_path / "b.zip"), "-q"])
    assert made.exit_code == 0 and "Backed up" in made.output, made.output
    assert read_manifest(tmp_path / "b.zip").counts["nodes"]["Organisation"] == 128
    checked = runner.invoke(cli, ["restore", str(tmp_path / "b.zip"), "--check"])
    assert checked.exit_code == 0 and "complete backup" in checked.output
    again = runner.invoke(cli, ["restore", str(tmp_path / "b.zip"), "-q"])
    assert again.exit_code == 1 and "already holds data" in again.output
    assert "Traceback" not in again.output
    fresh = runner.invoke(cli, ["restore", str(tmp_path / "b.zip"), "-q", "--to",
                                f"sqlite:///{tmp_path / 'new.db'}"])
    assert fresh.exit_code == 0 and "Restored" in fresh.output, fresh.output
    (tmp_path / "junk.zip").write_text("no backup")
    junk = runner.invoke(cli, ["restore", str(tmp_path / "junk.zip"), "--to",
                               f"sqlite:///{tmp_path / 'never.db'}"])
    assert junk.exit_code == 1 and "not a Goudkaart backup" in junk.output
    assert not (tmp_path / "never.db").exists()


def test_scheduled_backups_go_into_a_folder_and_are_rotated(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_STORE", f"sqlite:///{tmp_path / 'g.db'}")
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 21):  # twenty older nightly backups, and a file that is not one
        (folder / f"goudkaart-2026-11-{day:02d}T020000Z.zip").write_bytes(b"old")
    (folder / "notes.txt").write_text("keep me")
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    with store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal"}))
    store.close()
    result = CliRunner().invoke(cli, ["backup", "--into", str(folder), "--keep-daily", "3",
                                      "--keep-weekly", "2", "-q"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    newest = [n for n in names if n.startswith("goudkaart-") and "2026-11" not in n]
    assert len(newest) == 1 and read_manifest(folder / newest[0]).counts["nodes"] == {"Organisation": 1}
    # three days (today, 20 and 19 November) and two weeks (this one and the week of 16 November)
    assert [n for n in names if "2026-11" in n] == ["goudkaart-2026-11-19T020000Z.zip",
                                                    "goudkaart-2026-11-20T020000Z.zip"]
    assert "notes.txt" in names
    usage = CliRunner().invoke(cli, ["backup"])
    assert usage.exit_code != 0 and "either FILE or --into" in usage.output
