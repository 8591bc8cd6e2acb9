"""The Scrapy crawl of a scan: one SourcesSpider over every enabled source."""

from __future__ import annotations

import functools
import logging

from scrapy.crawler import CrawlerProcess

from monitor.detect.matching import BrandMatcher
from monitor.detect.prepare import prepare_entries
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
    process.crawl(crawler, sources=sources, storage=storage,
                  matcher=BrandMatcher.for_brand(settings.brand), scan_id=scan_id,
                  parser_pool=pool,
                  annotate=functools.partial(prepare_entries, settings.brand.names,
                                             settings.brand.exclude))
    process.start()
    return crawler.spider.outcomes, crawler.stats.get_stats()
