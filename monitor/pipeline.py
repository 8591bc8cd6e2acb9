"""The Scrapy item pipeline: match brand -> classify -> store, one entry at a time.

Mentions are committed in small groups, at least every COMMIT_EVERY seconds, so a scan
that dies halfway keeps everything but its last fraction of a second. A source's cache
validators are stored in the same transaction as, and after, its entries (the spider
sends its SourceOutcome last): they are never kept without the entries they vouch for.
"""

from __future__ import annotations

import functools

from twisted.internet import task

from monitor.classify import classify
from monitor.discovery import merge_target, record_sighting, sighting
from monitor.identity import canonical_url, content_hash
from monitor.matching import BrandMatcher
from spiders.items import Entry, Sighting, SourceOutcome

COMMIT_EVERY = 0.5  # seconds
COMMIT_AFTER_ITEMS = 500


class MentionPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.pending = 0
        self.flusher = task.LoopingCall(self.commit)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        self.flusher.start(COMMIT_EVERY, now=False)

    def close_spider(self, spider=None):
        if self.flusher.running:
            self.flusher.stop()
        self.commit()

    def commit(self) -> None:
        if self.pending:
            self.crawler.spider.storage.commit_batch()
            self.pending = 0

    def process_item(self, item):
        spider = self.crawler.spider
        spider.storage.begin_batch()
        self.pending += 1
        if isinstance(item, SourceOutcome):
            self.record_outcome(item, spider.storage)
        elif isinstance(item, Entry):
            result = store_entry(item, spider.storage, spider.matcher, spider.scan_id)
            self.stats.inc_value(f"monitor/{result}")
        elif isinstance(item, Sighting):
            record_sighting(spider.storage, item.source, item.mention_key, item.mention_key,
                            item.url, item.via_url)
        if self.pending >= COMMIT_AFTER_ITEMS:
            self.commit()
        return item

    @staticmethod
    def record_outcome(outcome: SourceOutcome, storage) -> None:
        if outcome.error:
            storage.record_source_failure(outcome.source, outcome.error)
        else:
            storage.record_source_success(outcome.source, outcome.etag, outcome.last_modified,
                                          outcome.entry_count)


def preclassify(brand_names: list[str], exclude: list[str], entries: list) -> list:
    """Classify, ahead of the pipeline, the entries that mention the brand.

    Runs in the scan's worker processes (SourcesSpider.run_parser), so that the
    detector uses every core; the pipeline then stores the verdict it finds on the entry.
    """
    matcher = _worker_matcher(tuple(brand_names), tuple(exclude))
    for entry in entries:
        if isinstance(entry, Entry):
            text = f"{entry.title}\n{entry.text}" if entry.title else entry.text
            if entry.always_mention or matcher.find(text):
                entry.verdict = classify(text, rating=entry.rating,
                                         best_rating=entry.best_rating)
    return entries


@functools.lru_cache(maxsize=4)
def _worker_matcher(names: tuple[str, ...], exclude: tuple[str, ...]) -> BrandMatcher:
    return BrandMatcher(list(names), list(exclude))


def store_entry(entry: Entry, storage, matcher, scan_id: int | None) -> str:
    """Store `entry` if it mentions the brand (or is always a mention).

    Returns "new", "updated", "unchanged" or "not_a_mention".
    """
    text = f"{entry.title}\n{entry.text}" if entry.title else entry.text
    # An entry with a verdict was matched already, in the worker that classified it.
    if entry.verdict is None and not entry.always_mention and not matcher.find(text):
        return "not_a_mention"
    target = merge_target(entry, storage)
    if target.keep_stored:
        record_sighting(storage, entry.source, target.key, target.own_key,
                        canonical_url(entry.url), entry.via_url)
        return "unchanged"
    verdict = entry.verdict or classify(text, rating=entry.rating,
                                        best_rating=entry.best_rating)
    mention = {
        "key": target.key,
        "source_id": storage.source_id(entry.source),
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
    return storage.save_mention(mention, scan_id, sighting=sighting(
        entry.source, target.own_key, mention["url"], entry.via_url))
