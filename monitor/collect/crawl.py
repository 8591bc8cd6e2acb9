"""The Scrapy crawl of a scan: one SourcesSpider over every enabled source."""

from __future__ import annotations

import functools
import logging

from scrapy.crawler import CrawlerProcess

from monitor.detect.matching import BrandMatcher
from monitor.detect.prepare import Preparer, prepare_entries
from monitor.storage import EmbeddingReader
from spiders.settings import scrapy_settings
from spiders.sources import SourcesSpider


def crawl(settings, sources, storage, scan_id: int, pool) -> tuple[dict, dict]:
    """Read `sources` into `storage`, parsing in `pool` (worker processes) when given.

    Returns the spider's outcome of each source it finished (None when read, else the
    error) and the crawl's stats.
    """
    process = CrawlerProcess(scrapy_settings(settings.crawl))
    # Scrapy sets its loggers to DEBUG: a record per item, made only to be dropped.
    logging.getLogger("scrapy").setLevel(logging.getLogger().getEffectiveLevel())
    crawler = process.create_crawler(SourcesSpider)
    # The shop's own head, when a retrain adopted one; stored embeddings are read, never
    # written, by the workers (the pipeline stores the new ones with their mentions).
    head = storage.adopted_head()
    head_json = head["weights"] if head else None
    vectors = EmbeddingReader(storage.path)
    matcher = BrandMatcher.for_brand(settings.brand)
    process.crawl(crawler, sources=sources, storage=storage, matcher=matcher, scan_id=scan_id,
                  parser_pool=pool, preparer=Preparer(matcher, vectors, head_json),
                  annotate=functools.partial(prepare_entries, settings.brand.names,
                                             settings.brand.exclude, vectors=vectors,
                                             head_json=head_json))
    process.start()
    return crawler.spider.outcomes, crawler.stats.get_stats()
