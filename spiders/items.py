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
    # The text is a feed's cut summary of a longer page (spiders.excerpts), and whether
    # the reader follows the entry to that page for the whole text (spiders.follow).
    excerpt: bool = False
    follow: bool = False
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
class PageVisit:
    """What a source read of one page besides its feed, stored after the page's entries:
    the page's cache validators and body hash (a rescan asks for it conditionally and
    skips it when it is unchanged) and the links it led to (followed again when it is
    unchanged); or, with `error`, why it could not be read and the entry `waiting` for its
    whole text (as a dict of Entry fields), tried again on the next scans."""

    source: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    links: list | None = None
    comments: int | None = None  # comments read on it (None: not a page read for them)
    error: str | None = None
    waiting: dict | None = None


@dataclass
class SourceOutcome:
    """The end of one source's part of a scan: read (error is None) or failed."""

    source: str
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    entry_count: int | None = None
