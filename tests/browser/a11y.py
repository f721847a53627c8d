"""Accessibility checks shared by the browser tests and scripts/a11y_audit.py: axe-core, LIX, page lists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import PASSWORD

__all__ = ["AXE", "PAGES", "WIDTHS", "axe_violations", "lix", "log_in", "main_text", "open_meeting", "pages_for",
           "running_text", "sideways_overflow"]

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
#: the WCAG 2.2 A/AA rule tags axe runs
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 390)
ORG = "org-akwaaba-health"
MEETING = "WK0363FD"

_COMMON = ("/", "/map", "/organisations", f"/actors/{ORG}", "/actors/{institution}",
           "/actors/{fund}", "/meeting", f"/meeting/{MEETING}",
           f"/meeting/{MEETING}/agenda", "/toegankelijkheid", "/begrippen", "/nergens")
#: role -> the pages a person in that role reaches from the menu (the demo data's ids)
PAGES: dict[str, tuple[str, ...]] = {
    "public": (*_COMMON, "/login"),
    "coach": (*_COMMON, "/coach", f"/coach/{ORG}", f"/coach/{ORG}/sheet",
              f"/organisations/{ORG}/history"),
    "funder": (*_COMMON, "/funders"),
    "admin": (*_COMMON, "/data", "/data/duplicates", "/admin/audit", "/admin/privacy", "/funders"),
}


def pages_for(role: str, app: Flask) -> list[str]:
    """The pages of ``role`` with the ids of the store's first institution and fund filled in."""
    store = app.extensions["goudkaart"].store
    ids = {label.lower(): next(iter(store.iter_nodes(label))).id for label in ("Institution", "Fund")}
    return [path.format(**ids) for path in PAGES[role]]


def log_in(page: Any, app: Flask, role: str) -> None:
    """Create an account for ``role`` (coach of the demo's first organisation) and log in."""
    orgs = [ORG] if role in ("coach", "member") else []
    with app.app_context():
        accounts = app.extensions["goudkaart"].accounts
        if not any(u.username == f"a11y-{role}" for u in accounts.users()):
            accounts.add_user(f"a11y-{role}", PASSWORD, role, orgs)
    page.goto("/login")
    page.fill("#username", f"a11y-{role}")
    page.fill("#password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/")


def open_meeting(page: Any) -> None:
    """As a coach: start a meeting on the demo wijk, so meeting mode shows its record panel."""
    page.goto(f"/meeting/{MEETING}")
    if page.locator("#open-form").count():
        page.fill("#open-form input[name=name]", "Wijktafel Slotermeer-Noordoost")
        page.click("#btn-open")
        page.wait_for_selector("#record-form")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}); return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary).slice(0, 4)})); }",
        AXE_TAGS)
    return [v for v in result if v["impact"] in ("serious", "critical")]


def sideways_overflow(page: Any) -> int:
    """How many CSS px the page scrolls sideways (0 when it reflows)."""
    return int(page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"))


#: ``innerText`` of ``<main>`` with each closed drop-down counted as the one option it shows
#: (``innerText`` would list every option of a ``<select>``, text nobody sees until it opens)
_VISIBLE_TEXT = """(names) => {
  const main = document.querySelector('main') || document.body, undo = [];
  const hide = (el, shown) => {
    const display = el.style.display;
    el.style.display = 'none';
    if (shown) { el.after(shown); }
    undo.push(() => { if (shown) { shown.remove(); } el.style.display = display; });
  };
  main.querySelectorAll('select:not([multiple])').forEach(sel => {
    if (sel.size > 1) { return; }
    const shown = document.createElement('span');
    shown.textContent = sel.selectedOptions.length ? sel.selectedOptions[0].text : '';
    hide(sel, shown);
  });
  if (!names) { main.querySelectorAll('[translate="no"]').forEach(el => hide(el, null)); }
  const text = main.innerText;
  undo.forEach(f => f());
  return text;
}"""


def running_text(page: Any) -> str:
    """The sentences of ``<main>``: paragraphs, headings, summaries, legends and captions that are
    shown, outside tables. Names in tables, lists and drop-downs are data, not running text."""
    return str(page.evaluate(
        "() => Array.from((document.querySelector('main') || document.body).querySelectorAll("
        "'p, h1, h2, h3, h4, h5, h6, summary, legend, caption, figcaption'))"
        ".filter(el => !el.closest('table, select') && el.getClientRects().length"
        " && !el.parentElement.closest('p, h1, h2, h3, h4, h5, h6, summary, legend, caption, figcaption'))"
        ".map(el => el.innerText.replace(/\\s*\\n\\s*/g, ' ').trim()).filter(Boolean).join('\\n')"))


def main_text(page: Any, names: bool = True) -> str:
    """The visible text of the page's ``<main>`` (a closed drop-down shows only its chosen option).

    ``names=False`` leaves out proper names marked ``translate="no"`` (organisations, funds, areas
    in the tables of ``/funders``): a writer cannot make "Rijksregeling Inburgering Dichtbij"
    shorter, and a reader takes it in as a name, not as words to understand."""
    return str(page.evaluate(_VISIBLE_TEXT, names))


_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;](?:\s|$)")


def lix(text: str) -> float:
    """LIX readability: words per sentence + 100 × share of words longer than six letters.

    Every non-empty line counts as at least one sentence (a heading, a label, a list item), so a
    page of short items is not scored as one long sentence. A tab ends a line too: ``innerText``
    puts one between the cells of a table row, and a cell (a name, an amount) is read on its own,
    like a list item, not as one sentence with the rest of its row. Words after the last full
    stop of a line are a sentence of their own ("Download: CSV · XLSX" is two).

    >>> lix("De kaart laat zien wie samenwerkt. Klik op een stip.")
    15.0
    >>> lix("Taalmaatjes Slotervaart\\t€ 138.750\\tRijksregeling Inburgering Dichtbij")
    102.5
    """
    words = 0
    long_words = 0
    sentences = 0
    for line in text.replace("\t", "\n").splitlines():
        found = _WORD.findall(line)
        if not found:
            continue
        words += len(found)
        long_words += sum(1 for w in found if len(w.replace("-", "")) > 6)
        sentences += max(1, sum(1 for part in _SENTENCE_END.split(line) if _WORD.search(part)))
    if not words:
        return 0.0
    return round(words / sentences + 100 * long_words / words, 1)
