"""Find the brand in extracted text: case- and accent-insensitive, whole words.

An occurrence inside one of the brand's `exclude` phrases does not count ("Apple" in
"apple pie"). The matcher also cuts the snippet shown in listings and the digest.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SNIPPET_CHARS = 240


class _FoldTable(dict):
    """str.translate table: each character casefolded and stripped of accents, filled in
    as new characters are met, so that folding runs at C speed."""

    def __missing__(self, code: int) -> str:
        pieces = unicodedata.normalize("NFKD", chr(code).casefold())
        folded = "".join(piece for piece in pieces if not unicodedata.combining(piece))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> tuple[str, list[int] | None]:
    """Casefold `text` and strip its accents.

    Returns the folded text and, when it is not aligned with `text` character for
    character (a "ß" becomes "ss"), the index of the original character of each folded
    one, so that spans found in the folded text map back.
    """
    if text.isascii():
        return text.lower(), None
    folded = text.translate(_FOLD)
    if len(folded) == len(text) and all(len(_FOLD[ord(c)]) == 1 for c in set(text)
                                        if ord(c) > 127):
        return folded, None
    origin = [index for index, char in enumerate(text) for _ in _FOLD[ord(char)]]
    return folded, origin


def _phrase_pattern(phrases: list[str]) -> re.Pattern | None:
    parts = []
    for phrase in phrases:
        words = fold(phrase)[0].split()
        if words:
            parts.append(r"\s+".join(re.escape(word) for word in words))
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class BrandMatcher:
    """Finds the brand name and its aliases in text."""

    def __init__(self, names: list[str], exclude: list[str] | None = None):
        self.pattern = _phrase_pattern(names)
        if self.pattern is None:
            raise ValueError("the brand needs at least one non-empty name")
        self.exclude = _phrase_pattern(exclude or [])

    @classmethod
    def for_brand(cls, brand) -> BrandMatcher:
        return cls(brand.names, brand.exclude)

    def find(self, text: str) -> list[Span]:
        """The spans of `text` (original indices) where the brand is named."""
        if not text:
            return []
        folded, origin = fold(text)
        matches = [match.span() for match in self.pattern.finditer(folded)]
        if not matches:
            return []
        excluded = [m.span() for m in self.exclude.finditer(folded)] if self.exclude else []
        spans = []
        for start, end in matches:
            if any(lo <= start and end <= hi for lo, hi in excluded):
                continue
            if origin is None:
                spans.append(Span(start, end))
            else:
                spans.append(Span(origin[start], origin[end - 1] + 1))
        return spans

    def snippet(self, text: str, size: int = SNIPPET_CHARS) -> str:
        """About `size` characters of `text` around the first mention of the brand."""
        text = " ".join(text.split())
        spans = self.find(text)
        if len(text) <= size:
            return text
        center = (spans[0].start + spans[0].end) // 2 if spans else 0
        start = max(0, min(center - size // 2, len(text) - size))
        end = start + size
        if start > 0:
            start = text.find(" ", start) + 1 or start
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
        return ("…" if start > 0 else "") + text[start:end].strip() + (
            "…" if end < len(text) else "")
