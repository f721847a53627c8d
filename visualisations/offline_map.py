"""The offline map: one self-contained HTML file of an area that opens by double-click, no network.

pyvis is not used here: its templates load Bootstrap from a CDN and insert the heading
unescaped (see FIELD-NOTES). The file is built from our own template instead:

* vis-network's JavaScript and CSS are inlined from the vendored copy in
  ``graphsvc/web/static/vendor/vis-network``; their licence comments keep their text, but every
  ``http(s)://`` in them is cut, and the two URLs core-js keeps as licence and source notes
  (string constants, never fetched) are written with ``\\/`` escapes, the same string at run
  time. Any other URL in the script stops the build: it might be something the script loads.
  The result holds no ``http://`` or ``https://`` at all.
* The map data is JSON inside ``<script type="application/json">`` with ``<``, ``>``, ``&``,
  ``/`` and U+2028/U+2029 escaped, so no name can close the script tag; the page's own script
  builds the side panels with ``textContent`` and vis-network shows plain-string tooltips as text.
* The filters (type, theme, lowest rung, islands only), the search and the island marks run in
  the page's own script (``graphsvc/web/static/js/meeting_offline.js``).
* The keys inside the map are the live map's (``GK.map.keyboard`` of the inlined
  ``static/js/mapdraw.js``): arrow keys, type-ahead, Home/End, Enter shows who it is, Escape. Their
  help, the ``aria-live`` announcement and its texts are the live map's template
  ``_map_keys.html``, rendered here with the web interface's own catalogue, so the file says the
  same words as ``/map`` in Dutch and English.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from babel.support import Translations
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from graphsvc.clock import utc_now
from graphsvc.snapshot import Snapshot
from graphsvc.store.kept import KeptData
from visualisations.fonts import embedded_font_css
from visualisations.network_map import MapFilters, map_payload

__all__ = ["offline_map_html", "write_offline_map", "safe_json", "vendored_assets", "OFFLINE_TEXT"]

_WEB = files("graphsvc.web")
_URL = re.compile(r"https?://", re.I)
# the only URL string constants allowed: core-js's licence and source notes, never fetched;
# any other URL in the script might be something it loads, so it stops the build instead
_STRING_URL = re.compile(r"""(\b(?:license|source):\s*["'])(https?)://""", re.I)
_COMMENT = re.compile(r"/\*[!*][\s\S]*?\*/")
_JSON_ESCAPES: Final = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "/": "\\/",
                        "\u2028": "\\u2028", "\u2029": "\\u2029"}

OFFLINE_TEXT: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "title": "Kaart van {area}", "made": "Gemaakt op {date} met Goudkaart; werkt zonder internet.",
        "filters": "Filters", "show": "Toon", "Organisation": "Organisaties",
        "Institution": "Instellingen", "Fund": "Fondsen", "theme": "Thema", "allThemes": "Alle thema's",
        "minRung": "Laagste trede", "allTies": "Alle banden", "islandsOnly": "Alleen eilanden",
        "search": "Zoek op naam", "noMatch": "Geen naam gevonden.",
        "shown": "{nodes} getoond, {edges} verbindingen, {islands} eilanden",
        "island": "Eiland: nog geen band op trede 2 of hoger", "islands": "Eilanden",
        "legendIsland": "Eiland: geen band op trede 2 of hoger", "ties": "Banden", "rung": "trede",
        "legend": "Legenda", "Interest": "Thema", "tiesByRung": "Banden per trede",
        "themes": "Thema's", "areas": "Gebieden", "clickHint": "Klik op een stip om te zien wie het is.",
        "network": "Netwerkkaart", "none": "Geen.",
    },
    "en": {
        "title": "Map of {area}", "made": "Made on {date} with Goudkaart; works without internet.",
        "filters": "Filters", "show": "Show", "Organisation": "Organisations",
        "Institution": "Institutions", "Fund": "Funds", "theme": "Theme", "allThemes": "All themes",
        "minRung": "Lowest rung", "allTies": "All ties", "islandsOnly": "Islands only",
        "search": "Search by name", "noMatch": "No name matches.",
        "shown": "{nodes} shown, {edges} connections, {islands} islands",
        "island": "Island: no tie at rung 2 or higher yet", "islands": "Islands",
        "legendIsland": "Island: no tie at rung 2 or higher", "ties": "Ties", "rung": "rung",
        "legend": "Legend", "Interest": "Theme", "tiesByRung": "Ties by rung",
        "themes": "Themes", "areas": "Areas", "clickHint": "Click a dot to see who it is.",
        "network": "Network map", "none": "None.",
    },
}


