"""The floor under an unchanged rescan: Scrapy alone making the same conditional requests.

A bare Scrapy spider sends each bench feed's If-None-Match and does nothing with the 304
it gets: no robots.txt, no database, no monitor code. bench/scan.py runs it after its
rescan so that the rescan's figure can be read against what Scrapy itself costs.

Usage: python bench/scrapy_floor.py PORT [--feeds 500]  (with bench/scan.py --backlog's
server up: one feed per host, 16 naming the brand in each)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scan import Setup, etag_of  # noqa: E402


class ConditionalRequests(scrapy.Spider):
    name = "floor"

    def __init__(self, port: int, feeds: int, **kwargs):
        super().__init__(**kwargs)
        self.port, self.feeds, self.not_modified = port, feeds, 0

    async def start(self):
        setup = Setup(self.feeds, self.feeds, 16)
        for index in range(self.feeds):
            yield scrapy.Request(setup.url(index, self.port),
                                 headers={"If-None-Match": etag_of(setup.feed_body(index))},
                                 meta={"handle_httpstatus_list": [304]}, dont_filter=True)

    def parse(self, response):
        self.not_modified += response.status == 304


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--feeds", type=int, default=500)
    args = parser.parse_args()
    started = time.perf_counter()
    process = CrawlerProcess({"LOG_LEVEL": "WARNING", "CONCURRENT_REQUESTS": 256,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "COOKIES_ENABLED": False,
                              "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False})
    crawler = process.create_crawler(ConditionalRequests)
    process.crawl(crawler, port=args.port, feeds=args.feeds)
    process.start()
    print(f"{crawler.spider.not_modified} not modified in "
          f"{time.perf_counter() - started:.2f} s after the imports")


if __name__ == "__main__":
    main()
