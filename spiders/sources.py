"""The one spider of a scan: it reads every enabled source, whatever its type.

One spider means one downloader, so the per-site delay holds across all sources on a
site. Each source's requests are counted; when the last one ends, the spider emits a
SourceOutcome item after that source's entries, so the pipeline stores the entries
before it stores the cache validators that would skip them next time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from spiders.feeds import NotAFeed, parse_feed
from spiders.items import SourceOutcome


@dataclass
class SourceProgress:
    pending: int = 0
    entries: int = 0
    errors: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None


class SourcesSpider(scrapy.Spider):
    name = "sources"

    def __init__(self, sources, storage, matcher, scan_id, **kwargs):
        super().__init__(**kwargs)
        self.sources = {source.name: source for source in sources}
        self.storage = storage
        self.matcher = matcher
        self.scan_id = scan_id
        self.progress = {name: SourceProgress() for name in self.sources}
        self.outcomes: dict[str, str | None] = {}

    async def start(self):
        for source in self.sources.values():
            yield self.request(source, source.url, self.parse_feed, conditional=True)

    def request(self, source, url, callback, conditional=False) -> scrapy.Request:
        """A request on behalf of `source`, counted until its callback or errback ends."""
        headers = {}
        if conditional:
            row = self.storage.source(source.name) or {}
            if row.get("etag"):
                headers["If-None-Match"] = row["etag"]
            if row.get("last_modified"):
                headers["If-Modified-Since"] = row["last_modified"]
        self.progress[source.name].pending += 1
        return scrapy.Request(
            url, callback=callback, errback=self.failed, headers=headers,
            cb_kwargs={"source": source}, dont_filter=True,
            meta={"handle_httpstatus_list": [304], "source": source.name},
        )

    def parse_feed(self, response, source):
        progress = self.progress[source.name]
        if response.status == 304:
            progress.etag = _header(response, "ETag")
            progress.last_modified = _header(response, "Last-Modified")
            yield from self.finish(source.name, unchanged=True)
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
            progress.entries += len(entries)
            yield from entries
        yield from self.finish(source.name)

    def failed(self, failure):
        request = failure.request
        name = request.meta["source"]
        self.progress[name].errors.append(f"{request.url}: {describe_failure(failure)}")
        yield from self.finish(name)

    def finish(self, name: str, unchanged: bool = False):
        """Count one request of source `name` as done; after its last, yield its outcome."""
        progress = self.progress[name]
        progress.pending -= 1
        if progress.pending > 0:
            return
        error = "; ".join(progress.errors) or None
        self.outcomes[name] = error
        yield SourceOutcome(
            source=name, error=error, etag=progress.etag, last_modified=progress.last_modified,
            entry_count=None if unchanged else progress.entries,
        )


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def describe_failure(failure) -> str:
    """A one-line, readable reason why a request failed."""
    exc = failure.value
    if failure.check(HttpError):
        response = exc.response
        return f"HTTP {response.status} {_reason(response.status)}".strip()
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "host name not found (DNS lookup failed)"
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timed out (crawl.timeout)"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        return "connection refused (is the site down?)"
    if failure.check(DownloadCancelledError):
        return "response larger than crawl.max_page_bytes, not read"
    message = str(exc) or type(exc).__name__
    if "robots.txt" in message:
        return "disallowed by the site's robots.txt (not fetched)"
    if "max redirections" in message:
        return "too many redirects (redirect loop?)"
    return f"{type(exc).__name__}: {message}"


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
