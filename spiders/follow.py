"""Following an entry to the page it links to, for the page's whole text and comments.

A feed entry that is only an excerpt (spiders.excerpts; every entry with a link when the
source says `full_text = "always"`) and a search result are completed from their page.
The page is fetched by the same spider, so under the same robots.txt, per-site delay,
timeout, retries and max_page_bytes, and read like a blog post (spiders.posts): its main
text without navigation, and each comment on its own. The entry keeps its identity, so
its mention is the same one whether the page could be read or not.

- When the page's main text (with the title) names the brand, it becomes the entry's
  text; each comment naming the brand is a mention of its own. So a post whose excerpt
  does not name the brand but whose body does is found.
- When nothing on the page names the brand, the entry keeps its own text, and its
  page_note says so.
- When the page cannot be read (an HTTP error, robots.txt, a timeout, a page larger than
  max_page_bytes, more pages than max_pages in this scan), the entry keeps its own text
  and its page_note says why. The page is recorded with the entry waiting for it
  (spiders.items.PageVisit.waiting) and tried again on each of the next scans, even when
  the feed has not changed, until it is read (MAX_PAGE_TRIES times at most, see
  monitor.storage.pages).
- A page read before is asked for with its validators (If-None-Match, If-Modified-Since):
  a 304 or the same body as last time means its mentions are stored already, and
  nothing is stored again.
"""

from __future__ import annotations

import dataclasses

from scrapy.http import HtmlResponse

from spiders.items import Entry
from spiders.posts import extract_comments, extract_post

DEFAULT_MAX_PAGES = 30
TOO_MANY = "page not fetched: more pages to read than max_pages in this scan"
NOT_HTML = "page not fetched: it is not an HTML page"
NOT_NAMED = "the page's own text does not name the brand"
SAME_PAGE = "page read for another entry that links to it"
# Entry fields that are the scan's own work, not what the source wrote.
NOT_STORED = ("matched", "prepared")


class PageFollower:
    """Completes a reader's entries from their pages. The reader gives `complete(entry,
    post)`, the entry with the page's post (spiders.posts.Post) as its text, and
    `keep(entry, why)`, the entry with its own text and a page_note saying why."""

    def __init__(self, reader, complete, keep):
        self.spider = reader.spider
        self.source = reader.source
        self.complete = complete
        self.keep = keep
        self.max_pages = self.source.max_pages or DEFAULT_MAX_PAGES
        self.pages = 0
        self.followed: set[str] = set()

    def follow(self, entry: Entry, page: str | None = None):
        """The request (or, past max_pages, the items) completing `entry` from the page
        at `page` (default: its URL)."""
        page = page or entry.url
        if page in self.followed:  # another entry of this scan links to it
            yield self.keep(entry, SAME_PAGE)
            return
        self.followed.add(page)
        if self.pages >= self.max_pages:
            stored = self.spider.stored_page(self.source.name, page)
            if not stored or stored.get("error"):  # else read before: its text is stored
                yield from self._kept(entry, page, TOO_MANY, retry=True)
            return
        self.pages += 1
        yield self.spider.page_request(
            self.source, page, self.parse, required=False, meta={"entry": entry},
            fallback=lambda reason: self._kept(entry, page, f"page not fetched: {reason}",
                                               retry=True))

    def retry_waiting(self):
        """Requests for the pages earlier scans could not read, with their entries."""
        known = {field.name for field in dataclasses.fields(Entry)}
        for row in self.spider.storage.waiting_pages(self.source.name):
            if row["url"] in self.followed:
                continue  # its entry is in the feed again, and followed already
            waiting = {k: v for k, v in row["waiting"].items() if k in known}
            yield from self.follow(Entry(**waiting), row["url"])

    def parse(self, response, source):
        """The page of `response.meta["entry"]`: the entry completed, its comments."""
        entry, page = response.meta["entry"], response.meta["page"]
        if self.spider.page_unchanged(response, source):
            self.spider.page_read(response, source)  # clears an old failure, if any
        elif not isinstance(response, HtmlResponse):
            yield from self._kept(entry, page, NOT_HTML, retry=False)
        else:
            yield from self._read(response, entry)
            self.spider.page_read(response, source, links=[])
        yield from self.spider.finish(source.name)

    def _read(self, response, entry: Entry):
        tree = response.selector.root
        matcher = self.spider.matcher
        post = extract_post(tree, response.url)
        named = [c for c in extract_comments(tree) if matcher.find(c.text)]
        whole = self.complete(entry, post) if post is not None else None
        if whole is not None and matcher.find(f"{whole.title}\n{whole.text}"):
            yield whole
        elif not named:
            yield self.keep(entry, NOT_NAMED)
        for comment in named:
            yield Entry(source=self.source.name, url=comment.url(entry.url),
                        entry_id=comment.entry_id, text=comment.text, author=comment.author,
                        published_at=comment.date, kind="comment",
                        found_by_search=entry.found_by_search, via_url=entry.via_url)

    def _kept(self, entry: Entry, page: str, why: str, retry: bool):
        yield self.keep(entry, why)
        waiting = {name: value for name, value in dataclasses.asdict(entry).items()
                   if name not in NOT_STORED} if retry else None
        self.spider.page_failed(self.source, page, why, waiting)
