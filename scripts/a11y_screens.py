"""Phone screenshots (390×844) of the main tasks into docs/: map, actor, coach workspace, meeting.

Run from the repository root: ``.venv/bin/python scripts/a11y_screens.py [--width 390 --height 844]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.store import open_store
from graphsvc.web import create_app
from tests.browser.a11y import MEETING, ORG, log_in, open_meeting
from tests.browser.conftest import CHROMIUM_FLAGS, LiveServer, chromium_path

SHOTS = {"phone-map": "/map", "phone-actor": f"/actors/{ORG}", "phone-coach": f"/coach/{ORG}",
         "phone-meeting": f"/meeting/{MEETING}"}


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=int, default=390)
    parser.add_argument("--height", type=int, default=844)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'shots.db'}"
        store = open_store(url)
        load_demo(store)
        app = create_app(load_settings(environ={}, store=url, testing=True, secret_key="shots"),
                         store=store)
        with LiveServer(app) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), headless=True,
                                        args=CHROMIUM_FLAGS)
            ctx = browser.new_context(base_url=server.url, device_scale_factor=1,
                                      viewport={"width": args.width, "height": args.height})
            page = ctx.new_page()
            log_in(page, app, "coach")
            open_meeting(page)
            for name, path in SHOTS.items():
                if args.only and args.only not in name:
                    continue
                page.goto(f"{path}?lang=nl")
                page.wait_for_timeout(2500 if "map" in name or "meeting" in name else 300)
                target = args.out / f"{name}{'' if args.width == 390 else '-' + str(args.width)}.png"
                page.screenshot(path=str(target))
                print(target)
            browser.close()


if __name__ == "__main__":
    main()
