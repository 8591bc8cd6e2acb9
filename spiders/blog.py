"""`type = "blog"`: a blog's posts and, each on its own, their comments.

Posts are found from the start URL: when it is a feed or a sitemap, from its links; when
it is a page, from the site's feed (<link rel="alternate">) or the sitemap its robots.txt
names, else by following links on the same site, max_depth links deep. At most max_pages
pages are fetched. A post is a mention when its own text names the brand; a comment that
names the brand is a mention of its own (kind "comment"), whatever the post says.
Comments are read from WordPress markup, or with the source's comment selectors.

Rescans go by what changed. Every page (the start URL, the feed or sitemaps, each post)
is asked for with the ETag / Last-Modified of the last time this source read it; a 304,
or a body with the same hash as last time, is not read again, nothing is stored, and the
links it led to last time (kept with the page) are followed again. So an unchanged blog
costs one conditional request per page and writes nothing, while a new comment on an
old post, which changes that post's page, is found on the next scan: each post the feed
or sitemap lists is asked for on every scan, up to max_pages.

Each page read as a post keeps how many comments it gave. When 2 or more re-read posts
that gave some give none, and none still gives some, the comment markup or the source's
comment selectors no longer match: the source fails (see BlogReader.health_error).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from protego import Protego
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap

from spiders.comment_selectors import comment_xpath, read_comments
from spiders.feeds import NotAFeed, parse_feed
from spiders.items import Entry
from spiders.posts import extract_post

DEFAULT_MAX_PAGES = 50
MAX_SITEMAPS = 5
NO_POSTS = "no posts found: has the site or its feed moved?"
COMMENTS_GONE = ("no comments found on {pages} pages that had some when last read (e.g. {url}):"
                 " has the page layout changed? (see the source's comment selectors)")
FEED_LINK = ('link[rel~="alternate"][type="application/rss+xml"]::attr(href), '
             'link[rel~="alternate"][type="application/atom+xml"]::attr(href)')
NOT_POSTS = [r"/wp-admin", r"/wp-login", r"replytocom=", r"/feed/?$", r"/comments/feed",
             r"[?&]share=", r"/wp-json/", r"/xmlrpc", r"/tag/", r"/author/", r"[?&]s="]


@dataclass(frozen=True)
class Link:
    """A page of the blog to read: a list of posts (a feed or sitemap) or a page, how many
    links from the start URL, and whether its own links are followed."""

    url: str
    role: str  # "start", "list" or "page"
    depth: int = 1
    follow_links: bool = False


@dataclass(frozen=True)
class _CommentCount:
    """How many comments _read_page found on its page: kept by that page's own `parse`
    call (several run at once, paused at each yield), never passed on to Scrapy."""

    count: int


class BlogReader:
    """Reads one blog source for the SourcesSpider."""

    def __init__(self, spider, source):
        self.spider = spider
        self.source = source
        self.max_pages = source.max_pages or DEFAULT_MAX_PAGES
        self.host = urlsplit(source.url).netloc
        self.links = LinkExtractor(deny=NOT_POSTS)  # same site: checked in _requests
        self.pages = 0
        self.sitemaps = 0
        self.seen: set[str] = set()
        self.posts = 0
        self.unchanged = 0
        self.comments_gone: list[str] = []  # re-read pages with comments before, none now
        self.comments_kept = 0  # re-read pages with comments before and now

    def start_requests(self):
        yield from self._requests([Link(self.source.url, "start", depth=0)])

    def parse(self, response, source):
        """Any page of the blog. Unchanged since the last scan (304, or the same body),
        it is not read again and the links it led to are followed again; else its post
        and comments are read, and the links it leads to followed."""
        link = response.meta["link"]
        comments = None  # this page's own count, local to this call
        if self.spider.page_unchanged(response, source):
            self.unchanged += 1
            found = [Link(*row) for row in self.spider.stored_page(
                source.name, link.url).get("links", [])]
        else:
            found = []
            for item in self._read(response, link):
                if isinstance(item, Link):
                    found.append(item)
                elif isinstance(item, _CommentCount):
                    comments = item.count
                else:
                    yield item
            self._compare_comments(response.meta["page"], comments)
        yield from self._requests(found)
        self.spider.page_read(response, source, links=[list(astuple(f)) for f in found],
                              comments=comments)
        yield from self.spider.finish(source.name)

    def _read(self, response, link: Link):
        """The entries on a changed page, and the Links it leads to."""
        html = isinstance(response, HtmlResponse)
        if link.role == "start" and html:
            yield from self._read_page(response, start=True)
            yield from self._discover_from_page(response)
        elif link.role == "page" and html:
            yield from self._read_page(response)
            if link.follow_links and link.depth < self.source.max_depth:
                yield from self._found(self._page_links(response), link.depth + 1, True)
        elif link.role != "page":
            yield from self._read_list(response, required=link.role == "start")

    def _requests(self, links: list[Link]):
        """A request for each of `links` not yet requested, on the blog's site, within
        max_pages (and MAX_SITEMAPS for lists of posts)."""
        for link in links:
            url = urldefrag(link.url)[0]
            if url in self.seen or not self._same_site(url) and link.role != "start":
                continue
            if link.role == "list":
                if self.sitemaps >= MAX_SITEMAPS:
                    continue
                self.sitemaps += 1
            elif self.pages >= self.max_pages:
                continue
            else:
                self.pages += 1
            self.seen.add(url)
            yield self.spider.page_request(self.source, url, self.parse,
                                           required=link.role == "start", meta={"link": link})

    def _discover_from_page(self, response):
        feed = next((url for url in response.css(FEED_LINK).getall()
                     if self._same_site(urljoin(response.url, url))
                     and "/comments/" not in url), None)
        sitemaps = [url for url in self._robots_sitemaps() if self._same_site(url)]
        if feed or sitemaps:
            for url in [urljoin(response.url, feed)] if feed else sitemaps[:MAX_SITEMAPS]:
                yield Link(url, "list")
        elif self.source.max_depth > 0:
            yield from self._found(self._page_links(response), 1, True)

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
        yield from self._found([entry.url for entry in entries], 1, False)

    def _read_sitemap(self, body: bytes):
        sitemap = Sitemap(body)
        if sitemap.type == "sitemapindex":
            for item in sitemap:
                yield Link(item["loc"], "list")
            return
        newest_first = sorted(sitemap, key=lambda item: item.get("lastmod", ""), reverse=True)
        yield from self._found([item["loc"] for item in newest_first], 1, False)

    def _found(self, urls, depth: int, follow_links: bool):
        for url in urls:
            yield Link(urldefrag(url)[0], "page", depth, follow_links)

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
        each of its comments (the source's comment selectors, or WordPress markup), and,
        on a page read as a post, a _CommentCount (a list of posts may show none)."""
        selectors = self.source.selectors
        comments = read_comments(response.selector, selectors)
        if not start or comments or _is_article(response):
            yield _CommentCount(len(comments))
            post = extract_post(response.selector.root, response.url,
                                drop=comment_xpath(selectors))
            if post is not None:
                self.posts += 1
                yield self._post_entry(post, response)
        for comment in comments:
            yield Entry(source=self.source.name, url=comment.url(response.url),
                        entry_id=comment.entry_id, text=comment.text, author=comment.author,
                        published_at=comment.date, kind="comment")

    def _post_entry(self, post, response) -> Entry:
        canonical = response.css('link[rel="canonical"]::attr(href)').get()
        url = urljoin(response.url, canonical) if canonical and self._same_site(
            urljoin(response.url, canonical)) else response.url
        return Entry(source=self.source.name, url=url, entry_id=url, text=post.text,
                     title=post.title, author=post.author, published_at=post.date,
                     kind="post")

    def _compare_comments(self, page: str, comments: int | None) -> None:
        """Note whether a re-read page that gave comments when last read still gives some
        (see health_error)."""
        before = self.spider.stored_page(self.source.name, page).get("comments") or 0
        if before and comments == 0:
            self.comments_gone.append(page)
        elif before and comments:
            self.comments_kept += 1

    def entry_count(self) -> int | None:
        """Posts read in this scan; None when every page was unchanged (the stored count
        stands)."""
        return None if self.unchanged and not self.posts else self.posts

    def health_error(self) -> str | None:
        """A failure to report although the start page was read: the comments of the
        re-read pages vanished, or posts did.

        Comments vanish from one page when they are deleted (spam removed), but from
        every re-read page at once when the comment markup changed (a new theme changes
        every page) or the source's comment selector stopped matching: so the source
        fails when at least 2 re-read pages lost all their comments and none kept any.
        A failed source stores no pages, so the next scan reads them all again."""
        if len(self.comments_gone) >= 2 and not self.comments_kept:
            return COMMENTS_GONE.format(pages=len(self.comments_gone),
                                        url=self.comments_gone[0])
        if self.posts or self.unchanged:
            return None
        row = self.spider.stored_source(self.source.name)
        return NO_POSTS if (row.get("last_entry_count") or 0) > 0 else None


def _is_article(response) -> bool:
    og_type = response.css('meta[property="og:type"]::attr(content)').get() or ""
    return og_type.strip().lower() == "article"
