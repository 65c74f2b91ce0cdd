"""Characters and cell text: which characters are Chinese, and a cell as a person reads it."""

from __future__ import annotations

import re
import unicodedata

# CJK ideographs: the basic block, extension A, compatibility ideographs and extensions B-F
HAN_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
HAN_CLASS = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in HAN_RANGES)
# besides ideographs, Chinese text is written with CJK punctuation and full-width forms
_CJK_MARKS = ((0x3000, 0x303F), (0xFF00, 0xFFEF))
_HAN = re.compile(f"[{HAN_CLASS}]")
_HAN_CHAR = _HAN.match


def is_han(char: str) -> bool:
    """True for a CJK ideograph (one compiled match: this runs once a character over
    millions of names)."""
    return _HAN_CHAR(char) is not None


def has_han(text: str) -> bool:
    """Whether any character is a CJK ideograph (one regular-expression pass)."""
    return _HAN.search(text) is not None


def han_to_spaces(text: str) -> str:
    """TEXT with each CJK ideograph replaced by a space."""
    return _HAN.sub(" ", text)


def is_chinese_text(char: str) -> bool:
    """An ideograph, or the punctuation and full-width forms written with them."""
    code = ord(char)
    return is_han(char) or any(low <= code <= high for low, high in _CJK_MARKS)


def clean(text: str | None) -> str:
    """Trim and fold full-width ASCII (Ｎａｍｅ → Name) and odd spaces."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", text).strip()
