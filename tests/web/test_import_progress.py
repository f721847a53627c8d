"""Web imports wait their turn in a queue, and /data shows the running one's progress and where
waiting uploads stand (JSON twin: /api/v1/data/imports)."""

from __future__ import annotations

import fcntl
import io
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import load_settings
from graphsvc.store import GraphStore, open_store
from graphsvc.web import import_worker
from graphsvc.web.import_worker import MAX_WAITING, Ticket, queue_root, run_web_import

API = "/api/v1/data/imports"


@pytest.fixture
def queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The queue (and the upload folders) in this test's own temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return queue_root()


@pytest.fixture
def headers(app: Flask) -> dict[str, str]:
    accounts = app.extensions["goudkaart"].accounts
    token = accounts.create_token(accounts.add_user("steward", "correct horse battery", "admin", []).id, "api")
    return {"Authorization": f"Bearer {token}"}


def _ticket(queue: Path, name: str, state: str, *, stage: str = "", done: int = 0, total: int = 0,
            order: int = 0) -> Path:
    """A ticket as another worker's upload writes it (this process stands in for that worker)."""
    ticket = Ticket(f"t{order}", "someone", name, False, state, stage, done, total, time.time(), os.getpid())
    path = queue / f"{order:020d}-{ticket.id}.json"
    path.write_text(json.dumps({**ticket.as_dict(), "pid": ticket.pid}), encoding="utf-8")
    return path


class Running:
    """An import running in another worker: its ticket, and the lock it holds until :meth:`end`."""

    def __init__(self, queue: Path) -> None:
        self.path = _ticket(queue, "groot.xlsx", "running", stage="write", done=3, total=10)
        self.lock: int | None = os.open(queue / "running.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.lock, fcntl.LOCK_EX)

    def end(self) -> None:
        self.path.unlink(missing_ok=True)
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            os.close(self.lock)
            self.lock = None


@pytest.fixture
def running(queue: Path) -> Iterator[Running]:
    other = Running(queue)
    try:
        yield other
    finally:
        other.end()


def _upload(client: FlaskClient, headers: dict[str, str], body: bytes = b"id,name,kvk\nn9,Negen,\n") -> Any:
    return client.post("/api/v1/data/import", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(body), "organisations.csv")})


def test_with_nothing_running_the_page_says_so_in_a_status_region(client: FlaskClient, headers: dict[str, str],
                                                                   queue: Path) -> None:
    state = client.get(API, headers=headers).get_json()
    assert state == {"ok": True, "running": None, "waiting": [], "idle_text": "Er loopt geen import."}
    page = client.get("/data", headers=headers).get_data(as_text=True)
    region = page.split('id="import-queue"')[1].split("</div>")[0]
    assert 'role="status"' in region and 'aria-live="polite"' in region
    assert "Er loopt geen import." in region
    assert 'href="/data#imports"' in page  # without JavaScript: a refresh link
    assert "js/data_progress.js" in page
    english = client.get(f"{API}?lang=en", headers=headers).get_json()
    assert english["idle_text"] == "No import is running."


def test_a_second_upload_waits_its_turn_and_the_page_shows_where_it_stands(
        app: Flask, client: FlaskClient, headers: dict[str, str], seeded: GraphStore, queue: Path,
        running: Running) -> None:
    answers: list[Any] = []
    uploader = app.test_client()
    upload = threading.Thread(target=lambda: answers.append(_upload(uploader, headers)))
    upload.start()
    try:
        deadline = time.monotonic() + 30
        while not (state := client.get(API, headers=headers).get_json())["waiting"]:
            assert time.monotonic() < deadline, "the upload never showed up in the queue"
            time.sleep(0.05)
        assert state["running"] == {"name": "groot.xlsx", "dry_run": False, "stage": "write", "done": 3,
                                    "total": 10, "mine": False,
                                    "text": "Import van groot.xlsx: schrijven, 3 van 10 records klaar."}
        assert state["waiting"] == [{"name": "organisations.csv", "dry_run": False, "position": 1, "mine": True,
                                     "text": "organisations.csv wacht: nummer 1 in de rij."}]
        page = client.get("/data", headers=headers).get_data(as_text=True)
        region = page.split('id="import-queue"')[1].split("</div>")[0]
        assert "Import van groot.xlsx: schrijven, 3 van 10 records klaar." in region
        assert '<progress max="10" value="3"' in region
        assert "organisations.csv wacht: nummer 1 in de rij." in region
        assert not answers and seeded.get_nodes(["n9"]) == {}  # still waiting, nothing written
    finally:
        running.end()  # the other import is done
    upload.join(timeout=60)
    assert answers and answers[0].status_code == 200
    assert seeded.get_node("n9").name == "Negen"


def test_a_full_queue_is_told_to_try_again_and_nothing_stays_behind(
        client: FlaskClient, headers: dict[str, str], seeded: GraphStore, queue: Path, running: Running) -> None:
    for i in range(MAX_WAITING):
        _ticket(queue, f"wacht-{i}.csv", "waiting", order=i + 1)
    before = seeded.revision()
    answer = _upload(client, headers)
    body = answer.get_json()
    assert answer.status_code == 409 and set(body) == {"ok", "error", "errors", "status"}
    assert "Too many imports are waiting" in body["error"]
    assert seeded.revision() == before
    assert not list((queue.parent / "goudkaart-uploads").iterdir())
    assert len(list(queue.glob("*.json"))) == MAX_WAITING + 1  # its own ticket is gone


def test_a_ticket_of_a_worker_that_died_is_forgotten(queue: Path) -> None:
    path = _ticket(queue, "wees.csv", "running", stage="check")
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "pid": 2**22 + 12345}))  # no such process
    assert import_worker.queue_state().running is None and not path.exists()


def test_the_running_ticket_goes_through_each_stage_with_records_done_of_total(
        tmp_path: Path, queue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str, int, int]] = []
    write = import_worker._write

    def spy(path: Path, ticket: Ticket) -> None:
        seen.append((ticket.state, ticket.stage, ticket.done, ticket.total))
        write(path, ticket)

    monkeypatch.setattr(import_worker, "_write", spy)
    store = open_store("sqlite:///:memory:")
    csv = tmp_path / "organisations.csv"
    csv.write_text("id,name\n" + "".join(f"o{i},Organisatie {i}\n" for i in range(50)), encoding="utf-8")
    settings = load_settings(environ={}, store="sqlite:///:memory:")
    report = run_web_import(settings, store, csv, user="steward", name="organisations.csv")
    assert report.created == {"Organisation": 50}
    assert seen[:3] == [("waiting", "", 0, 0), ("running", "read", 0, 0), ("running", "read", 0, 0)]
    assert ("running", "check", 0, 0) in seen and ("running", "write", 0, 50) in seen
    assert seen[-1] == ("running", "write", 50, 50)
    assert not list(queue.glob("*.json"))  # done: off the queue
