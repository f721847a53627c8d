"""The funder dashboard: who may see it, page/API/CLI agree, exports are safe, nothing confidential leaks."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from openpyxl import load_workbook

from graphsvc.cli import cli
from graphsvc.store import GraphStore
from tests.funders_graph import FORMULA, SECRETS, seed_funders_city
from tests.small_graph import XSS

API = ["/api/v1/clusters", "/api/v1/clusters/map", "/api/v1/clusters/c1", "/api/v1/funds/fund-samen/gaps",
       "/api/v1/funding/flows", "/api/v1/funding/dependency", "/api/v1/organisations/org-vrouw-0/dependency"]
PAGES = ["/funders", "/funders/charts/funding.svg", "/funders/export/clusters.csv"]


@pytest.fixture
def city(sqlite_store: GraphStore) -> GraphStore:
    return seed_funders_city(sqlite_store)


@pytest.fixture
def funder(city: GraphStore, login: Callable[..., FlaskClient]) -> FlaskClient:
    return login("funder")


@pytest.mark.parametrize("path", API)
def test_public_gets_401_from_the_api(client: FlaskClient, city: GraphStore, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json()["ok"] is False and response.get_json()["status"] == 401


@pytest.mark.parametrize("path", PAGES)
def test_public_is_sent_to_login_from_the_pages(client: FlaskClient, city: GraphStore, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_members_may_not_but_funders_coaches_and_admins_may(
        client: FlaskClient, city: GraphStore, login: Callable[..., FlaskClient]) -> None:
    login("member", orgs=["org-vrouw-0"])
    assert client.get("/api/v1/clusters").status_code == 403
    assert client.get("/funders").status_code == 403
    for role in ("funder", "coach", "admin"):
        client.post("/logout", headers={"X-CSRFToken": _csrf(client)})
        login(role)
        assert client.get("/funders").status_code == 200, role
        assert client.get("/api/v1/clusters").status_code == 200, role


def _csrf(client: FlaskClient) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/").get_data(as_text=True))


def test_clusters_api_finds_the_three_groups(funder: FlaskClient) -> None:
    data = funder.get("/api/v1/clusters").get_json()
    assert data["ok"] and data["total"] == 3 and data["unclustered"] == 0
    groups = {frozenset(m["id"] for m in funder.get(f"/api/v1/clusters/{c['id']}").get_json()["members"])
              for c in data["clusters"]}
    assert groups == {frozenset(f"org-{g}-{i}" for i in range(5)) for g in ("vrouw", "jong", "taal")}
    women = next(c for c in data["clusters"] if c["kinds"][0]["id"] == "womens-organisation")
    assert women["summary_nl"].startswith("5 vrouwenorganisaties in Slotermeer-West. Ze werken aan ")
    assert women["summary_nl"].endswith(". 80 % van het geld komt van één fonds")
    assert women["herfindahl"] == pytest.approx(0.68) and women["funding_total"] == 10000
    assert [b["id"] for b in women["brokers"]] == ["org-vrouw-4"]
    assert women["institutions"][0]["id"] == "inst-ggd"


def test_map_payload_and_cluster_detail(funder: FlaskClient) -> None:
    payload = funder.get("/api/v1/clusters/map?size_by=funding&lang=en").get_json()
    assert len(payload["nodes"]) == 3 and payload["hidden"] == 0 and len(payload["edges"]) == 1
    assert {n["kind"] for n in payload["nodes"]} == {"cluster"}
    assert max(n["value"] for n in payload["nodes"]) == 10000
    detail = funder.get(f"/api/v1/clusters/{payload['nodes'][0]['id']}").get_json()
    assert {"members", "ties", "links", "outside"} <= set(detail)
    assert funder.get("/api/v1/clusters/map?size_by=colour").status_code == 400


def test_gaps_flows_and_dependency_api(funder: FlaskClient) -> None:
    gaps = funder.get("/api/v1/funds/fund-samen/gaps").get_json()
    assert {(g["theme"], g["area"]) for g in gaps["gaps"]} == {
        ("vrouwenemancipatie", "kk"), ("vrouwenemancipatie", "os"), ("laaggeletterdheid", "kk"),
        ("laaggeletterdheid", "sm")}  # the planted gap: Osdorp organised, nobody on women's empowerment
    flows = funder.get("/api/v1/funding/flows?fund=fund-samen").get_json()
    assert flows["total"] == 8000 and [f["target"] for f in flows["to_areas"]] == ["nw"]
    dep = funder.get("/api/v1/organisations/org-jong-4/dependency").get_json()
    assert (dep["share"], dep["largest_fund"]) == (1.0, "fund-buurt")
    listing = funder.get("/api/v1/funding/dependency?min_share=90").get_json()
    assert [d["organisation"] for d in listing["items"]] == [  # every one gets all from one fund
        "org-jong-4", "org-vrouw-1", "org-vrouw-0", "org-vrouw-2", "org-taal-4"]


@pytest.mark.parametrize(("path", "status"), [
    ("/api/v1/clusters?period=soon", 400), ("/api/v1/clusters?scale=huge", 400),
    ("/api/v1/clusters/c99", 404), ("/api/v1/funds/org-jong-0/gaps", 404),
    ("/api/v1/organisations/fund-samen/dependency", 404), ("/api/v1/clusters?area=XX", 404),
])
def test_errors_have_the_one_json_shape(funder: FlaskClient, path: str, status: int) -> None:
    response = funder.get(path)
    body = response.get_json()
    assert response.status_code == status and set(body) == {"ok", "error", "errors", "status"}


def test_exported_csv_neutralises_a_formula_payload(funder: FlaskClient) -> None:
    response = funder.get("/funders/export/dependency.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="goudkaart-dependency.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert ["org-jong-4", "'" + FORMULA] == rows[1][:2]  # shown as text, never evaluated
    for path in ("/funders/export/dependency.csv", "/funders/export/clusters.csv?lang=en",
                 "/funders/export/members.csv?cluster=c1"):
        text = funder.get(path).get_data(as_text=True).lstrip("\ufeff")
        cells = [c for row in csv.reader(io.StringIO(text), delimiter="," if "lang=en" in path else ";")
                 for c in row]
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), path


def test_exported_xlsx_keeps_formulas_as_text(funder: FlaskClient) -> None:
    response = funder.get("/funders/export/dependency.xlsx?lang=en")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == FORMULA)
    assert cell.data_type == "s" and cell.quotePrefix
    assert sheet["A1"].value == "Organisation id"


@pytest.mark.parametrize("table", ["clusters", "gaps", "flows", "dependency", "members"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_exports(funder: FlaskClient, table: str, fmt: str) -> None:
    response = funder.get(f"/funders/export/{table}.{fmt}?fund=fund-samen&cluster=c1")
    assert response.status_code == 200 and len(response.data) > 50


def test_nothing_confidential_in_page_api_or_exports(funder: FlaskClient) -> None:
    bodies = [funder.get(p).get_data(as_text=True) for p in
              ["/funders", *API, *(f"/api/v1/clusters/c{i}" for i in (1, 2, 3)),
               *(f"/funders/export/{t}.csv?cluster=c1" for t in ("clusters", "members", "dependency"))]]
    bodies += [json.dumps([c.value for row in load_workbook(io.BytesIO(funder.get(
        f"/funders/export/{t}.xlsx?cluster=c1").data)).active.iter_rows() for c in row], ensure_ascii=False)
        for t in ("clusters", "members")]
    for body in bodies:
        for secret in SECRETS:
            assert secret not in body
        assert "financial_administration" not in body and "capacity" not in body.lower()


def test_page_escapes_names_and_shows_every_table(funder: FlaskClient) -> None:
    html = funder.get("/funders?lang=en").get_data(as_text=True)
    assert XSS not in html, html[html.find(XSS) - 300:html.find(XSS) + 50]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    for marker in ('id="cluster-map"', 'id="cluster-table"', 'id="gap-matrix"', 'id="dependency-table"',
                   "funding.svg", "concentration.svg", "clusters.csv", "gaps.xlsx", "flows.csv"):
        assert marker in html
    assert "<script>" not in html.split('id="funders-config"')[0].split("<main")[1]  # no inline code


def test_charts_are_escaped_svg(funder: FlaskClient) -> None:
    for name in ("funding", "concentration"):
        response = funder.get(f"/funders/charts/{name}.svg?lang=en")
        svg = response.get_data(as_text=True)
        assert response.mimetype == "image/svg+xml" and svg.startswith("<svg") and "<title>" in svg
        assert "<img" not in svg
    assert funder.get("/funders/charts/pie.svg").status_code == 404


def test_nav_link_only_for_funders_and_admins(client: FlaskClient, city: GraphStore,
                                              login: Callable[..., FlaskClient]) -> None:
    assert "/funders" not in client.get("/").get_data(as_text=True)
    login("funder")
    assert 'href="/funders"' in client.get("/").get_data(as_text=True)


def test_cli_clusters_matches_the_api(runner: CliRunner, city: GraphStore, funder: FlaskClient) -> None:
    result = runner.invoke(cli, ["clusters", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    api = funder.get("/api/v1/clusters").get_json()
    assert [c["summary_nl"] for c in data["clusters"]] == [c["summary_nl"] for c in api["clusters"]]
    text = runner.invoke(cli, ["clusters", "--lang", "en"])
    assert text.exit_code == 0 and "3 clusters of 15 organisations" in text.output
    assert "80% of the money comes from one fund" in text.output
    bad = runner.invoke(cli, ["clusters", "--period", "soon"])
    assert bad.exit_code == 1 and "Error: Parameter 'period'" in bad.output


def test_csv_for_dutch_excel_uses_semicolons_and_decimal_commas(funder: FlaskClient) -> None:
    dutch = funder.get("/funders/export/dependency.csv?lang=nl").data
    english = funder.get("/funders/export/dependency.csv?lang=en").data
    assert dutch.startswith("\ufeff".encode()) and english.startswith("\ufeff".encode())
    nl_rows = list(csv.reader(io.StringIO(dutch.decode("utf-8-sig")), delimiter=";"))
    en_rows = list(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    assert len(nl_rows[0]) == len(en_rows[0]) == 7  # one column per field in both
    assert nl_rows[1][-1] == en_rows[1][-1].replace(".", ",") and "," in nl_rows[1][-1]
