"""Scrapy settings for every spider, built from the [crawl] section of settings.toml.

Polite by default: robots.txt obeyed (and cached for a day, as crawlers commonly do),
an identifying User-Agent, one request at a time per site with a delay, AutoThrottle,
timeouts, retries and a maximum response size.
"""

from __future__ import annotations


def scrapy_settings(crawl) -> dict:
    """Scrapy settings for a crawl configured by `crawl` (a monitor.config.Crawl)."""
    return {
        "BOT_NAME": "monitor",
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_DELAY": crawl.download_delay,
        # The configured delay is a floor: no random jitter that would bring two requests
        # to a site closer than the owner asked (AutoThrottle only ever waits longer).
        "DOWNLOAD_DELAY_JITTER": 0.0,
        "CONCURRENT_REQUESTS": crawl.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "REDIRECT_MAX_TIMES": 10,
        "COOKIES_ENABLED": False,
        # The pipeline is synchronous: items gain nothing from running concurrently, and
        # Scrapy starts one asyncio task per concurrent item slot for every response.
        "CONCURRENT_ITEMS": 1,
        "TELNETCONSOLE_ENABLED": False,
        # Name lookups run in the reactor thread pool: size it to the requests in flight,
        # within reason (a thread each).
        "REACTOR_THREADPOOL_MAXSIZE": min(64, max(10, crawl.concurrent_requests)),
        "LOG_INSTALL_ROOT_HANDLER": False,
        "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None},
        # Every middleware runs for every request and response: those with nothing to do
        # here are off (no allowed_domains, no HTTP auth, depth kept by the blog reader
        # itself, no per-response byte counts).
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "spiders.robots.CachedRobotsTxtMiddleware": 100,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
        },
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.depth.DepthMiddleware": None},
        "ITEM_PIPELINES": {"monitor.collect.pipeline.MentionPipeline": 300},
        "MONITOR_ROBOTS_CACHE_HOURS": crawl.robots_cache_hours,
    }
