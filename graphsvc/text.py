"""Text helpers below every layer: the one way names are compared."""

from __future__ import annotations

import unicodedata

__all__ = ["normalise_name"]


# letters NFKD does not split into base + accent (Turkish dotless i, Polish l, Nordic o, ...)
_FOLD = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                       "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"})


def normalise_name(text: str) -> str:
    """Lower-case, accents removed, spaces squeezed: for search and duplicate detection.

    Examples
    --------
    >>> normalise_name("  Stichting  Öz-Birlik ")
    'stichting oz-birlik'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
