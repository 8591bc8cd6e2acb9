"""Read RSS, Atom, RDF and JSON feeds with feedparser, from bytes Scrapy fetched."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from bs4 import BeautifulSoup

from spiders.items import Entry


class NotAFeed(ValueError):
    """The response is not a feed feedparser can read."""


def parse_feed(body: bytes, url: str, headers: dict[str, str], source: str) -> list[Entry]:
    """The entries of the feed in `body`; raises NotAFeed when it holds none and is
    not a well-formed (empty) feed."""
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = parsed.get("bozo_exception") or "no feed found in the document"
        raise NotAFeed(f"not a readable feed: {problem}")
    base = parsed.feed.get("link") or url
    return [_entry(item, base, source) for item in parsed.entries]


def _entry(item, base: str, source: str) -> Entry:
    link = urljoin(base, item.get("link") or "")
    html = item["content"][0].get("value", "") if item.get("content") else ""
    html = html or item.get("summary", "")
    return Entry(
        source=source,
        url=link or base,
        entry_id=item.get("id") or link or item.get("title", ""),
        title=html_to_text(item.get("title", "")),
        text=html_to_text(html),
        author=html_to_text(item.get("author", "")),
        published_at=_iso(item.get("published_parsed") or item.get("updated_parsed")),
    )


def html_to_text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace folded."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    soup = BeautifulSoup(html, "html.parser")
    for node in soup(["script", "style"]):
        node.decompose()
    return " ".join(soup.get_text(" ").split())


def _iso(parsed_time) -> str | None:
    if not parsed_time:
        return None
    try:
        seconds = calendar.timegm(parsed_time)
    except (TypeError, ValueError, OverflowError):
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


class FeedReader:
    """Reads one feed source for the SourcesSpider: one conditional request."""

    def __init__(self, spider, source):
        self.spider = spider
        self.source = source
        self.count = 0

    def start_requests(self):
        yield self.spider.request(self.source, self.source.url, self.parse, conditional=True)

    def parse(self, response, source):
        progress = self.spider.progress[source.name]
        if response.status == 304:
            progress.etag = _header(response, "ETag")
            progress.last_modified = _header(response, "Last-Modified")
            yield from self.spider.finish(source.name, unchanged=True)
            return
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1")
                   for k, v in response.headers.items() if v}
        try:
            entries = parse_feed(response.body, response.url, headers, source.name)
        except NotAFeed as exc:
            progress.errors.append(f"{response.url}: {exc}")
        else:
            progress.etag = headers.get("etag")
            progress.last_modified = headers.get("last-modified")
            self.count += len(entries)
            yield from entries
        yield from self.spider.finish(source.name)

    def entry_count(self) -> int:
        return self.count

    def health_error(self) -> str | None:
        return None


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
