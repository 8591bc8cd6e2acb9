"""Read RSS, Atom, RDF and JSON feeds with feedparser, from bytes Scrapy fetched."""

from __future__ import annotations

import calendar
import dataclasses
import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from spiders.excerpts import is_excerpt
from spiders.html_text import html_to_text
from spiders.items import Entry, EntryBatch


class NotAFeed(ValueError):
    """The response is not a feed feedparser can read."""


def parse_feed(body: bytes, url: str, headers: dict[str, str], source: str,
               full_text: str = "never") -> list[Entry]:
    """The entries of the feed in `body`; raises NotAFeed when it holds none and is
    not a well-formed (empty) feed. With `full_text` "auto", the entries that are
    excerpts (spiders.excerpts) are marked to be followed to their pages; with "always",
    every entry with a link of its own."""
    # No sanitizing or URI rewriting: the HTML is reduced to text right away.
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = str(parsed.get("bozo_exception") or "no feed found in the document")
        problem = re.sub(r"^<unknown>:(\d+):(\d+): ", r"XML error at line \1, column \2: ",
                         problem)
        raise NotAFeed(f"not a readable feed: {problem}")
    base = parsed.feed.get("link") or url
    return [_entry(item, base, source, full_text) for item in parsed.entries]


def _entry(item, base: str, source: str, full_text: str) -> Entry:
    own_link = item.get("link")
    content = item["content"][0].get("value", "") if item.get("content") else ""
    html = content or item.get("summary", "")
    title = html_to_text(item.get("title", ""))
    text = html_to_text(html)
    # An entry with neither id nor link is known by what it says.
    fallback_id = "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:24]
    entry = Entry(
        source=source,
        url=urljoin(base, own_link) if own_link else base,
        entry_id=item.get("id") or own_link or fallback_id,
        title=title,
        text=text,
        author=html_to_text(item.get("author", "")),
        published_at=_iso(item.get("published_parsed") or item.get("updated_parsed")),
    )
    if own_link:
        entry.excerpt = is_excerpt(text, html, has_full_content=bool(content))
        entry.follow = full_text == "always" or (full_text == "auto" and entry.excerpt)
    return entry


def _iso(parsed_time) -> str | None:
    if not parsed_time:
        return None
    try:
        seconds = calendar.timegm(parsed_time)
    except (TypeError, ValueError, OverflowError):
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


async def read_feed(spider, response, source, full_text: str = "never") -> list[Entry] | None:
    """The entries of a fetched feed, or None when it is unchanged (304); `full_text` says
    which entries are to be followed to their pages (see parse_feed).

    Keeps the response's cache validators on the source's progress (a 304 without them
    keeps the stored ones); a feed that cannot be read is an error of the source.
    """
    progress = spider.progress[source.name]
    if response.status == 304:
        stored = spider.stored_source(source.name)
        progress.etag = response_header(response, "ETag") or stored.get("etag")
        progress.last_modified = (response_header(response, "Last-Modified")
                                  or stored.get("last_modified"))
        return None
    headers = {k.decode("latin-1").lower(): v[0].decode("latin-1")
               for k, v in response.headers.items() if v}
    try:
        entries = await spider.run_parser(parse_feed, response.body, response.url, headers,
                                          source.name, full_text)
    except NotAFeed as exc:
        progress.errors.append(f"{response.url}: {exc}")
        return []
    except Exception as exc:  # a parser bug must fail this source, not the scan
        progress.errors.append(f"{response.url}: could not parse: {type(exc).__name__}: {exc}")
        return []
    progress.etag = headers.get("etag")
    progress.last_modified = headers.get("last-modified")
    return entries


EXCERPT = "excerpt from the feed: "
NEVER = 'page not fetched: full_text = "never"'


class FeedReader:
    """Reads one feed source for the SourcesSpider: one conditional request, then the
    pages of the entries that are only excerpts (spiders.follow), and the pages earlier
    scans could not read."""

    def __init__(self, spider, source):
        from spiders.follow import PageFollower  # Scrapy: not for the worker processes

        self.spider = spider
        self.source = source
        self.count: int | None = 0
        self.pages = PageFollower(self, complete=complete_entry, keep=keep_excerpt)

    def start_requests(self):
        yield self.spider.request(self.source, self.source.url, self.parse,
                                  validators=self.spider.stored_source(self.source.name))

    async def parse(self, response, source):
        entries = await read_feed(self.spider, response, source, source.full_text)
        if entries is None:
            self.count = None  # unchanged: the stored count stands
            entries = []
        else:
            self.count += len(entries)
        whole = []
        for entry in entries:
            if entry.follow:
                for item in self.pages.follow(entry):
                    yield item
            else:
                whole.append(keep_excerpt(entry, NEVER) if entry.excerpt else entry)
        if whole:
            yield EntryBatch(whole)
        for item in self.pages.retry_waiting():
            yield item
        for item in self.spider.finish(source.name):
            yield item

    def entry_count(self) -> int | None:
        return self.count

    def health_error(self) -> str | None:
        return None


def complete_entry(entry: Entry, post) -> Entry:
    """A feed entry with its page's post as its text, unless the feed's own is longer
    (never a shorter text); the feed's own title, author and date first."""
    text = post.text if len(post.text) >= len(entry.text) else entry.text
    return dataclasses.replace(
        entry, text=text, title=entry.title or post.title,
        author=entry.author or post.author, published_at=entry.published_at or post.date,
        page_note="", excerpt=False, follow=False, matched=None, prepared=None)


def keep_excerpt(entry: Entry, why: str) -> Entry:
    """A feed entry with its own text (an excerpt), saying why it is not the page's."""
    return dataclasses.replace(entry, page_note=EXCERPT + why, follow=False, matched=None,
                               prepared=None)


def response_header(response, name: str) -> str | None:
    """The value of header `name` of a Scrapy response, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
