"""Accessibility figures over the demo: axe-core serious/critical counts, sideways scroll and LIX per page.

Run from the repository root: ``.venv/bin/python scripts/a11y_audit.py [--widths 1280,390] [--json out]``.
It serves the demo on a free 127.0.0.1 port and drives the project's headless Chromium.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.store import open_store
from graphsvc.web import create_app
from tests.browser.a11y import (
    PAGES,
    axe_violations,
    lix,
    log_in,
    main_text,
    open_meeting,
    pages_for,
    sideways_overflow,
)
from tests.browser.conftest import CHROMIUM_FLAGS, LiveServer, chromium_path


def audit(widths: list[int], roles: list[str]) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'audit.db'}"
        store = open_store(url)
        load_demo(store)
        app = create_app(load_settings(environ={}, store=url, testing=True, secret_key="audit"),
                         store=store)
        with LiveServer(app) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), headless=True,
                                        args=CHROMIUM_FLAGS)
            for role in roles:
                ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800},
                                          bypass_csp=True)
                page = ctx.new_page()
                if role != "public":
                    log_in(page, app, role)
                if role == "coach":
                    open_meeting(page)
                for width in widths:
                    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 800})
                    for path in pages_for(role, app):
                        page.goto(f"{path}{'&' if '?' in path else '?'}lang=nl")
                        page.wait_for_timeout(400)
                        found = axe_violations(page)
                        rows.append({"role": role, "width": width, "path": path,
                                     "serious": len(found), "rules": [v["id"] for v in found],
                                     "sideways": sideways_overflow(page),
                                     "lix": lix(main_text(page))})
                ctx.close()
            browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--widths", default="1280,390")
    parser.add_argument("--roles", default=",".join(PAGES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = audit([int(w) for w in args.widths.split(",")], args.roles.split(","))
    for r in rows:
        print(f"{r['role']:7} {r['width']:5} {r['path']:45} axe={r['serious']:2} "
              f"side={r['sideways']:4} lix={r['lix']:5} {' '.join(sorted(set(r['rules'])))}")
    print(f"total serious/critical violations: {sum(r['serious'] for r in rows)} "
          f"over {len(rows)} page views; pages scrolling sideways: "
          f"{sum(1 for r in rows if r['sideways'] > 0)}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
