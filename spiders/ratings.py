"""Ratings and dates as review pages write them: "1,0 su 5 stelle", "4 out of 5 stars",
"★★★☆☆", "4.5", "12 marzo 2024", "2024-03-12T10:00:00Z"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

NUMBER = r"(\d+(?:[.,]\d+)?)"
# "4 out of 5", "1,0 su 5", "3/5", "4 di 5", "4 von 5", "4 sur 5", "4 de 5", "4 van 5"
OUT_OF = re.compile(NUMBER + r"\s*(?:stars?|stelle|stella|sterne|étoiles?|estrellas?)?\s*"
                    r"(?:/|out\s+of|of|su|di|von|sur|de|van|z)\s*" + NUMBER, re.IGNORECASE)
SINGLE = re.compile(NUMBER)
FULL_STARS, EMPTY_STARS = "★", "☆"
DATE_LANGUAGES = ["it", "en", "de", "fr", "es", "nl", "pt"]
# Two days a week apart: a date that reads differently from each is relative to today.
RELATIVE_BASES = (datetime(2020, 6, 10, 12), datetime(2020, 6, 17, 15))
RELATIVE_WORDS = re.compile(r"\b(fa|ago|ieri|oggi|yesterday|today|adesso|now)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rating:
    value: float
    best: float | None = None
    worst: float | None = None

    def normalized(self, default_best: float = 5.0) -> tuple[float, float]:
        """(value, best) on a scale that starts at 0, as the detector reads it.

        schema.org's defaults are best 5 and worst 1; a scale starting at 1 is kept as it
        is (1/5 stays 1/5), any other lowest value is shifted to 0.
        """
        best = self.best if self.best is not None else default_best
        worst = self.worst if self.worst is not None else 1.0
        if worst in (0.0, 1.0):
            return self.value, best
        return self.value - worst, best - worst


def to_number(value) -> float | None:
    """A number from a schema.org value: 4, "4.5", "4,5", " 5 ", or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = SINGLE.search(value)
        if match:
            return float(match.group(1).replace(",", "."))
    return None


def parse_rating_text(text: str) -> Rating | None:
    """The rating written in `text`, with its scale when the text gives one."""
    if not text:
        return None
    full, empty = text.count(FULL_STARS), text.count(EMPTY_STARS)
    match = OUT_OF.search(text)
    if match:
        value, best = (float(g.replace(",", ".")) for g in match.groups())
        if 0 <= value <= best:
            return Rating(value, best)
    match = SINGLE.search(text)
    if match:
        return Rating(float(match.group(1).replace(",", ".")))
    if full:
        return Rating(float(full), float(full + empty) if empty else None)
    return None


def parse_date_text(text: str) -> str | None:
    """An ISO 8601 date (or date and time) from a date as a page writes it, else None."""
    text = " ".join((text or "").split())
    if not text:
        return None
    iso = _iso_date(text)
    if iso:
        return iso
    parsed = _dateparser(text)
    if parsed is None:
        return None
    if parsed.hour == parsed.minute == parsed.second == 0 and not parsed.tzinfo:
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="seconds")


def is_relative_date(text: str) -> bool:
    """Whether `text` is a date relative to the day it is read ("2 giorni fa", "3 days ago",
    "ieri", "lunedì"): tomorrow the page writes another text, or it means another day, so
    such a date can be no part of an identity."""
    text = " ".join((text or "").split())
    if not text or _iso_date(text):
        return False
    if RELATIVE_WORDS.search(text):
        return True
    first, second = (_dateparser(text, {"RELATIVE_BASE": base}) for base in RELATIVE_BASES)
    return first is not None and first != second


def _iso_date(text: str) -> str | None:
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def _dateparser(text: str, settings: dict | None = None):
    import dateparser  # slow to import; only pages without machine-readable dates need it

    return dateparser.parse(text, languages=DATE_LANGUAGES,
                            settings={"PREFER_DAY_OF_MONTH": "first", **(settings or {})})