def safe_json(data: Any) -> Markup:
    """JSON that is safe inside a ``<script>`` element of an HTML page.

    Examples
    --------
    >>> text = str(safe_json({"name": "</script><img src=x>"}))
    >>> "<" in text or "/" in text.replace("\\\\/", "")
    False
    >>> json.loads(text)["name"]
    '</script><img src=x>'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup("".join(_JSON_ESCAPES.get(ch, ch) for ch in text))


def _clean_js(js: str) -> str:
    js = _COMMENT.sub(lambda m: _URL.sub("", m.group(0)), js)
    js = _STRING_URL.sub(lambda m: f"{m.group(1)}{m.group(2)}:\\/\\/", js)
    if _URL.search(js):
        where = _URL.search(js)
        assert where is not None
        raise RuntimeError("The vendored vis-network has a URL the offline map cannot make safe "
                           f"near {js[max(0, where.start() - 40):where.end() + 40]!r}.")
    if re.search(r"</script|<!--", js, re.I):
        raise RuntimeError("The vendored vis-network contains '</script' or '<!--'.")
    return js


def _clean_css(css: str) -> str:
    css = _COMMENT.sub(lambda m: _URL.sub("", m.group(0)), css)
    if _URL.search(css) or "@import" in css or re.search(r"</style", css, re.I):
        raise RuntimeError("The vendored vis-network CSS refers to an outside resource.")
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
        if not url.startswith("data:"):
            raise RuntimeError(f"The vendored vis-network CSS refers to {url[:60]!r}.")
    return css


@lru_cache(maxsize=1)
def vendored_assets() -> tuple[str, str, str, str]:
    """vis-network JS and CSS cleaned for inlining, plus the page's own script and style."""
    vendor = _WEB.joinpath("static/vendor/vis-network")
    js = _clean_js(vendor.joinpath("vis-network.min.js").read_text(encoding="utf-8"))
    css = _clean_css(vendor.joinpath("vis-network.min.css").read_text(encoding="utf-8"))
    # the shared DOM helpers first: the page script reads them from ``window.GK``
    own_js = "\n".join(_WEB.joinpath(f"static/js/{name}.js").read_text(encoding="utf-8")
                       for name in ("dom", "mapdraw", "meeting_offline"))
    own_css = "\n".join(_WEB.joinpath(f"static/css/{name}.css").read_text(encoding="utf-8")
                        for name in ("meeting_offline", "map"))
    for name, text in (("script", own_js), ("style", own_css)):
        if _URL.search(text) or re.search(r"</(script|style)", text, re.I):
            raise RuntimeError(f"The offline map's own {name} refers outside the file.")
    return js, css, own_js, own_css


@lru_cache(maxsize=4)
def _catalogue(lang: str) -> Any:
    """The web interface's translations for ``lang`` (English: the msgids themselves)."""
    return Translations.load(str(_WEB.joinpath("translations")), [lang])


