"""Fill empty Dutch translations, plural forms included, from JSON {english: dutch or [one, many]}.

Usage: python scripts/po_fill_plural.py translations.json   (then commit the .po and .mo)
A plural message is keyed by its singular English form and given as a list of Dutch forms.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "graphsvc/web/translations/nl/LC_MESSAGES/messages.po"


def _empty(string: str | tuple[str, ...]) -> bool:
    return not string or (isinstance(string, tuple) and not all(string))


def main() -> None:
    lock = open("/tmp/goudkaart-po.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    translations = Path(__file__).with_name("translations.py")
    subprocess.run([sys.executable, str(translations)], check=True, capture_output=True)
    pairs = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    with PO.open("rb") as f:
        catalog = read_po(f)
    missing = []
    for message in catalog:
        if not message.id or not _empty(message.string):
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        value = pairs.get(key)
        if value is None:
            missing.append(key)
        elif isinstance(message.id, tuple):
            message.string = tuple(value) if isinstance(value, list) else (value, value)
        else:
            message.string = value if isinstance(value, str) else value[0]
        if value is not None:
            message.flags.discard("fuzzy")
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False)
    subprocess.run([sys.executable, str(translations)], check=True, capture_output=True)
    for m in missing:
        print(f"untranslated: {m!r}")


if __name__ == "__main__":
    main()
