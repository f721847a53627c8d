"""The list view is the map's equal: every organisation reachable, islands in words, the map's filters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphsvc.snapshot import Snapshot
from queries.islands import islands
from tests.web.walk import World, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Path(tmp_path_factory.mktemp("list")))


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


def test_every_demo_organisation_is_reachable_and_every_island_marked(world: World) -> None:
    snap = Snapshot.from_store(world.store)
    organisations = snap.labelled("Organisation")
    client = world.app.test_client()
    first = client.get("/organisations?types=Organisation&lang=nl").get_data(as_text=True)
    assert f"{len(organisations)} resultaten" in first
    assert len(rows(first)) == 100 and "Volgende pagina" in first and "Alles op één pagina" in first
    seen: list[str] = []
    offset = 0
    while offset < len(organisations):
        html = client.get(f"/organisations?types=Organisation&lang=nl&offset={offset}").get_data(as_text=True)
        seen += rows(html)
        offset += 100
    assert len(seen) == len(organisations)
    marked = [r for r in seen if "island-word" in r]
    assert len(marked) == len(islands(snap)) > 0
    assert all(">eiland<" in r for r in marked)


def test_institutions_and_funds_are_listed_by_type_name(world: World) -> None:
    html = world.app.test_client().get("/organisations?types=Institution&types=Fund&limit=1000&lang=nl")
    text = html.get_data(as_text=True)
    assert "Instelling" in text and "Fonds" in text
    assert "<td>Organisatie" not in text and "Institution" not in text.split("<tbody>", 1)[1]


def test_minimum_rung_and_theme_filter_the_list(world: World) -> None:
    client = world.app.test_client()
    all_orgs = len(rows(client.get("/organisations?types=Organisation&limit=1000").get_data(as_text=True)))
    at_five = rows(client.get("/organisations?types=Organisation&min_rung=5&limit=1000").get_data(as_text=True))
    assert 0 < len(at_five) < all_orgs
    assert all("hoogste trede 5" in r for r in at_five)
    assert all("island-word" not in r for r in at_five)


def test_search_ignores_accents_and_language_switch_keeps_filters(world: World) -> None:
    client = world.app.test_client()
    html = client.get("/organisations?q=cocuk&min_rung=2&lang=nl").get_data(as_text=True)
    assert "Çocuk" in html
    assert 'href="?q=cocuk&amp;min_rung=2&amp;lang=en"' in html
