"""Extract the interface strings, merge them into the Dutch catalogue and compile it.

Usage: python scripts/translations.py   (then fill new empty msgstr entries in
graphsvc/web/translations/nl/LC_MESSAGES/messages.po and run it again to compile)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "graphsvc" / "web" / "translations"
POT = ROOT / "build" / "messages.pot"


def run(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def main() -> None:
    POT.parent.mkdir(exist_ok=True)
    run("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", str(POT), ".")
    po = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
    if po.exists():
        run("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", "nl", "--no-fuzzy-matching")
    else:
        run("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", "nl")
    run("compile", "-d", str(TRANSLATIONS), "-l", "nl", "--statistics")


if __name__ == "__main__":
    main()
