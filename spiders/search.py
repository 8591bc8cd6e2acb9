"""`type = "search"`: a search feed's results, each followed through to its page.

A result gives a title and a snippet. Its link is unwrapped from the engine's redirect
(spiders.identity.unwrap_redirect) and the page it points to is fetched by the same
spider, so with the same robots.txt, delays and limits, and read with the blog
extraction: the post's own text and author, and each comment naming the brand on its
own. When the page cannot be fetched (an HTTP error, robots.txt, a timeout, a Google
News link that cannot be unwrapped offline) the result's snippet is kept, and its
`page_note` says why.

A result's identity is its unwrapped, canonical article URL: the same post found by two
engines and by its blog's own feed is one mention (monitor.collect.discovery merges them), and a
result stored from its snippet is updated, not duplicated, once its page is fetched. A
result whose page was already read is not fetched again: only its sighting is recorded.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.http import HtmlResponse

from spiders.feeds import read_feed
from spiders.identity import canonical_url, unwrap_redirect
from spiders.items import Entry, Sighting
from spiders.posts import comment_url, extract_comments, extract_post
from spiders.search_engines import ENGINES

DEFAULT_MAX_PAGES = 30
SNIPPET = "text from the search result: "
NOT_UNWRAPPABLE = (SNIPPET + "page not fetched: a Google News link cannot be turned into "
                   "the article's address offline")
NOT_HTML = SNIPPET + "page not fetched: it is not an HTML page"
NOT_NAMED = SNIPPET + "the page's own text does not name the brand"
TOO_MANY = SNIPPET + "page not fetched: more results than max_pages in this scan"


class SearchReader:
    """Reads one search source for the SourcesSpider."""

    def __init__(self, spider, source):
        self.spider = spider
        self.source = source
        engine = ENGINES.get(source.engine)
        self.follow = engine.follow if engine else True
        self.max_pages = source.max_pages or DEFAULT_MAX_PAGES
        self.pages = 0
        self.results = 0

    def start_requests(self):
        yield self.spider.request(self.source, self.source.url, self.parse, conditional=True)

    async def parse(self, response, source):
        """The search feed: each result, then (in later callbacks) the pages."""
        results = await read_feed(self.spider, response, source)
        if results is None:
            for item in self.spider.finish(source.name, unchanged=True):
                yield item
            return
        self.results += len(results)
        for result in results:
            for item in self._follow_through(self._as_result(result)):
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
        return entry

    def _follow_through(self, result: Entry):
        if not self.follow:  # the feed holds the post itself (Reddit, Mastodon)
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
        if self.pages >= self.max_pages:
            yield _snippet(result, TOO_MANY)
            return
        self.pages += 1
        yield self.spider.request(
            self.source, unwrap_redirect(result.via_url), self.parse_page, required=False,
            meta={"result": result},
            fallback=lambda reason: [_snippet(result, f"{SNIPPET}page not fetched: {reason}")])

    def parse_page(self, response, source):
        """The page a result points to: its post and comments, or the snippet when
        nothing on it names the brand."""
        result = response.meta["result"]
        if not isinstance(response, HtmlResponse):
            yield _snippet(result, NOT_HTML)
        else:
            yield from self._read_page(response, result)
        yield from self.spider.finish(source.name)

    def _read_page(self, response, result: Entry):
        tree = response.selector.root
        matcher = self.spider.matcher
        post = extract_post(tree, response.url)
        named = [c for c in extract_comments(tree) if matcher.find(c.text)]
        if post is not None and matcher.find(f"{post.title}\n{post.text}"):
            yield Entry(source=self.source.name, url=result.url, entry_id=result.url,
                        text=post.text, title=post.title or result.title,
                        author=post.author, published_at=post.date or result.published_at,
                        kind="post", found_by_search=True, via_url=result.via_url)
        elif not named:
            yield _snippet(result, NOT_NAMED)
        for comment in named:
            yield Entry(source=self.source.name, url=comment_url(result.url, comment.anchor),
                        entry_id=comment.anchor, text=comment.text, author=comment.author,
                        published_at=comment.date, kind="comment", found_by_search=True,
                        via_url=result.via_url)

    def entry_count(self) -> int:
        """Results in the search feed this scan."""
        return self.results

    def health_error(self) -> str | None:
        return None  # a search with no results is not a failure


def _snippet(result: Entry, note: str) -> Entry:
    """The search result itself as the mention, saying why it is only the snippet."""
    return Entry(source=result.source, url=result.url, entry_id=result.entry_id,
                 text=result.text, title=result.title, author=result.author,
                 published_at=result.published_at, kind="search", found_by_search=True,
                 via_url=result.via_url, page_note=note)


def _google_news_article(url: str) -> bool:
    parts = urlsplit(url)
    return parts.hostname == "news.google.com" and "/articles/" in parts.path


def _fediverse_author(url: str) -> str:
    """@user@instance from a Mastodon post's address (https://instance/@user/123)."""
    parts = urlsplit(url)
    first = parts.path.strip("/").split("/")[0]
    return f"{first}@{parts.hostname}" if first.startswith("@") and parts.hostname else ""