@lru_cache(maxsize=4)
def _environment(lang: str) -> Environment:
    """The templates, with the web interface's catalogue for ``lang``."""
    env = Environment(loader=PackageLoader("graphsvc.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(_catalogue(lang), newstyle=True)  # type: ignore[attr-defined]
    # a URL typed into a name stays readable text but is no longer an address in the file
    env.filters["text"] = lambda value: Markup(str(escape(value)).replace("://", ":&#47;&#47;"))
    return env


def _map_keys(env: Environment, lang: str, rungs: dict[str, str]) -> str:
    """The live map's key help, live region and key texts (``_map_keys.html``) for the file."""
    enter = _catalogue(lang).gettext("Enter opens its profile.")
    return env.get_template("_map_keys.html").render(
        lang=lang, map_keys_enter=enter, map_keys_rungs={k: v for k, v in rungs.items() if v})


def _map_data(snap: Snapshot, area: str, lang: str, store: KeptData | None) -> dict[str, Any]:
    node = snap.area(area)
    code = str(node.props.get("code") or node.id)
    payload = map_payload(snap, MapFilters(area=node.id), lang=lang, store=store)
    interests: dict[str, str] = {}
    for entry in payload["nodes"]:
        themes = sorted(snap.targets("WORKS_ON", entry["id"]))
        entry["interests"] = themes
        for theme in themes:
            props = snap.nodes[theme].props if theme in snap.nodes else {}
            interests[theme] = str(props.get("name_en") or snap.name(theme)) if lang == "en" \
                else snap.name(theme)
    return {"area": {"id": node.id, "name": node.name, "code": code},
            "nodes": payload["nodes"], "edges": payload["edges"], "islands": payload["islands"],
            "positioned": bool(payload.get("positioned")),
            "interests": sorted(({"id": k, "name": v} for k, v in interests.items()),
                                key=lambda i: i["name"].casefold()),
            "area_names": {a: snap.name(a) for e in payload["nodes"] for a in e["areas"]}}


def offline_map_html(snap: Snapshot, area: str, *, lang: str = "nl",
                     rung_names: dict[int, str] | None = None, generated_at: str | None = None,
                     signal_heat: str | None = None, store: KeptData | None = None) -> str:
    """The area's map as one HTML document with everything inlined.

    Parameters
    ----------
    snap : Snapshot
        The graph to draw.
    area : str
        A Neighbourhood code or id; raises NotFound when unknown.
    lang : str
        ``nl`` or ``en``: the language of the file's interface text.
    rung_names : dict, optional
        Rung names of the vocabulary (default: the numbers only).
    signal_heat : str, optional
        The heat table of the area's early signals as a ``data:`` URI (shown below the islands);
        give the public's view of it, since the file travels.
    store : KeptData, optional
        The store ``snap`` was read from: the file then shows the layout the live map shows.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("w", "Neighbourhood", {"name": "West", "code": "E"})], [], []))
    >>> html = offline_map_html(snap, "E")
    >>> html.startswith("<!doctype html>") and "http://" not in html and "https://" not in html
    True
    """
    lang = lang if lang in OFFLINE_TEXT else "nl"
    texts = OFFLINE_TEXT[lang]
    data = _map_data(snap, area, lang, store)
    made = (generated_at or utc_now())[:10]
    data.update(lang=lang, generated=made, text=texts,
                rungs={str(r): (rung_names or {}).get(r, "") for r in range(1, 6)})
    vis_js, vis_css, own_js, own_css = vendored_assets()
    env = _environment(lang)
    map_keys = _map_keys(env, lang, data["rungs"])
    skip = _catalogue(lang).gettext("Skip to the map")
    shown_text = " ".join([*(str(n["label"]) for n in data["nodes"]), *texts.values(), map_keys, skip,
                           *(i["name"] for i in data["interests"]), *data["area_names"].values(),
                           data["area"]["name"], *data["rungs"].values()])
    return env.get_template("meeting_offline.html").render(
        font_css=Markup(embedded_font_css(shown_text)), map_keys=Markup(map_keys), skip=skip,
        lang=lang, texts=texts, data_json=safe_json(data),
        title=texts["title"].format(area=data["area"]["name"]),
        made=texts["made"].format(date=made), vis_js=Markup(vis_js), vis_css=Markup(vis_css),
        own_js=Markup(own_js), own_css=Markup(own_css), signal_heat=signal_heat,
    )


def write_offline_map(snap: Snapshot, area: str, path: str | Path, *, lang: str = "nl",
                      rung_names: dict[int, str] | None = None, store: KeptData | None = None) -> Path:
    """Write :func:`offline_map_html` to ``path`` (UTF-8); return the path written."""
    target = Path(path)
    target.write_text(offline_map_html(snap, area, lang=lang, rung_names=rung_names, store=store),
                      encoding="utf-8")
    return target
