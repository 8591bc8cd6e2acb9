"""The Scrapy item pipeline: match brand -> classify -> store, a response's entries at a time.

Matching and classifying need no database, so a scan with worker processes does them
there (monitor.detect.prepare, through SourcesSpider.run_parser) and this process only stores.

Mentions are committed in small groups, at least every COMMIT_EVERY seconds, so a scan
that dies halfway keeps everything but its last fraction of a second. A source's cache
validators are stored in the same transaction as, and after, its entries (the spider
sends its SourceOutcome last): they are never kept without the entries they vouch for,
and a source whose entries could not be stored keeps its old validators and fails. So
are a page's validators (PageVisit, after the page's entries).
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor

from twisted.internet import task

from monitor.collect.discovery import merge_target, record_sighting, sighting
from monitor.detect.prepare import NEW_EMBEDDING, prepare
from spiders.items import Entry, EntryBatch, PageVisit, Sighting, SourceOutcome

log = logging.getLogger(__name__)
COMMIT_EVERY = 0.5  # seconds
COMMIT_AFTER_ITEMS = 500


class MentionPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.pending = 0
        self.storing_errors: dict[str, str] = {}
        self.storing: dict[str, set] = collections.defaultdict(set)  # futures, by source
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="prepare")
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
        self.thread.shutdown(wait=True)

    def commit(self) -> None:
        if self.pending:
            self.crawler.spider.storage.commit_batch()
            self.pending = 0

    async def process_item(self, item):
        spider = self.crawler.spider
        if isinstance(item, (Entry, EntryBatch)):
            entries = item.entries if isinstance(item, EntryBatch) else [item]
            await self.store(entries, spider)
        elif isinstance(item, (SourceOutcome, PageVisit)):
            # A source's (or page's) validators only after its entries are stored.
            await asyncio.gather(*self.storing[item.source])
        spider.storage.begin_batch()
        self.pending += 1
        if isinstance(item, SourceOutcome):
            self.record_outcome(item, spider)
        elif isinstance(item, Sighting):
            record_sighting(spider.storage, item.source, item.mention_key, item.mention_key,
                            item.url, item.via_url)
        elif isinstance(item, PageVisit):
            self.record_page(item, spider.storage)
        if self.pending >= COMMIT_AFTER_ITEMS:
            self.commit()
        return item

    async def store(self, entries: list[Entry], spider) -> None:
        """Prepare (match, encode, classify) the entries no worker prepared, off this
        thread, then store them; the source fails if they cannot be stored."""
        source = entries[0].source
        stored = asyncio.get_running_loop().create_future()
        self.storing[source].add(stored)
        try:
            await self.prepare(entries, spider)
            spider.storage.begin_batch()
            results = store_entries(entries, spider.storage, spider.preparer, spider.scan_id)
        except Exception as exc:  # noqa: BLE001 - the source fails, the scan goes on
            log.exception("source %r: could not store its entries", source)
            self.storing_errors[source] = f"could not store its entries: {exc}"
            return
        finally:
            stored.set_result(None)
            self.storing[source].discard(stored)
        self.pending += len(entries)
        for result, count in collections.Counter(results).items():
            self.stats.inc_value(f"monitor/{result}", count)
        self.stats.inc_value("monitor/encoded", sum(
            1 for entry in entries if (entry.prepared or {}).get(NEW_EMBEDDING) is not None))

    async def prepare(self, entries: list[Entry], spider) -> None:
        """Match, encode and classify the entries that were not prepared in a worker (the
        readers of blogs, reviews and followed pages parse here), in the scan's worker
        processes or, without them, in a thread: encoding takes long, and the crawl must
        go on meanwhile. The C code of the encoder and of SQLite runs without the GIL."""
        todo = [entry for entry in entries if entry.matched is None]
        if not todo:
            return
        loop = asyncio.get_running_loop()
        if spider.parser_pool is None:
            await loop.run_in_executor(self.thread, spider.preparer.prepare, todo)
            return
        done = await loop.run_in_executor(spider.parser_pool, spider.annotate,
                                          [dataclasses.replace(e, follow=False) for e in todo])
        for entry, prepared in zip(todo, done, strict=True):
            entry.matched, entry.prepared = prepared.matched, prepared.prepared

    def record_page(self, visit: PageVisit, storage) -> None:
        """Keep what the source read of a page, unless its entries could not be stored:
        then nothing vouches for them, and the next scan reads the page again."""
        if visit.source in self.storing_errors:
            return
        if visit.error:
            storage.record_page_failure(visit.source, visit.url, visit.error, visit.waiting)
        else:
            storage.record_page(visit.source, visit.url, etag=visit.etag,
                                last_modified=visit.last_modified, body_hash=visit.body_hash,
                                links=visit.links, comments=visit.comments)

    def record_outcome(self, outcome: SourceOutcome, spider) -> None:
        storage = spider.storage
        error = outcome.error or self.storing_errors.pop(outcome.source, None)
        if error:
            # Old validators stay: the next scan reads the source again in full.
            storage.record_source_failure(outcome.source, error)
            spider.outcomes[outcome.source] = error
        else:
            storage.record_source_success(outcome.source, outcome.etag, outcome.last_modified,
                                          outcome.entry_count)


def store_entries(entries: list[Entry], storage, preparer, scan_id: int | None) -> list[str]:
    """Store those of `entries` that mention the brand (or are always mentions), in one
    transaction, with the embeddings encoded for them. Returns, for each, "new",
    "updated", "unchanged" or "not_a_mention"."""
    results, mentions, embeddings = [], [], []
    for entry in entries:
        if not prepare(entry, preparer):
            results.append("not_a_mention")
            continue
        columns = dict(entry.prepared)
        new = columns.pop(NEW_EMBEDDING, None)
        if new is not None:
            embeddings.append((columns["embedding_key"], *new))
        target = merge_target(entry, storage, own=columns["key"])
        mention = {**columns, "key": target.key, "source_id": storage.source_id(entry.source)}
        mentions.append((mention, sighting(entry.source, target.own_key, columns["url"],
                                           entry.via_url)))
    storage.save_embeddings(embeddings)
    return results + storage.save_mentions(mentions, scan_id)

