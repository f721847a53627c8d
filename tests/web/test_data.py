"""The data steward's pages: upload → preview → confirm, errors without writing, templates,
exports per role, duplicates and merging, and their JSON twins."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graphsvc.store import GraphStore
from importers.files import import_file
from tests.conftest import csrf_token_from
from tests.importers.conftest import INDIGO

ORGS = b"id,name,kvk,areas\nn1,Stichting Nieuw,12345678,WK0363EM\nn2,Stichting Al Amal Wes,,E\n"


def _csrf(client: FlaskClient) -> str:
    return csrf_token_from(client.get("/data").get_data(as_text=True))


def _upload(client: FlaskClient, data: bytes, name: str, **extra: Any) -> Any:
    form = {"csrf_token": _csrf(client), "file": (io.BytesIO(data), name), **extra}
    return client.post("/data/preview", data=form, content_type="multipart/form-data")


def test_only_admins_reach_the_data_pages(client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    assert client.get("/data").status_code == 302  # the public is sent to the login page
    login("coach", orgs=["org-amal"])
    assert client.get("/data").status_code == 403
    assert client.get("/data/duplicates").status_code == 403
    assert "/data" not in client.get("/").get_data(as_text=True).split("<main")[0]


def test_admin_sees_the_nav_link_and_the_page(client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    login("admin")
    page = client.get("/data").get_data(as_text=True)
    assert 'href="/data"' in client.get("/").get_data(as_text=True)
    assert "template.xlsx" in page and 'enctype="multipart/form-data"' in page


def test_upload_preview_then_confirm(client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    login("admin")
    revision = seeded.revision()
    preview = _upload(client, ORGS, "organisations.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and seeded.revision() == revision
    assert "Stichting Al Amal Wes" in html and "org-amal" in html  # listed as a near-duplicate
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token
    done = client.post("/data/confirm", data={"csrf_token": _csrf(client), "token": token.group(1),
                                              "format": "auto"})
    assert done.status_code == 200 and seeded.revision() == revision + 1
    assert seeded.get_node("n1").props["kvk"] == "12345678"
    again = client.post("/data/confirm", data={"csrf_token": _csrf(client), "token": token.group(1)})
    assert again.status_code == 404  # the upload is gone once imported


def test_a_broken_upload_lists_every_error_and_writes_nothing(client: FlaskClient, login: Any,
                                                              seeded: GraphStore) -> None:
    login("admin")
    before = (seeded.revision(), seeded.counts())
    response = _upload(client, b"actor_a,actor_b,rung\norg-amal,org-kadin,8\norg-amal,nobody,2\n",
                       "ties.csv", format="tabular")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and (seeded.revision(), seeded.counts()) == before
    assert "Trede &#39;8&#39; bestaat niet" in html and "&#39;nobody&#39; bestaat niet" in html
    assert 'name="token"' not in html and "Traceback" not in html


def test_an_upload_without_csrf_token_is_refused(client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    login("admin")
    response = client.post("/data/preview", data={"file": (io.BytesIO(ORGS), "o.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_an_oversize_upload_gets_a_clear_message(app: Flask, client: FlaskClient, login: Any,
                                                 seeded: GraphStore) -> None:
    login("admin")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _upload(client, b"x" * 5000, "big.csv")
    assert response.status_code == 413 and "te groot" in response.get_data(as_text=True)


def test_template_downloads(client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    login("admin")
    workbook = client.get("/data/template.xlsx")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    sheet = client.get("/data/template/banden.csv")
    assert sheet.status_code == 200 and sheet.data.decode("utf-8-sig").startswith("actor_a")
    assert client.get("/data/template/nothing.csv").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "kumu", "csv", "xlsx"])
def test_exports_download_for_the_admin(client: FlaskClient, login: Any, seeded: GraphStore, fmt: str) -> None:
    login("admin")
    response = client.get(f"/data/export/{fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]


def test_a_coach_export_holds_confidential_fields_only_of_their_own_organisations(
        client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    login("coach", orgs=["org-amal"])
    dump = json.loads(client.get("/data/export/json").data)
    assert all("contact_persons" not in n["props"] and "capacity" not in n["props"]
               for n in dump["nodes"] if n["id"] == "org-xss")
    assert client.get("/data/export/pdf").status_code == 404


def test_duplicates_page_and_merge(client: FlaskClient, login: Any, seeded: GraphStore,
                                  tmp_path: Path) -> None:
    login("admin")
    path = tmp_path / "organisations.csv"
    path.write_bytes(b"id,name\norg-amal-2,Stichting Al Amal West\n")
    import_file(seeded, path)
    page = client.get("/data/duplicates").get_data(as_text=True)
    assert "org-amal-2" in page and "/data/merge?keep=org-amal" in page
    compare = client.get("/data/merge?keep=org-amal&drop=org-amal-2")
    assert compare.status_code == 200 and "Stichting Al Amal West" in compare.get_data(as_text=True)
    merged = client.post("/data/merge", data={"csrf_token": _csrf(client), "keep": "org-amal",
                                              "drop": "org-amal-2"})
    assert merged.status_code == 200
    assert seeded.get_node("org-amal").props["merged_from"] == ["org-amal-2"]


@pytest.mark.testdata
def test_json_twins_with_an_api_token(app: Flask, client: FlaskClient, seeded: GraphStore) -> None:
    accounts = app.extensions["goudkaart"].accounts
    user = accounts.add_user("steward", "correct horse battery", "admin", [])
    token = accounts.create_token(user.id, "api")
    headers = {"Authorization": f"Bearer {token}"}
    revision = seeded.revision()
    dry = client.post("/api/v1/data/import?dry_run=1", headers=headers,
                      data={"file": (INDIGO.open("rb"), "indigo.json")}, content_type="multipart/form-data")
    body = dry.get_json()
    assert dry.status_code == 200 and body["ok"] and body["report"]["created"]["FUNDS"] == 269
    assert seeded.revision() == revision
    bad = client.post("/api/v1/data/import", headers=headers,
                      data={"file": (io.BytesIO(b"actor_a,actor_b,rung\nx,y,9\n"), "ties.csv")},
                      content_type="multipart/form-data")
    error = bad.get_json()
    assert bad.status_code == 400 and error["ok"] is False and error["status"] == 400
    assert any("row 2, column rung" in line or "rij 2, kolom rung" in line for line in error["errors"])
    assert client.get("/api/v1/data/duplicates", headers=headers).get_json()["ok"] is True
    merge = client.post("/api/v1/data/merge", headers=headers, json={"keep": "org-amal", "drop": "org-amal"})
    assert merge.status_code == 400 and merge.get_json()["ok"] is False


BAD_GRANT = b"fund,organisation,grant_id,amount,year,status\nfund-a,org-amal,G-9,12500,2025,misschien\n"
BAD_WEIGHT = (b'<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
              b'<key id="label" for="node" attr.name="label" attr.type="string"/>'
              b'<key id="name" for="node" attr.name="name" attr.type="string"/>'
              b'<key id="type" for="edge" attr.name="type" attr.type="string"/>'
              b'<key id="weight" for="edge" attr.name="weight" attr.type="string"/>'
              b'<graph edgedefault="directed"><node id="org-amal"><data key="label">Organisation</data>'
              b'<data key="name">Stichting Al Amal West</data></node>'
              b'<node id="taal"><data key="label">Interest</data><data key="name">Taal</data></node>'
              b'<edge source="org-amal" target="taal"><data key="type">WORKS_ON</data>'
              b'<data key="weight">abc</data></edge></graph></graphml>')


@pytest.mark.parametrize(("data", "name", "where", "message"), [
    (BAD_GRANT, "funding.csv", "funding.csv, blad funding, rij 2, kolom status",
     "'misschien' is not a known grant status"),
    (BAD_WEIGHT, "map.graphml", "map.graphml, verbinding 1, kenmerk weight",
     "The weight must be a whole number from 1 to 3, not 'abc'."),
])
def test_the_api_refuses_a_bad_property_with_400_and_writes_nothing(
        app: Flask, client: FlaskClient, seeded: GraphStore, data: bytes, name: str, where: str,
        message: str) -> None:
    accounts = app.extensions["goudkaart"].accounts
    token = accounts.create_token(accounts.add_user("steward", "correct horse battery", "admin", []).id, "api")
    before = (seeded.revision(), seeded.counts())
    response = client.post("/api/v1/data/import", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 400 and set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == 400 and "nothing was written" in body["error"]
    assert len(body["errors"]) == 1 and body["errors"][0].startswith(where) and message in body["errors"][0]
    assert (seeded.revision(), seeded.counts()) == before


def test_the_upload_form_shows_a_bad_grant_status_in_dutch_first(client: FlaskClient, login: Any,
                                                                 seeded: GraphStore) -> None:
    login("admin")
    before = (seeded.revision(), seeded.counts())
    response = _upload(client, BAD_GRANT, "funding.csv", format="tabular")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and (seeded.revision(), seeded.counts()) == before
    assert "<td>blad funding, rij 2, kolom status</td>" in html
    assert "&#39;misschien&#39; is geen bekende status van een toekenning" in html
    assert 'name="token"' not in html


def test_the_upload_form_names_a_graph_files_edge_and_attribute_in_plain_dutch(
        client: FlaskClient, login: Any, seeded: GraphStore) -> None:
    login("admin")
    response = _upload(client, BAD_WEIGHT, "map.graphml", format="graphml")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<td>verbinding 1, kenmerk weight</td>" in html  # not "blad edges, rij 1"
    assert "Plaats in het bestand" in html
