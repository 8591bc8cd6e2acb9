"""robots.txt obeyed as Scrapy does, with each site's file kept in the database for a day.

RFC 9309 lets a crawler reuse a robots.txt for up to 24 hours; doing so saves every site
one request per scan and lets an unchanged rescan cost one request per source.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.max_age = timedelta(hours=crawler.settings.getfloat("MONITOR_ROBOTS_CACHE_HOURS"))

    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            cached = self._storage().cached_robots(netloc)
            if cached and _age(cached["fetched_at"]) < self.max_age:
                self._parsers[netloc] = build_from_crawler(
                    self._parserimpl, self.crawler, cached["body"] or b""
                )
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc, request):
        # 4xx means "no rules" (RFC 9309); keep what the parser saw.
        body = b"" if 400 <= response.status < 500 else response.body
        if response.status < 500:
            self._storage().cache_robots(netloc, response.status, body)
        await super()._parse_robots(response, netloc, request)

    def _storage(self):
        return self.crawler.spider.storage


def _age(fetched_at: str) -> timedelta:
    return datetime.now(UTC) - datetime.fromisoformat(fetched_at)
