"""Screenshots of what a meeting sees, at 1920×1080 on the demo data, for docs/.

Run: ``python scripts/map_screenshots.py [out_dir]`` (headless Chromium at /usr/bin/chromium).
Writes map-1920.png (/map), meeting-F-1920.png (/meeting/F, dark projector colours, two
organisations picked) and offline-F-1920.png (the offline file of F), each cut to 256 colours.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.store import open_store
from graphsvc.web import create_app

FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
READY = "window.{0} && window.{0}.ready === true"


def _small(path: Path) -> None:
    Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    work = Path(tempfile.mkdtemp())
    store = open_store(f"sqlite:///{work / 'demo.db'}")
    load_demo(store)
    app = create_app(load_settings(environ={}, store=store.url, testing=True, secret_key="shots"), store=store)
    with app.app_context():
        app.extensions["goudkaart"].accounts.add_user("coach-shots", "correct horse battery", "coach", [])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
        page = browser.new_context(base_url=base, viewport={"width": 1920, "height": 1080},
                                   bypass_csp=True).new_page()
        page.goto("/map")
        page.wait_for_function(READY.format("goudkaartMap"), timeout=60000)
        page.screenshot(path=out / "map-1920.png")
        page.goto("/login")
        page.fill("#username", "coach-shots")
        page.fill("#password", "correct horse battery")
        page.click("form.stacked button[type=submit]")
        page.wait_for_url("**/")
        page.goto("/meeting/F")
        page.fill("#open-form input[name=name]", "Wijktafel Nieuw-West")
        page.click("#btn-open")
        page.wait_for_function(READY.format("goudkaartMeeting"), timeout=60000)
        page.click("#btn-theme")
        islands = page.evaluate("Object.keys(window.goudkaartMeeting.islands).sort()")
        page.select_option("#pick-a", islands[0])
        page.select_option("#pick-b", islands[1])
        page.wait_for_timeout(500)
        page.screenshot(path=out / "meeting-F-1920.png")
        html = page.request.get("/meeting/F/offline.html").text()
        page.set_content(html)
        page.wait_for_function(READY.format("goudkaartOffline"), timeout=60000)
        page.screenshot(path=out / "offline-F-1920.png")
        browser.close()
    server.shutdown()
    for name in ("map-1920.png", "meeting-F-1920.png", "offline-F-1920.png"):
        _small(out / name)
        print(out / name, (out / name).stat().st_size // 1024, "kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
