"""Read RSS, Atom, RDF and JSON feeds with feedparser, from bytes Scrapy fetched."""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
import lxml.etree
import lxml.html

from spiders.items import Entry, EntryBatch


class NotAFeed(ValueError):
    """The response is not a feed feedparser can read."""


def parse_feed(body: bytes, url: str, headers: dict[str, str], source: str) -> list[Entry]:
    """The entries of the feed in `body`; raises NotAFeed when it holds none and is
    not a well-formed (empty) feed."""
    # No sanitizing or URI rewriting: the HTML is reduced to text right away.
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = str(parsed.get("bozo_exception") or "no feed found in the document")
        problem = re.sub(r"^<unknown>:(\d+):(\d+): ", r"XML error at line \1, column \2: ",
                         problem)
        raise NotAFeed(f"not a readable feed: {problem}")
    base = parsed.feed.get("link") or url
    return [_entry(item, base, source) for item in parsed.entries]


def _entry(item, base: str, source: str) -> Entry:
    own_link = item.get("link")
    html = item["content"][0].get("value", "") if item.get("content") else ""
    title = html_to_text(item.get("title", ""))
    text = html_to_text(html or item.get("summary", ""))
    # An entry with neither id nor link is known by what it says.
    fallback_id = "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:24]
    return Entry(
        source=source,
        url=urljoin(base, own_link) if own_link else base,
        entry_id=item.get("id") or own_link or fallback_id,
        title=title,
        text=text,
        author=html_to_text(item.get("author", "")),
        published_at=_iso(item.get("published_parsed") or item.get("updated_parsed")),
    )


BLOCK_TAGS = {"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
              "h6", "blockquote", "pre", "section", "article", "header", "footer", "hr"}


def html_to_text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace folded.

    lxml (already there for Scrapy) is five times faster than BeautifulSoup here, and
    a scan converts every entry of every feed.
    """
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return " ".join(html.split())
    for node in root.iter("script", "style"):
        node.text = ""
    for node in root.iter(*BLOCK_TAGS):
        node.tail = " " + (node.tail or "")
    for node in root.iter("script", "style"):
        node.drop_tree()
    return " ".join(root.text_content().split())


def _iso(parsed_time) -> str | None:
    if not parsed_time:
        return None
    try:
        seconds = calendar.timegm(parsed_time)
    except (TypeError, ValueError, OverflowError):
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


async def read_feed(spider, response, source) -> list[Entry] | None:
    """The entries of a fetched feed, or None when it is unchanged (304).

    Keeps the response's cache validators on the source's progress (a 304 without them
    keeps the stored ones); a feed that cannot be read is an error of the source.
    """
    progress = spider.progress[source.name]
    if response.status == 304:
        stored = spider.stored_source(source.name)
        progress.etag = _header(response, "ETag") or stored.get("etag")
        progress.last_modified = (_header(response, "Last-Modified")
                                  or stored.get("last_modified"))
        return None
    headers = {k.decode("latin-1").lower(): v[0].decode("latin-1")
               for k, v in response.headers.items() if v}
    try:
        entries = await spider.run_parser(parse_feed, response.body, response.url, headers,
                                          source.name)
    except NotAFeed as exc:
        progress.errors.append(f"{response.url}: {exc}")
        return []
    except Exception as exc:  # a parser bug must fail this source, not the scan
        progress.errors.append(f"{response.url}: could not parse: {type(exc).__name__}: {exc}")
        return []
    progress.etag = headers.get("etag")
    progress.last_modified = headers.get("last-modified")
    return entries


class FeedReader:
    """Reads one feed source for the SourcesSpider: one conditional request."""

    def __init__(self, spider, source):
        self.spider = spider
        self.source = source
        self.count = 0

    def start_requests(self):
        yield self.spider.request(self.source, self.source.url, self.parse, conditional=True)

    async def parse(self, response, source):
        entries = await read_feed(self.spider, response, source)
        if entries is None:
            for item in self.spider.finish(source.name, unchanged=True):
                yield item
            return
        self.count += len(entries)
        if entries:
            yield EntryBatch(entries)
        for item in self.spider.finish(source.name):
            yield item

    def entry_count(self) -> int:
        return self.count

    def health_error(self) -> str | None:
        return None


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
