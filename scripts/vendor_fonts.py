"""Vendor Noto Sans (Latin), Noto Sans Arabic, Ethiopic and Tifinagh as small WOFF files.

Source: Debian's ``fonts-noto-core`` (``apt-get install fonts-noto-core``), SIL Open Font Licence
1.1, no reserved font names. Each font is cut to the Unicode blocks its script needs; the licence
text is copied beside the files. Run: ``python scripts/vendor_fonts.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset

SOURCE = Path("/usr/share/fonts/truetype/noto")
DEST = Path(__file__).resolve().parent.parent / "graphsvc/web/static/vendor/fonts"
#: family, file stem, Unicode ranges (also written as the CSS unicode-range)
FONTS = [
    ("Noto Sans", "NotoSans-Regular",
     "U+0000-024F, U+0259, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0300-036F, U+1E00-1EFF, "
     "U+2000-206F, U+20AC, U+2122, U+2190-2193, U+2212, U+2215"),
    ("Noto Sans Arabic", "NotoSansArabic-Regular",
     "U+0600-06FF, U+0750-077F, U+08A0-08FF, U+200C-200F, U+FB50-FDFF, U+FE70-FEFF"),
    ("Noto Sans Ethiopic", "NotoSansEthiopic-Regular",
     "U+1200-139F, U+2D80-2DDF, U+AB00-AB2F"),
    ("Noto Sans Tifinagh", "NotoSansTifinagh-Regular", "U+2D30-2D7F"),
]


def _codepoints(ranges: str) -> list[int]:
    points: list[int] = []
    for part in ranges.split(","):
        low, _, high = part.strip()[2:].partition("-")
        points.extend(range(int(low, 16), int(high or low, 16) + 1))
    return points


def main() -> int:
    if not SOURCE.is_dir():
        print("Install Debian's fonts-noto-core first (apt-get install fonts-noto-core).", file=sys.stderr)
        return 1
    DEST.mkdir(parents=True, exist_ok=True)
    css = ["/* Noto fonts, cut per script (scripts/vendor_fonts.py); licence: OFL.txt */"]
    for family, stem, ranges in FONTS:
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        font = subset.load_font(str(SOURCE / f"{stem}.ttf"), options)
        sub = subset.Subsetter(options)
        sub.populate(unicodes=_codepoints(ranges))
        sub.subset(font)
        subset.save_font(font, str(DEST / f"{stem}.woff"), options)
        css.append(f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
                   f'font-display: swap; src: url("{stem}.woff") format("woff"); unicode-range: {ranges}; }}')
    (DEST / "fonts.css").write_text("\n".join(css) + "\n", encoding="utf-8")
    copyright_text = Path("/usr/share/doc/fonts-noto-core/copyright").read_text(encoding="utf-8")
    found = re.findall(r"^License: OFL-1\.1\n(.*?)(?=^\S|\Z)", copyright_text, re.M | re.S)
    (DEST / "OFL.txt").write_text(
        "Noto fonts: Copyright 2010-2020 Google Inc. / Google LLC. SIL Open Font License 1.1.\n"
        "Subsetted copies of Debian's fonts-noto-core files; no Reserved Font Names.\n\n"
        + re.sub(r"^ \.?", "", max(found, key=len, default=""), flags=re.M), encoding="utf-8")
    print(f"vendored {len(FONTS)} fonts into {DEST}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
