"""Fill empty Dutch translations from a JSON file of {english: dutch} and recompile.

Usage: python scripts/po_fill.py translations.json   (then commit the .po and .mo)
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "graphsvc/web/translations/nl/LC_MESSAGES/messages.po"


def main() -> None:
    # several people may run this at once: one at a time
    lock = open("/tmp/goudkaart-po.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    subprocess.run([sys.executable, str(Path(__file__).with_name("translations.py"))], check=True,
                   capture_output=True)
    pairs = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    with PO.open("rb") as f:
        catalog = read_po(f)
    missing = []
    for message in catalog:
        if message.id and not message.string:
            if message.id in pairs:
                message.string = pairs[message.id]
            else:
                missing.append(message.id)
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
    subprocess.run([sys.executable, str(Path(__file__).with_name("translations.py"))], check=True,
                   capture_output=True)
    for m in missing:
        print(f"untranslated: {m!r}")


if __name__ == "__main__":
    main()
