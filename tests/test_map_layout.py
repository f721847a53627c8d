"""Map positions from the server: stable, readable labels, islands you cannot miss, clear ties."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from graphsvc.demo.dataset import load_demo
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from visualisations.labels import label_box, overlap_share
from visualisations.map_layout import area_positions, reset_layouts
from visualisations.network_map import MapFilters, build_map_payload, map_payload
from visualisations.offline_map import offline_map_html
from visualisations.styles import (
    CANVAS,
    DARK_RUNG_COLOURS,
    ISLAND_STYLE,
    NODE_STYLES,
    RUNG_COLOURS,
    contrast,
    edge_width,
    legend_colours,
)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'g.db'}")
    load_demo(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def demo(demo_store: GraphStore) -> Snapshot:
    return Snapshot.from_store(demo_store)


def _views(snap: Snapshot) -> list[tuple[str, MapFilters]]:
    areas = sorted(snap.labelled("Neighbourhood"), key=lambda a: str(snap.nodes[a].props["code"]))
    return [("all", MapFilters()), *((str(snap.nodes[a].props["code"]), MapFilters(area=a)) for a in areas)]


def test_at_most_five_percent_of_shown_labels_overlap_on_every_demo_view(demo: Snapshot) -> None:
    measured = {}
    for name, filters in _views(demo):
        payload = map_payload(demo, filters)
        assert payload["positioned"] is True
        if payload["nodes"]:
            measured[name] = overlap_share(payload["nodes"])
    assert len(measured) >= 20  # the city, both districts and the wijken with organisations
    assert max(measured.values()) <= 0.05, {k: v for k, v in measured.items() if v > 0.05}


def test_every_node_has_a_position_a_font_and_a_label_decision(demo: Snapshot) -> None:
    payload = map_payload(demo, MapFilters(area="F"))
    nodes = payload["nodes"]
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    shown = [n for n in nodes if n["label_shown"]]
    assert 10 <= len(shown) < len(nodes)  # the names that fit; the rest wait for a zoom
    assert all(n["font"]["size"] >= 22 for n in nodes)  # projector-sized for ≤ 150 nodes
    # islands are named first: every island whose box is free is labelled
    islands = [n for n in nodes if n["island"]]
    assert sum(n["label_shown"] for n in islands) >= len(islands) - 1
    spots = {(n["x"], n["y"]) for n in nodes}
    assert len(spots) == len(nodes)  # no two nodes on one spot


def test_the_same_view_gives_the_same_picture_after_a_fresh_start(
        demo: Snapshot, demo_store: GraphStore) -> None:
    first = map_payload(demo, MapFilters(area="F"))
    reset_layouts()  # as another worker would: nothing kept
    fresh = Snapshot.from_store(demo_store)
    second = map_payload(fresh, MapFilters(area="F"))
    assert [(n["id"], n["x"], n["y"], n["label_shown"]) for n in first["nodes"]] == \
           [(n["id"], n["x"], n["y"], n["label_shown"]) for n in second["nodes"]]


def test_filters_never_move_a_node(demo: Snapshot) -> None:
    whole = {n["id"]: (n["x"], n["y"]) for n in map_payload(demo, MapFilters(area="F"))["nodes"]}
    actor = next(n for n in map_payload(demo, MapFilters(area="F"))["nodes"]
                 if n["group"] == "Organisation" and not n["island"])
    views = [MapFilters(area="F", types=("Organisation",)), MapFilters(area="F", min_rung=3),
             MapFilters(area="F", focus=actor["id"]),
             MapFilters(area="F", types=("Organisation", "Institution"))]
    for view in views:
        payload = map_payload(demo, view)
        assert payload["positioned"] is True
        for n in payload["nodes"]:
            if n["group"] in ("Organisation", "Institution"):
                assert (n["x"], n["y"]) == whole[n["id"]], view


def test_the_offline_file_carries_the_live_positions(demo: Snapshot) -> None:
    import json
    import re

    html = offline_map_html(demo, "F")
    raw = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert raw is not None
    data = json.loads(raw.group(1))
    live = {n["id"]: (n["x"], n["y"]) for n in map_payload(demo, MapFilters(area="F"))["nodes"]}
    assert {n["id"]: (n["x"], n["y"]) for n in data["nodes"]} == live
    # every script of the demo's names has its font inside the file, cut to what it uses
    for family in ("Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", "Noto Sans Tifinagh"):
        assert f'font-family: "{family}"; font-weight: 400; src: url(data:font/woff;base64,' in html
    assert len(html) < 1_500_000


def test_every_node_colour_is_explicit_and_in_the_legend(demo: Snapshot) -> None:
    legend = set(legend_colours().values())
    for _, filters in _views(demo)[:3]:
        for n in map_payload(demo, MapFilters(area=filters.area, types=(
                "Organisation", "Institution", "Fund", "Interest")))["nodes"]:
            colour = n["color"]
            assert {colour["background"], colour["highlight"]["background"],
                    colour["hover"]["background"]} <= legend
            if n["island"]:
                assert (n["shape"], colour["background"]) == (ISLAND_STYLE["shape"], ISLAND_STYLE["color"])
            else:
                assert n["shape"] != ISLAND_STYLE["shape"]


def test_islands_stand_out_and_ties_darken_with_the_rung_in_both_themes() -> None:
    island, organisation = ISLAND_STYLE["color"], NODE_STYLES["Organisation"]["color"]
    for canvas in CANVAS.values():
        assert contrast(island, canvas) >= 3
    assert contrast(island, organisation) >= 3
    for theme, colours in (("light", RUNG_COLOURS), ("dark", DARK_RUNG_COLOURS)):
        ratios = [contrast(colours[r], CANVAS[theme]) for r in range(1, 6)]
        assert ratios[0] >= 3, theme
        assert ratios == sorted(ratios) and len(set(ratios)) == 5, (theme, ratios)
    widths = [edge_width("TIE", r) for r in range(1, 6)]
    assert widths == sorted(widths) and len(set(widths)) == 5


def test_label_box_is_centred_under_the_node() -> None:
    left, top, right, bottom = label_box({"x": 100, "y": 50, "size": 14, "label": "ab",
                                          "font": {"size": 20}})
    assert math.isclose((left + right) / 2, 100) and top == 64
    assert math.isclose(right - left, 0.55 * 20 * 2) and math.isclose(bottom - top, 24)


def test_a_new_organisation_lands_near_its_partners_and_moves_no_one(
        store: GraphStore) -> None:
    reset_layouts()
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("area", "Neighbourhood", {"name": "Wijk", "code": "WK0363ZZ", "level": "wijk"}))
        for i in range(12):
            tx.upsert_node(Node(f"o{i:02d}", "Organisation", {"name": f"Organisatie {i}"}))
            tx.upsert_relationship(Relationship("ACTIVE_IN", f"o{i:02d}", "area"))
        for i in range(11):
            tx.upsert_relationship(Relationship("TIE", f"o{i:02d}", f"o{i + 1:02d}", {"rung": 2}))
    before = map_payload(Snapshot.from_store(store), MapFilters(area="WK0363ZZ"))
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("o99", "Organisation", {"name": "Nieuw"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "o99", "area"))
        tx.upsert_relationship(Relationship("TIE", "o03", "o99", {"rung": 1}))
        tx.upsert_relationship(Relationship("TIE", "o04", "o99", {"rung": 1}))
    after = map_payload(Snapshot.from_store(store), MapFilters(area="WK0363ZZ"))
    old = {n["id"]: (n["x"], n["y"]) for n in before["nodes"]}
    new = {n["id"]: (n["x"], n["y"]) for n in after["nodes"]}
    assert {k: v for k, v in new.items() if k != "o99"} == old
    mid = ((old["o03"][0] + old["o04"][0]) / 2, (old["o03"][1] + old["o04"][1]) / 2)
    nearest = min(math.dist(mid, p) for k, p in old.items())
    assert math.dist(mid, new["o99"]) <= nearest + 200
    assert min(math.dist(new["o99"], p) for p in old.values()) >= 30  # on a free spot


def test_area_positions_are_kept_per_snapshot(demo: Snapshot) -> None:
    assert area_positions(demo, "E") is area_positions(demo, "E")


def test_the_payload_is_built_once_per_revision_and_each_caller_gets_its_own_copy(
        demo: Snapshot, demo_store: GraphStore) -> None:
    view = MapFilters(area="F", types=("Organisation", "Institution"))
    first = map_payload(demo, view)
    first["nodes"][0]["interests"] = ["changed by this caller"]  # as the offline file does
    first["edges"].clear()
    again = map_payload(demo, view)
    assert "interests" not in again["nodes"][0] and again["edges"]
    assert again == build_map_payload(demo, view)  # the kept one is what a new build gives
    # the same view after a tie change: the new tie is drawn, no node moves (the layout is kept)
    reset_layouts()
    before = map_payload(Snapshot.from_store(demo_store), view)
    orgs = sorted(n["id"] for n in again["nodes"] if n["group"] == "Organisation")
    a, b = next((x, y) for x in orgs for y in orgs if x < y and not demo.rung(x, y))
    with demo_store.transaction(source="test") as tx:
        tx.upsert_relationship(Relationship("TIE", a, b, {"rung": 5}))
    try:
        newer = map_payload(Snapshot.from_store(demo_store), view)
        assert newer["revision"] > before["revision"]
        assert any({e["from"], e["to"]} == {a, b} and e["rung"] == 5 for e in newer["edges"])
        assert not any({e["from"], e["to"]} == {a, b} for e in before["edges"])
        assert {n["id"]: (n["x"], n["y"]) for n in newer["nodes"]} == \
               {n["id"]: (n["x"], n["y"]) for n in before["nodes"]}
    finally:
        with demo_store.transaction(source="test") as tx:
            tx.delete_relationship("TIE", a, b)


def test_the_map_page_has_a_heading_a_favicon_and_the_script_fonts(client: Any) -> None:
    def fetch(url: str) -> tuple[int, str]:
        response = client.get(url)
        try:
            return response.status_code, response.get_data(as_text=True)
        finally:
            response.close()

    status, page = fetch("/map?lang=nl")
    assert status == 200 and '<h1 class="visually-hidden">Netwerkkaart</h1>' in page
    assert 'rel="icon"' in page and fetch("/static/favicon.svg")[0] == 200
    status, fonts = fetch("/static/vendor/fonts/fonts.css")
    for family in ("Noto Sans Arabic", "Noto Sans Ethiopic", "Noto Sans Tifinagh"):
        assert f'font-family: "{family}"' in fonts
    assert "Open Font License" in fetch("/static/vendor/fonts/OFL.txt")[1]
