"""The offline map file: self-contained, no internet addresses, every name safe inside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graphsvc.errors import NotFound
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from tests.small_graph import XSS
from visualisations import offline_map
from visualisations.offline_map import offline_map_html, safe_json, vendored_assets

# what a browser would fetch: src/href/action attributes, CSS url() and @import, JS import()
RESOURCE_REFERENCE = re.compile(
    r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:\bimport\s*\(\s*["'](?:https?:)?//)""",
    re.IGNORECASE,
)


@pytest.fixture
def html(seeded: GraphStore) -> str:
    return offline_map_html(Snapshot.from_store(seeded), "E", rung_names={1: "kennen", 2: "ontmoeten"})


def _data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert match is not None
    return dict(json.loads(match.group(1)))


def test_file_has_no_internet_addresses_at_all(html: str) -> None:
    assert not RESOURCE_REFERENCE.search(html)
    assert "http://" not in html.lower() and "https://" not in html.lower()


def test_the_reference_check_itself_catches_references() -> None:
    for bad in ('<script src="https://x.org/a.js">', "<link href='//cdn.x/a.css'>",
                "a{background:url(https://x/y.png)}", '@import "http://x/y.css";'):
        assert RESOURCE_REFERENCE.search(bad), bad


def test_everything_is_inlined(html: str) -> None:
    assert "<script src" not in html and "<link" not in html
    assert html.count("<script") == 4  # map data, key texts (_map_keys.html), vis-network, our own script
    assert "vis-network" in html and "goudkaartOffline" in html


def test_data_holds_the_area_and_marks_islands(html: str) -> None:
    data = _data(html)
    nodes = {n["id"]: n for n in data["nodes"]}  # type: ignore[attr-defined]
    assert set(nodes) == {"org-xss", "org-amal", "org-kadin", "inst-buurtteam", "fund-a"}
    assert data["islands"] == ["org-xss"] and nodes["org-xss"]["island"] is True
    assert nodes["org-amal"]["interests"] == ["eenzaamheid"]
    assert data["area"] == {"id": "area-e", "name": "West", "code": "E"}
    assert data["rungs"]["2"] == "ontmoeten"  # type: ignore[index]


def test_names_cannot_escape_the_data_script(html: str) -> None:
    script = html[html.index('id="map-data">'):html.index("</script>", html.index('id="map-data">'))]
    assert "<" not in script.split(">", 1)[1] and XSS not in html
    assert _data(html)["nodes"][-1]  # type: ignore[index]
    names = [n["label"] for n in _data(html)["nodes"]]  # type: ignore[attr-defined]
    assert XSS in names  # the name itself survives, as data


def test_safe_json_escapes_script_breakers() -> None:
    text = str(safe_json({"x": "</script><!-- & \u2028\u2029 https://e.org"}))
    assert not re.search(r"[<>&\u2028\u2029]", text) and "://" not in text
    assert json.loads(text)["x"] == "</script><!-- & \u2028\u2029 https://e.org"


def test_area_name_with_markup_and_url_is_text(sqlite_store: GraphStore) -> None:
    with sqlite_store.transaction() as tx:
        tx.upsert_node(Node("a", "Neighbourhood", {"name": f"{XSS} https://evil.example", "code": "X"}))
    html = offline_map_html(Snapshot.from_store(sqlite_store), "X", lang="en")
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "https://" not in html and "Map of" in html


def test_unknown_area(seeded: GraphStore) -> None:
    with pytest.raises(NotFound, match="no area"):
        offline_map_html(Snapshot.from_store(seeded), "ZZ")


def test_vendored_vis_network_is_cleaned_but_keeps_its_licence() -> None:
    js, css, own_js, own_css = vendored_assets()
    assert "://" not in js.replace(":\\/\\/", "")
    assert "vis.js is dual licensed" in js and "Apache 2.0 License" in js
    assert 'license:"https:\\/\\/github.com/zloirock/core-js' in js  # same string at run time
    assert "url(" not in css.replace('url("data:', "").replace("url(data:", "")


@pytest.mark.parametrize("bad", ["x=fetch('https://evil.example/');", "a=1;/*x*/b='</script>'"])
def test_an_unexpected_url_in_the_vendor_script_is_refused(bad: str) -> None:
    with pytest.raises(RuntimeError):
        offline_map._clean_js(bad)


@pytest.mark.parametrize("bad", ["a{b:url(/img.png)}", "@import 'x.css';", "a{b:url(https://x/y)}"])
def test_outside_resources_in_the_vendor_css_are_refused(bad: str) -> None:
    with pytest.raises(RuntimeError):
        offline_map._clean_css(bad)


def test_cli_export_writes_the_file(runner: object, seeded: GraphStore, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graphsvc.cli import cli

    assert isinstance(runner, CliRunner)
    out = tmp_path / "map.html"
    result = runner.invoke(cli, ["export", "--format", "html", "--area", "WK0363EM", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "De Kolenkit" in result.output and out.read_text(encoding="utf-8").startswith("<!doctype")
    bad = runner.invoke(cli, ["export", "--format", "html", "--area", "ZZ", "--out", str(out)])
    assert bad.exit_code == 1 and bad.output.strip() == "Error: There is no area with code 'ZZ'."
