"""Dutch as a native speaker writes it: no English from the catalogue on any page or error page in nl."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.web.walk import ROLES, World, build_world, rules, url_for_rule

PO = Path(__file__).resolve().parents[2] / "graphsvc/web/translations/nl/LC_MESSAGES/messages.po"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
#: raw codes that must never reach a Dutch page as text
RAW_CODES = re.compile(r"\b(ACTIVE_IN|WORKS_ON|womens-organisation|migrant-self-organisation|Organisation|"
                       r"Institution)\b")


def _pattern(english: str) -> re.Pattern[str]:
    parts = re.split(r"%\(\w+\)s|\{\w+\}", english)
    return re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$", re.DOTALL)


def english_strings() -> list[tuple[str, re.Pattern[str]]]:
    """Every English catalogue string whose Dutch differs, as a whole-text pattern."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        dutch = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in dutch or len(english) < 4 or not re.search(r"[A-Za-z]{3}", english):
                continue
            found.append((english, _pattern(english)))
    return found


class Texts(HTMLParser):
    """Text nodes and readable attributes of a page, outside <script>, <style> and lang="en" parts."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in ("script", "style") or values.get("lang") == "en"
        if tag not in VOID:
            self.stack.append((tag, skip))
        if not (skip or self._skipping()):
            self.texts.extend(str(values[a]) for a in ATTRIBUTES if values.get(a))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skipping():
            self.texts.append(text)


def untranslated(html: str, catalogue: list[tuple[str, re.Pattern[str]]]) -> list[str]:
    parser = Texts()
    parser.feed(html)
    hits = [f"{english!r} in {text!r}" for text in parser.texts for english, pattern in catalogue
            if pattern.match(text)]
    return hits + [f"raw code in {text!r}" for text in parser.texts if RAW_CODES.search(text)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Path(tmp_path_factory.mktemp("dutch")))


def test_the_catalogue_is_complete() -> None:
    with PO.open("rb") as f:
        catalog = read_po(f)
    empty = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                  and not all(m.string)))]
    assert not empty, f"untranslated catalogue entries: {empty}"


def test_the_check_finds_english_on_a_page() -> None:
    catalogue = english_strings()
    assert untranslated("<p>Open the map</p>", catalogue) == ["'Open the map' in 'Open the map'"]
    assert untranslated('<p lang="en">Open the map</p><p>Open de kaart</p>', catalogue) == []
    assert untranslated("<td>Organisation</td>", catalogue)


@pytest.mark.parametrize("role", ["public", "coachA", "funder", "admin"])
def test_every_page_in_dutch_has_no_english(world: World, role: str) -> None:
    catalogue = english_strings()
    client = world.app.test_client()
    found: dict[str, list[str]] = {}
    for rule, method in rules(world.app):
        if method != "GET" or rule.rule.startswith(("/api/", "/static")) or rule.endpoint == "api.healthz":
            continue
        path = url_for_rule(rule, world.params)
        response = client.get(f"{path}?lang=nl", headers=world.headers(role))
        if not response.content_type.startswith("text/html"):
            continue
        hits = untranslated(response.get_data(as_text=True), catalogue)
        if hits:
            found[f"{path} ({response.status_code})"] = hits
    assert not found, f"English on Dutch pages for {role}: {found}"


@pytest.mark.parametrize("path", ["/nergens", "/funders", "/data", "/funders?period=morgen",
                                  "/organisations?area=nergens", "/actors/nobody"])
def test_error_pages_in_dutch_have_no_english(world: World, path: str) -> None:
    client = world.app.test_client()
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}lang=nl", headers=world.headers("memberA"))
    assert response.status_code >= 400 or "Inloggen" in response.get_data(as_text=True)
    assert untranslated(response.get_data(as_text=True), english_strings()) == []


assert set(ROLES) >= {"public", "coachA", "funder", "admin"}
