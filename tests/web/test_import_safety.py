"""Uploads that used to end in a 500: bombs, a 300-character file name, a merge of ``[null, null]``.

Every answer is the one JSON error shape (or the error page), the store is unchanged and no
upload folder stays behind.
"""

from __future__ import annotations

import io
import multiprocessing
import tempfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.config import Settings, load_settings
from graphsvc.errors import ImportFailed
from graphsvc.store import GraphStore
from graphsvc.store.sqlite import SQLiteStore
from graphsvc.web.import_worker import run_web_import
from importers.report import ImportRejected
from tests.conftest import csrf_token_from
from tests.importers import bombs


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The upload folder, in this test's own temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / "goudkaart-uploads"


@pytest.fixture
def headers(app: Flask) -> dict[str, str]:
    accounts = app.extensions["goudkaart"].accounts
    token = accounts.create_token(accounts.add_user("steward", "correct horse battery", "admin", []).id, "api")
    return {"Authorization": f"Bearer {token}"}


def _leftovers(uploads: Path) -> list[Path]:
    return list(uploads.iterdir()) if uploads.exists() else []


@pytest.mark.parametrize("build", [bombs.dtd_xlsx, bombs.giant_cell_xlsx, bombs.deep_json_dump,
                                   bombs.deep_json_hsds, bombs.blank_lines_zip, bombs.far_column_xlsx],
                         ids=lambda b: b.__name__)
def test_a_bomb_upload_gets_the_error_shape(build: object, client: FlaskClient, headers: dict[str, str],
                                            seeded: GraphStore, uploads: Path, tmp_path: Path) -> None:
    assert callable(build)
    path = build(tmp_path)
    before = seeded.revision()
    answer = client.post("/api/v1/data/import", headers=headers, content_type="multipart/form-data",
                         data={"file": (path.open("rb"), path.name)})
    body = answer.get_json()
    assert answer.status_code == 400 and set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and path.name in body["error"]
    assert seeded.revision() == before
    assert _leftovers(uploads) == []


def test_a_bomb_in_the_upload_form_gets_the_error_page(app: Flask, client: FlaskClient, login: object,
                                                        seeded: GraphStore, uploads: Path, tmp_path: Path) -> None:
    assert callable(login)
    login("admin")
    path = bombs.dtd_xlsx(tmp_path)
    token = csrf_token_from(client.get("/data").get_data(as_text=True))
    answer = client.post("/data/preview", content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (path.open("rb"), path.name)})
    assert answer.status_code == 400
    assert "DTD" in answer.get_data(as_text=True)
    assert _leftovers(uploads) == []


def test_a_300_character_file_name_is_imported(client: FlaskClient, headers: dict[str, str],
                                               seeded: GraphStore, uploads: Path) -> None:
    name = "o" * 296 + ".csv"
    answer = client.post("/api/v1/data/import", headers=headers, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"id,name,kvk,legal_form\nn-long,Lange Naam,,stichting\n"), name)})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["report"]["created"] == {"Organisation": 1}
    assert seeded.get_node("n-long").name == "Lange Naam"
    assert _leftovers(uploads) == []


@pytest.mark.parametrize("body", [[None, None], "keep", 7, {"keep": None, "drop": None}])
def test_a_merge_of_nonsense_is_a_400(body: object, client: FlaskClient, headers: dict[str, str],
                                      seeded: GraphStore) -> None:
    before = seeded.revision()
    answer = client.post("/api/v1/data/merge", headers=headers, json=body)
    assert answer.status_code == 400
    assert answer.get_json()["ok"] is False and seeded.revision() == before


def _settings_for(store: GraphStore, request: pytest.FixtureRequest) -> Settings:
    if isinstance(store, SQLiteStore):
        return load_settings(environ={}, store=store.url)
    return load_settings(environ={}, **request.getfixturevalue("neo4j_server").settings())


def test_a_web_import_runs_in_a_child_process_on_each_store(store: GraphStore, tmp_path: Path,
                                                            request: pytest.FixtureRequest) -> None:
    settings = _settings_for(store, request)
    path = tmp_path / "organisations.csv"
    path.write_text("id,name\nn1,Een\nn2,Twee\n", encoding="utf-8")
    children_before = {p.pid for p in multiprocessing.active_children()}
    report = run_web_import(settings, store, path, dry_run=False)
    assert report.created == {"Organisation": 2}
    assert store.get_node("n2").name == "Twee"
    assert {p.pid for p in multiprocessing.active_children()} == children_before  # joined
    path.write_text("id,name\nn3,\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="1 error"):
        run_web_import(settings, store, path, dry_run=False)
    refused = bombs.dtd_xlsx(tmp_path)
    with pytest.raises(ImportFailed, match="DTD"):
        run_web_import(settings, store, refused)
    assert store.counts()["nodes"] == {"Organisation": 2}
