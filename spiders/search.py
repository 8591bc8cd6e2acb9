"""`type = "search"`: a search feed's results, each followed through to its page.

A result gives a title and a snippet. Its link is unwrapped from the engine's redirect
(spiders.identity.unwrap_redirect) and the page it points to is fetched by the same
spider, so with the same robots.txt, delays and limits, and read with the blog
extraction: the post's own text and author, and each comment naming the brand on its
own (spiders.follow). When the page cannot be fetched (an HTTP error, robots.txt, a
timeout, a Google News link that cannot be unwrapped offline) the result's snippet is
kept, its `page_note` says why, and the page is tried again on the next scans.

A result's identity is its unwrapped, canonical article URL: the same post found by two
engines and by its blog's own feed is one mention (monitor.collect.discovery merges them), and a
result stored from its snippet is updated, not duplicated, once its page is fetched. A
result whose page was already read is not fetched again: only its sighting is recorded.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from spiders.feeds import read_feed
from spiders.follow import PageFollower
from spiders.identity import canonical_url, unwrap_redirect
from spiders.items import Entry, Sighting
from spiders.search_engines import ENGINES

SNIPPET = "text from the search result: "
NOT_UNWRAPPABLE = ("page not fetched: a Google News link cannot be turned into the "
                   "article's address offline")
NEVER = 'page not fetched: full_text = "never"'


class SearchReader:
    """Reads one search source for the SourcesSpider."""

    def __init__(self, spider, source):
        self.spider = spider
        self.source = source
        engine = ENGINES.get(source.engine)
        # Whether results are followed to their pages: the feed of some engines holds the
        # post itself (Reddit, Mastodon); full_text = "always" or "never" overrides it.
        self.follow = {"always": True, "never": False}.get(
            source.full_text, engine.follow if engine else True)
        self.results: int | None = 0
        self.pages = PageFollower(self, complete=self._post, keep=_snippet)

    def start_requests(self):
        yield self.spider.request(self.source, self.source.url, self.parse,
                                  validators=self.spider.stored_source(self.source.name))

    async def parse(self, response, source):
        """The search feed: each result, then (in later callbacks) the pages."""
        mode = "always" if self.follow else "never"  # followed results: left to the pages
        results = await read_feed(self.spider, response, source, mode)
        if results is None:
            self.results = None  # unchanged: the stored count stands
            results = []
        else:
            self.results += len(results)
        for result in results:
            for item in self._follow_through(self._as_result(result)):
                yield item
        for item in self.pages.retry_waiting():
            yield item
        for item in self.spider.finish(source.name):
            yield item

    def _as_result(self, entry: Entry) -> Entry:
        """The feed entry as a search result: its link unwrapped, its identity the
        article's canonical URL."""
        real = unwrap_redirect(entry.url)
        url = canonical_url(real)
        entry.author = entry.author or _fediverse_author(url)
        entry.via_url, entry.url, entry.entry_id = entry.url, url, url
        entry.found_by_search = True
        entry.matched = entry.prepared = None  # its identity changed
        return entry

    def _follow_through(self, result: Entry):
        if not self.follow:
            if self.source.full_text == "never":
                yield _snippet(result, NEVER)
            else:  # the feed holds the post itself (Reddit, Mastodon)
                yield result
            return
        stored = self.spider.storage.page_mention(result.url)
        if stored is not None and not stored["page_note"]:
            yield Sighting(source=self.source.name, mention_key=stored["key"], url=result.url,
                           via_url=result.via_url)
            return
        if _google_news_article(result.url):
            yield _snippet(result, NOT_UNWRAPPABLE)
            return
        yield from self.pages.follow(result, unwrap_redirect(result.via_url))

    def _post(self, result: Entry, post) -> Entry:
        """The result completed with its page's post: the page's title, author and date
        first."""
        return Entry(source=self.source.name, url=result.url, entry_id=result.url,
                     text=post.text, title=post.title or result.title,
                     author=post.author, published_at=post.date or result.published_at,
                     kind="post", found_by_search=True, via_url=result.via_url)

    def entry_count(self) -> int | None:
        """Results in the search feed this scan (None when it was unchanged)."""
        return self.results

    def health_error(self) -> str | None:
        return None  # a search with no results is not a failure


def _snippet(result: Entry, why: str) -> Entry:
    """The search result itself as the mention, saying why it is only the snippet."""
    return Entry(source=result.source, url=result.url, entry_id=result.entry_id,
                 text=result.text, title=result.title, author=result.author,
                 published_at=result.published_at, kind="search", found_by_search=True,
                 via_url=result.via_url, page_note=SNIPPET + why)


def _google_news_article(url: str) -> bool:
    parts = urlsplit(url)
    return parts.hostname == "news.google.com" and "/articles/" in parts.path


def _fediverse_author(url: str) -> str:
    """@user@instance from a Mastodon post's address (https://instance/@user/123)."""
    parts = urlsplit(url)
    first = parts.path.strip("/").split("/")[0]
    return f"{first}@{parts.hostname}" if first.startswith("@") and parts.hostname else ""
