"""The vendored Noto fonts cut to the characters a file uses, as CSS with data: URLs.

The offline map embeds them, so a projector laptop without the fonts still shows every name
(Latin, Arabic, Ge'ez, Tifinagh). Only the characters present in the file are kept.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from importlib.resources import files

from fontTools import subset
from fontTools.ttLib import TTFont

__all__ = ["FONT_FAMILIES", "embedded_font_css"]

#: family and vendored file (graphsvc/web/static/vendor/fonts), in fallback order
FONT_FAMILIES = (
    ("Noto Sans", "NotoSans-Regular.woff"),
    ("Noto Sans Arabic", "NotoSansArabic-Regular.woff"),
    ("Noto Sans Ethiopic", "NotoSansEthiopic-Regular.woff"),
    ("Noto Sans Tifinagh", "NotoSansTifinagh-Regular.woff"),
)
_LATIN_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))


@lru_cache(maxsize=4)
def _font_bytes(name: str) -> bytes:
    return files("graphsvc.web").joinpath(f"static/vendor/fonts/{name}").read_bytes()


@lru_cache(maxsize=4)
def _cmap(name: str) -> frozenset[int]:
    return frozenset(TTFont(io.BytesIO(_font_bytes(name))).getBestCmap())


def _cut(name: str, chars: set[int]) -> bytes:
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    font = TTFont(io.BytesIO(_font_bytes(name)))
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=sorted(chars))
    cutter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=16)
def embedded_font_css(text: str) -> str:
    """``@font-face`` rules with the fonts cut to the characters of ``text`` (data: URLs), and
    the font stack for the page body.

    Examples
    --------
    >>> css = embedded_font_css("Tamazight ⵜⴰⵎⴰⵣⵉⵖⵜ")
    >>> "Noto Sans Tifinagh" in css and "Noto Sans Ethiopic" not in css.split("body")[0]
    True
    """
    used = {ord(ch) for ch in text + _LATIN_ALWAYS}
    rules = []
    for family, name in FONT_FAMILIES:
        chars = used & _cmap(name)
        if family != "Noto Sans" and not any(c > 0x7F for c in chars):
            continue
        data = base64.b64encode(_cut(name, chars)).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: 400; '
                     f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
    stack = ", ".join(f'"{family}"' for family, _ in FONT_FAMILIES)
    rules.append(f"body {{ font-family: {stack}, system-ui, sans-serif; }}")
    return "\n".join(rules)
