"""Match brand -> classify: everything about an entry that needs no database.

A scan with worker processes runs this there (`prepare_entries`, through
SourcesSpider.run_parser), so that matching and the detector use every core and the
scan's own process only stores; otherwise the pipeline runs it. This module stays free
of Scrapy and Twisted so that the workers start quickly.
"""

from __future__ import annotations

import functools

from monitor.detect.matching import BrandMatcher
from spiders.identity import canonical_url, content_hash, mention_key
from spiders.items import Entry


def entry_text(entry: Entry) -> str:
    return f"{entry.title}\n{entry.text}" if entry.title else entry.text


def prepare(entry: Entry, matcher: BrandMatcher) -> bool:
    """Does `entry` mention the brand? When it does, its mention's columns that need no
    database go on `entry.prepared` (the verdict among them). Done once per entry."""
    if entry.matched is None:
        text = entry_text(entry)
        entry.matched = bool(entry.always_mention or matcher.find(text))
        if entry.matched:
            entry.prepared = mention_columns(entry, matcher, text)
    return entry.matched


def mention_columns(entry: Entry, matcher: BrandMatcher, text: str) -> dict:
    # Imported on first use: a scan that finds nothing new never loads the detector.
    from monitor.detect.classify import classify

    verdict = classify(text, rating=entry.rating, best_rating=entry.best_rating)
    return {
        "key": mention_key(entry.url, entry.entry_id),  # the entry's own key
        "kind": entry.kind,
        "url": canonical_url(entry.url),
        "entry_id": entry.entry_id,
        "title": entry.title,
        "text": entry.text,
        "snippet": matcher.snippet(entry.text or entry.title),
        "author": entry.author,
        "published_at": entry.published_at,
        "rating": entry.rating,
        "best_rating": entry.best_rating,
        "content_hash": content_hash(entry.title, entry.text, entry.author,
                                     str(entry.rating)),
        "language": verdict.language,
        "negative": verdict.negative,
        "score": round(verdict.score, 4),
        "severity": verdict.severity,
        "categories": list(verdict.categories),
        "reasons": list(verdict.reasons),
        "page_note": entry.page_note or None,
    }


def prepare_entries(brand_names: list[str], exclude: list[str], entries: list) -> list:
    """`prepare` every entry of `entries`; runs in the scan's worker processes, so that
    matching and the detector use every core. An entry the reader follows to its page
    (spiders.follow) is left alone: its text is not the one it will be stored with."""
    matcher = _worker_matcher(tuple(brand_names), tuple(exclude))
    for entry in entries:
        if isinstance(entry, Entry) and not entry.follow:
            prepare(entry, matcher)
    return entries


@functools.lru_cache(maxsize=4)
def _worker_matcher(names: tuple[str, ...], exclude: tuple[str, ...]) -> BrandMatcher:
    return BrandMatcher(list(names), list(exclude))

