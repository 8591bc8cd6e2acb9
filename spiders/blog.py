"""`type = "blog"`: a blog's posts and, each on its own, their comments.

Posts are found from the start URL: when it is a feed or a sitemap, from its links; when
it is a page, from the site's feed (<link rel="alternate">) or the sitemap its robots.txt
names, else by following links on the same site, max_depth links deep. At most max_pages
pages are fetched. A post is a mention when its own text names the brand; a comment that
names the brand is a mention of its own (kind "comment"), whatever the post says.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from protego import Protego
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap

from spiders.feeds import NotAFeed, parse_feed
from spiders.items import Entry
from spiders.posts import comment_url, extract_comments, extract_post

DEFAULT_MAX_PAGES = 50
MAX_SITEMAPS = 5
NO_POSTS = "no posts found: has the site or its feed moved?"
FEED_LINK = ('link[rel~="alternate"][type="application/rss+xml"]::attr(href), '
             'link[rel~="alternate"][type="application/atom+xml"]::attr(href)')
NOT_POSTS = [r"/wp-admin", r"/wp-login", r"replytocom=", r"/feed/?$", r"/comments/feed",
             r"[?&]share=", r"/wp-json/", r"/xmlrpc", r"/tag/", r"/author/", r"[?&]s="]


class BlogReader:
    """Reads one blog source for the SourcesSpider."""

    def __init__(self, spider, source):
        self.spider = spider
        self.source = source
        self.max_pages = source.max_pages or DEFAULT_MAX_PAGES
        self.host = urlsplit(source.url).netloc
        self.links = LinkExtractor(deny=NOT_POSTS)  # same site: checked in _follow
        self.pages = 0
        self.sitemaps = 0
        self.seen: set[str] = set()
        self.posts = 0

    def start_requests(self):
        self.seen.add(urldefrag(self.source.url)[0])
        self.pages += 1
        yield self.spider.request(self.source, self.source.url, self.parse_start,
                                  meta={"depth_in_source": 0})

    def parse_start(self, response, source):
        """The start URL: a feed, a sitemap, or a page (maybe itself a post)."""
        if isinstance(response, HtmlResponse):
            yield from self._read_page(response, start=True)
            yield from self._discover_from_page(response)
        else:
            yield from self._read_list(response, required=True)
        yield from self.spider.finish(source.name)

    def parse_list(self, response, source):
        """A feed or sitemap found on the site: its links are the posts."""
        yield from self._read_list(response, required=False)
        yield from self.spider.finish(source.name)

    def parse_page(self, response, source):
        """A page found while crawling: a post, and links to follow when in link mode."""
        if isinstance(response, HtmlResponse):
            yield from self._read_page(response)
            depth = response.meta["depth_in_source"]
            if response.meta.get("follow_links") and depth < self.source.max_depth:
                yield from self._follow(self._page_links(response), depth + 1, True)
        yield from self.spider.finish(source.name)

    def _discover_from_page(self, response):
        feed = next((url for url in response.css(FEED_LINK).getall()
                     if self._same_site(urljoin(response.url, url))
                     and "/comments/" not in url), None)
        sitemaps = [url for url in self._robots_sitemaps() if self._same_site(url)]
        if feed or sitemaps:
            for url in [urljoin(response.url, feed)] if feed else sitemaps[:MAX_SITEMAPS]:
                yield self._list_request(url)
        elif self.source.max_depth > 0:
            yield from self._follow(self._page_links(response), 1, True)

    def _read_list(self, response, required: bool):
        body = response.body
        if b"<urlset" in body[:2000] or b"<sitemapindex" in body[:2000]:
            yield from self._read_sitemap(body)
            return
        try:
            entries = parse_feed(body, response.url, {}, self.source.name)
        except NotAFeed as exc:
            message = f"{response.url}: neither a page, a feed nor a sitemap ({exc})"
            if required:
                self.spider.progress[self.source.name].errors.append(message)
            else:
                self.spider.logger.warning("source %r: %s", self.source.name, message)
            return
        yield from self._follow([entry.url for entry in entries], 1, False)

    def _read_sitemap(self, body: bytes):
        sitemap = Sitemap(body)
        if sitemap.type == "sitemapindex":
            for item in sitemap:
                if self._same_site(item["loc"]) and self.sitemaps < MAX_SITEMAPS:
                    yield self._list_request(item["loc"])
            return
        newest_first = sorted(sitemap, key=lambda item: item.get("lastmod", ""), reverse=True)
        yield from self._follow([item["loc"] for item in newest_first], 1, False)

    def _list_request(self, url: str):
        self.sitemaps += 1
        return self.spider.request(self.source, url, self.parse_list, required=False,
                                   meta={"depth_in_source": 1})

    def _follow(self, urls, depth: int, follow_links: bool):
        for url in urls:
            url = urldefrag(url)[0]
            if url in self.seen or not self._same_site(url) or self.pages >= self.max_pages:
                continue
            self.seen.add(url)
            self.pages += 1
            yield self.spider.request(
                self.source, url, self.parse_page, required=False,
                meta={"depth_in_source": depth, "follow_links": follow_links})

    def _page_links(self, response) -> list[str]:
        return [link.url for link in self.links.extract_links(response)]

    def _same_site(self, url: str) -> bool:
        return urlsplit(url).netloc == self.host

    def _robots_sitemaps(self) -> list[str]:
        cached = self.spider.storage.cached_robots(self.host)
        if not cached or not cached["body"]:
            return []
        return list(Protego.parse(cached["body"].decode("utf-8", "replace")).sitemaps)

    def _read_page(self, response, start: bool = False):
        """The post on the page (unless it is the start page of a site, not a post), then
        each of its comments."""
        tree = response.selector.root
        comments = extract_comments(tree)
        if not start or comments or _is_article(response):
            post = extract_post(tree, response.url)
            if post is not None:
                self.posts += 1
                yield self._post_entry(post, response)
        for comment in comments:
            yield Entry(source=self.source.name, url=comment_url(response.url, comment.anchor),
                        entry_id=comment.anchor, text=comment.text, author=comment.author,
                        published_at=comment.date, kind="comment")

    def _post_entry(self, post, response) -> Entry:
        canonical = response.css('link[rel="canonical"]::attr(href)').get()
        url = urljoin(response.url, canonical) if canonical and self._same_site(
            urljoin(response.url, canonical)) else response.url
        return Entry(source=self.source.name, url=url, entry_id=url, text=post.text,
                     title=post.title, author=post.author, published_at=post.date,
                     kind="post")

    def entry_count(self) -> int:
        """Posts read in this scan."""
        return self.posts

    def health_error(self) -> str | None:
        """A failure to report although the start page was read: posts vanished."""
        if self.posts:
            return None
        row = self.spider.stored_source(self.source.name)
        return NO_POSTS if (row.get("last_entry_count") or 0) > 0 else None


def _is_article(response) -> bool:
    og_type = response.css('meta[property="og:type"]::attr(content)').get() or ""
    return og_type.strip().lower() == "article"
