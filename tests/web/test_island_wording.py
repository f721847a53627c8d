"""An island's wording says which reading it is: without an area any tie counts, with one only ties
to actors active in that area ("eiland in dit gebied")."""

from __future__ import annotations

from flask.testing import FlaskClient

from graphsvc.demo.dataset import load_demo
from graphsvc.store import GraphStore


def _island_titles(client: FlaskClient, query: str) -> list[str]:
    body = client.get(f"/api/v1/graph?{query}").get_json()
    return [n["title"] for n in body["nodes"] if n.get("island")]


def test_the_island_text_names_the_area_reading(client: FlaskClient, sqlite_store: GraphStore) -> None:
    load_demo(sqlite_store)
    everywhere = _island_titles(client, "lang=nl")
    in_area = _island_titles(client, "area=F&lang=nl")
    assert everywhere and in_area
    assert all("Eiland: nog geen band op trede 2 of hoger" in t for t in everywhere)
    assert all("Eiland in dit gebied:" in t for t in in_area)
    english = _island_titles(client, "area=F&lang=en")
    assert all("Island in this area:" in t for t in english)
    page = client.get("/map?lang=nl").get_data(as_text=True)
    assert "Eiland in dit gebied" in page and '"Organisation": "Organisatie"' in page
