"""What the spiders hand to the pipeline: entries read from a source, and how a source went."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Entry:
    """One thing written on the web that may mention the brand: a feed entry, a review,
    a blog post or a comment, with its text already extracted from the markup."""

    source: str
    url: str
    entry_id: str
    text: str
    title: str = ""
    author: str = ""
    published_at: str | None = None
    kind: str = "entry"
    rating: float | None = None
    best_rating: float | None = None
    always_mention: bool = False
    # Found by a search source: the link the engine gave (maybe a redirect wrapper), and
    # why the text is the engine's snippet rather than the page's own ("" when it is not).
    found_by_search: bool = False
    via_url: str = ""
    page_note: str = ""
    # Set in a worker process (see SourcesSpider.run_parser and
    # monitor.collect.pipeline.prepare_entries): whether the entry mentions the brand and, when it
    # does, the mention's columns that need no database; else the pipeline does both.
    matched: bool | None = None
    prepared: dict | None = None


@dataclass
class EntryBatch:
    """The entries of one response (a whole feed), handed to the pipeline as one item:
    Scrapy's per-item machinery costs more than storing an entry."""

    entries: list[Entry]


@dataclass
class Sighting:
    """A search source found a mention already stored with its page's own text: only the
    sighting is recorded, the mention is left as it is."""

    source: str
    mention_key: str
    url: str
    via_url: str


@dataclass
class SourceOutcome:
    """The end of one source's part of a scan: read (error is None) or failed."""

    source: str
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    entry_count: int | None = None
