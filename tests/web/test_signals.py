"""Signals on the web: the organisation's own pages and API, the area aggregates for every role,
the heat table, the CSV export, the bulk template, the meeting page and agenda items."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from queries.signals import recent_months
from tests.conftest import csrf_token_from

MONTH = recent_months(1)[1]
Login = Callable[..., FlaskClient]


@pytest.fixture
def three(seeded: GraphStore) -> GraphStore:
    """The small graph plus a third organisation in De Kolenkit and a community."""
    with seeded.transaction(source="test") as tx:
        tx.upsert_node(Node("org-derde", "Organisation", {"name": "Derde Stichting"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-derde", "area-wk0363em"))
        tx.upsert_node(Node("ouderen", "Community", {"name": "Ouderen", "name_en": "Elderly"}))
    return seeded


def _body(**extra: Any) -> dict[str, Any]:
    return {"theme": "eenzaamheid", "areas": ["WK0363EM"], "people": "5-19", "period": MONTH,
            "trend": "growing", **extra}


def _token(client: FlaskClient, path: str = "/") -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def _api(client: FlaskClient, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.open(path, method=method, json=body, headers={"X-CSRFToken": _token(client)})


def test_member_records_edits_and_deletes_through_the_api(app: Any, three: GraphStore, login: Login) -> None:
    client = login("member", orgs=["org-amal"])
    made = _api(client, "POST", "/api/v1/organisations/org-amal/signals", _body(note="Meer vrouwen alleen"))
    assert made.status_code == 201, made.get_json()
    signal = made.get_json()["signal"]
    assert (signal["theme_name"], signal["area_names"], signal["note"]) == ("Eenzaamheid", ["De Kolenkit"],
                                                                           "Meer vrouwen alleen")
    listed = client.get("/api/v1/organisations/org-amal/signals").get_json()
    assert [s["id"] for s in listed["signals"]] == [signal["id"]]
    changed = _api(client, "PATCH", f"/api/v1/organisations/org-amal/signals/{signal['id']}", {"trend": "new"})
    assert changed.get_json()["signal"]["trend"] == "new"
    refused = _api(client, "PATCH", f"/api/v1/organisations/org-amal/signals/{signal['id']}",
                   {"note": "bel haar op 06-12345678"})
    assert refused.status_code == 400
    error = refused.get_json()
    assert error["ok"] is False and error["errors"][0].startswith("note:")
    assert _api(client, "DELETE", f"/api/v1/organisations/org-amal/signals/{signal['id']}").status_code == 200
    assert client.get("/api/v1/organisations/org-amal/signals").get_json()["signals"] == []


@pytest.mark.parametrize(("role", "orgs", "status"), [
    ("member", ["org-kadin"], 403), ("funder", [], 403), ("coach", ["org-kadin"], 403)])
def test_others_cannot_read_or_write_an_organisations_signals(three: GraphStore, login: Login, role: str,
                                                              orgs: list[str], status: int) -> None:
    client = login(role, orgs=orgs)
    assert client.get("/api/v1/organisations/org-amal/signals").status_code == status
    assert _api(client, "POST", "/api/v1/organisations/org-amal/signals", _body()).status_code == status


def test_the_public_gets_401(client: FlaskClient, three: GraphStore) -> None:
    response = client.get("/api/v1/organisations/org-amal/signals")
    assert response.status_code == 401 and response.get_json()["ok"] is False


def _three_signal(app: Any, store: GraphStore, orgs: tuple[str, ...] = ("org-amal", "org-kadin", "org-derde")) -> None:
    from graphsvc.actions.signals import record_signal
    from graphsvc.snapshot import Snapshot

    for org in orgs:
        record_signal(store, Snapshot.from_store(store), org, _body(community="ouderen", note=f"geheim {org}"))


@pytest.mark.parametrize(("role", "orgs"), [
    ("public", []), ("funder", []), ("member", ["org-amal"]), ("coach", ["org-kadin"]), ("admin", [])])
def test_area_aggregates_for_every_role(app: Any, three: GraphStore, login: Login, client: FlaskClient,
                                        role: str, orgs: list[str]) -> None:
    _three_signal(app, three, ("org-amal", "org-kadin"))
    if role != "public":
        client = login(role, orgs=orgs)
    groups = client.get("/api/v1/areas/WK0363EM/signals").get_json()["groups"]
    assert [g["theme"] for g in groups] == ["eenzaamheid"]
    two = groups[0]
    assert two["fewer_than_3"] is True and "geheim" not in str(groups)
    if role == "admin":
        assert (two["organisations"], two["organisation_ids"]) == (2, ["org-amal", "org-kadin"])
    else:
        assert (two["organisations"], two["people"], two["communities"]) == (None, None, [])
        assert two["organisation_ids"] == orgs
    page = client.get("/areas/WK0363EM/signals").get_data(as_text=True)
    assert ("fewer than 3 organisations" in page) or ("minder dan 3 organisaties" in page)
    assert "geheim" not in page

    _three_signal(app, three, ("org-derde",))
    [three_orgs] = client.get("/api/v1/areas/WK0363EM/signals").get_json()["groups"]
    assert (three_orgs["organisations"], three_orgs["people"]) == (3, "5-19")
    assert three_orgs["communities"] == [{"id": "ouderen", "name": "Ouderen", "organisations": 3}]
    assert three_orgs["gap"] is True  # the Buurtteam does not work on eenzaamheid


def test_heat_table_csv_and_template(app: Any, three: GraphStore, client: FlaskClient) -> None:
    _three_signal(app, three)
    svg = client.get("/areas/WK0363EM/signals.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert text.startswith("<svg") and "Eenzaamheid" in text and MONTH in text
    exported = client.get("/areas/WK0363EM/signals.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:3] == ["Eenzaamheid", "3", "5-19"]
    template = client.get("/signals/template.csv").get_data(as_text=True).lstrip("\ufeff")
    assert template.splitlines()[0] == "organisation,theme,areas,community,people,period,trend,note"
    assert client.get("/api/v1/areas/ZZZ/signals").status_code == 404
    bad = client.get("/api/v1/areas/WK0363EM/signals?period=gisteren").get_json()
    assert bad["ok"] is False and bad["status"] == 400


def test_meeting_page_report_and_agenda_item(app: Any, three: GraphStore, login: Login) -> None:
    _three_signal(app, three)
    client = login("coach", orgs=["org-amal"])
    page = client.get("/meeting/WK0363EM?lang=nl").get_data(as_text=True)
    assert "Vroege signalen" in page and "Eenzaamheid" in page and "geheim" not in page
    agenda = client.get("/meeting/WK0363EM/agenda?lang=en").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in agenda and "3 organisations signal it" in agenda
    token = _token(client, "/meeting/WK0363EM")
    made = client.post("/areas/WK0363EM/agenda-items", data={"theme": "eenzaamheid", "csrf_token": token})
    assert made.status_code == 302
    again = client.post("/api/v1/areas/WK0363EM/agenda-items", json={"theme": "eenzaamheid"},
                        headers={"X-CSRFToken": token})
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert "Eenzaamheid in De Kolenkit" in client.get("/meeting/WK0363EM/agenda").get_data(as_text=True)
    offline = client.get("/meeting/WK0363EM/offline.html?lang=nl").get_data(as_text=True)
    assert "Vroege signalen" in offline and "data:image/svg+xml;base64," in offline and "geheim" not in offline
    from graphsvc.actions.sessions import close_session, open_session

    session = open_session(three, "WK0363EM", name="Buurttafel")
    close_session(three, session.id)
    report = client.get(f"/meeting/sessions/{session.id}/report?lang=nl").get_data(as_text=True)
    assert 'id="report-signals"' in report and "3 organisaties" in report


def test_signal_nodes_stay_off_the_map_and_out_of_public_exports(app: Any, three: GraphStore,
                                                                client: FlaskClient, login: Login) -> None:
    _three_signal(app, three)
    graph = client.get("/api/v1/graph?types=Organisation,Institution,Fund").get_json()
    assert not [n for n in graph["nodes"] if str(n.get("id", "")).startswith("sig-")]
    sid = next(n.id for n in three.iter_nodes("Signal"))
    assert client.get(f"/actors/{sid}").status_code == 404
    funder = login("funder")
    dump = funder.get("/data/export/json").get_data(as_text=True)
    assert "sig-" not in dump and "geheim" not in dump
    graphml = funder.get("/data/export/graphml").get_data(as_text=True)
    assert "sig-" not in graphml and "geheim" not in graphml


def test_signalled_but_unfunded_for_funders(app: Any, three: GraphStore, login: Login) -> None:
    _three_signal(app, three)
    funder = login("funder")
    year = MONTH[:4]
    # Al Amal works on eenzaamheid and had a grant in 2025: over all years the theme is funded
    assert funder.get("/api/v1/signals/unfunded").get_json()["items"] == []
    items = funder.get(f"/api/v1/signals/unfunded?period={year}").get_json()["items"]
    assert [(i["area"], i["theme"], i["signalling_organisations"]) for i in items] == [
        ("area-wk0363em", "eenzaamheid", 3)]
    assert items == funder.get(f"/api/v1/signals/unfunded?period={year}&area=E").get_json()["items"]
    assert funder.get(f"/api/v1/signals/unfunded?period={year}&area=F").get_json()["items"] == []
    page = funder.get(f"/funders?lang=en&period={year}").get_data(as_text=True)
    assert "Signalled but unfunded" in page and "Loneliness" in page


def _csv(*rows: str) -> bytes:
    return ("organisation;theme;areas;community;people;period;trend;note\n" + "\n".join(rows)).encode("utf-8")


def test_bulk_import_checks_every_row_then_records_all(app: Any, three: GraphStore, login: Login) -> None:
    client = login("coach", orgs=["org-amal", "org-kadin"])
    token = _token(client)
    bad = _csv(f"org-amal;eenzaamheid;WK0363EM;;5-19;{MONTH};growing;",
               f"org-kadin;eenzaamheid;WK0363EM;;veel;{MONTH};growing;mail k@example.org",
               f"org-derde;eenzaamheid;WK0363EM;;5-19;{MONTH};new;")
    refused = client.post("/api/v1/signals/import", data={"file": (io.BytesIO(bad), "na-de-avond.csv")},
                          headers={"X-CSRFToken": token})
    errors = refused.get_json()["errors"]
    assert refused.status_code == 400
    assert "na-de-avond.csv, row 3, column people: " in errors[0]
    assert any(e.startswith("na-de-avond.csv, row 3, column note: ") for e in errors)
    assert any("row 4, column organisation: you may not record" in e for e in errors)
    assert three.counts()["nodes"].get("Signal", 0) == 0  # all or nothing
    good = _csv(f"org-amal;eenzaamheid;WK0363EM;ouderen;5-19;{MONTH};growing;",
                f"org-kadin;taal;WK0363EM,E;;1-4;{MONTH};new;")
    made = client.post("/api/v1/signals/import", data={"file": (io.BytesIO(good), "goed.csv")},
                       headers={"X-CSRFToken": token})
    assert made.status_code == 201 and made.get_json()["recorded"] == 2
    assert three.counts()["nodes"]["Signal"] == 2


def test_cli_template_import_and_area(runner: Any, three: GraphStore, tmp_path: Any) -> None:
    from graphsvc.cli import cli

    template = tmp_path / "sjabloon.csv"
    assert runner.invoke(cli, ["signals", "template", str(template)]).exit_code == 0
    rows = [f"org-amal,eenzaamheid,WK0363EM,,5-19,{MONTH},growing,",
            f"org-kadin,eenzaamheid,WK0363EM,,20-49,{MONTH},new,",
            f"org-derde,eenzaamheid,WK0363EM,,5-19,{MONTH},new,"]
    template.write_text(template.read_text("utf-8-sig").splitlines()[0] + "\n" + "\n".join(rows), "utf-8")
    done = runner.invoke(cli, ["signals", "import", str(template)])
    assert done.exit_code == 0, done.output
    shown = runner.invoke(cli, ["signals", "area", "WK0363EM"])
    assert '"organisations": 3' in shown.output and '"people": "20-49"' in shown.output
    broken = tmp_path / "kapot.csv"
    broken.write_text("organisation,theme\norg-amal,eenzaamheid\n", "utf-8")
    failed = runner.invoke(cli, ["signals", "import", str(broken)])
    assert failed.exit_code == 1 and "kapot.csv" in failed.output and "Traceback" not in failed.output


def test_coach_workspace_suggests_who_could_act_on_the_signals(app: Any, three: GraphStore, login: Login) -> None:
    with three.transaction(source="test") as tx:
        tx.upsert_relationship(Relationship("WORKS_ON", "inst-buurtteam", "eenzaamheid", {"weight": 2}))
    _three_signal(app, three, ("org-kadin",))
    client = login("coach", orgs=["org-kadin"])
    page = client.get("/coach/org-kadin?lang=nl").get_data(as_text=True)
    assert 'id="signal-referrals"' in page and "Buurtteam West" in page and "nog geen band" in page
    listed = client.get("/api/v1/organisations/org-kadin/signals").get_json()["referral_suggestions"]
    assert [(s["id"], s["rung"], s["themes"]) for s in listed] == [("inst-buurtteam", 0, ["Eenzaamheid"])]
    # Al Amal already meets the Buurtteam at rung 2: nothing to suggest
    _three_signal(app, three, ("org-amal",))
    assert login("member", orgs=["org-amal"]).get(
        "/api/v1/organisations/org-amal/signals").get_json()["referral_suggestions"] == []


def test_the_organisation_page_records_edits_and_deletes_with_forms(app: Any, three: GraphStore, login: Login) -> None:
    client = login("member", orgs=["org-amal"])
    token = _token(client, "/organisations/org-amal/signals")
    form = {"csrf_token": token, "theme": "eenzaamheid", "areas": ["area-wk0363em"], "community": "",
            "people": "5-19", "period": MONTH, "trend": "new", "note": "Nieuw in de inloop"}
    assert client.post("/organisations/org-amal/signals", data=form).status_code == 302
    [sid] = [n.id for n in three.iter_nodes("Signal")]
    page = client.get(f"/organisations/org-amal/signals?lang=nl&edit={sid}").get_data(as_text=True)
    assert 'id="edit-form"' in page and "Nieuw in de inloop" in page and "Het signaal is vastgelegd." in page
    client.post(f"/organisations/org-amal/signals/{sid}", data={**form, "people": "50+", "note": "mail x@example.org"})
    refused = client.get("/organisations/org-amal/signals?lang=nl").get_data(as_text=True)
    assert "e-mailadres" in refused and three.get_node(sid).props["people"] == "5-19"
    client.post(f"/organisations/org-amal/signals/{sid}", data={**form, "people": "50+"})
    assert three.get_node(sid).props["people"] == "50+"
    client.post(f"/organisations/org-amal/signals/{sid}/delete", data={"csrf_token": token})
    assert "Het signaal is verwijderd." in client.get("/organisations/org-amal/signals?lang=nl").get_data(as_text=True)
    assert list(three.iter_nodes("Signal")) == []
    assert client.post("/organisations/org-amal/signals", data={**form, "csrf_token": "nope"}).status_code == 400
