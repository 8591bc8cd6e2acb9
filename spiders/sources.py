"""The one spider of a scan: it reads every enabled source, whatever its type.

One spider means one downloader, so the per-site delay holds across all sources on a
site. Each source's requests are counted; when the last one ends, the spider emits a
SourceOutcome item after that source's entries, so the pipeline stores the entries
before it stores the cache validators that would skip them next time.
"""

from __future__ import annotations

import asyncio
import importlib
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

from spiders.items import SourceOutcome
from spiders.workers import extract_and_annotate


@dataclass
class SourceProgress:
    pending: int = 0
    errors: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None


READERS = {"feed": "spiders.feeds:FeedReader", "reviews": "spiders.reviews:ReviewsReader",
           "blog": "spiders.blog:BlogReader", "search": "spiders.search:SearchReader"}


def reader_type(source_type: str):
    """The reader class of a source type (it makes the source's requests and parses
    their responses), or None. Imported when first needed: the review and blog readers
    bring heavy extraction libraries that a scan of feeds does not need."""
    if source_type not in READERS:
        return None
    module, _, name = READERS[source_type].partition(":")
    return getattr(importlib.import_module(module), name)


class SourcesSpider(scrapy.Spider):
    name = "sources"

    def __init__(self, sources, storage, matcher, scan_id, parser_pool=None, annotate=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.parser_pool = parser_pool
        self.annotate = annotate
        self.sources = {source.name: source for source in sources}
        self.storage = storage
        self.matcher = matcher
        self.scan_id = scan_id
        self.progress = {name: SourceProgress() for name in self.sources}
        self.stored = storage.source_rows()  # as they were before this scan
        self.outcomes: dict[str, str | None] = {}
        self.readers: dict = {}

    async def start(self):
        types = {kind: reader_type(kind) for kind in {s.type for s in self.sources.values()}}
        for source in self.sources.values():
            reader_class = types[source.type]
            if reader_class is None:
                error = f"type {source.type!r} cannot be read by this version"
                self.outcomes[source.name] = error
                yield SourceOutcome(source=source.name, error=error)
                continue
            self.readers[source.name] = reader = reader_class(self, source)
            for request in reader.start_requests():
                yield request

    def request(self, source, url, callback, conditional=False, required=True,
                meta=None, fallback=None) -> scrapy.Request:
        """A request on behalf of `source`, counted until its callback or errback ends.

        A failed required request fails the source; a failed optional one (a link found
        while crawling a blog) is only logged as a warning. `fallback`, when given, is
        called with the reason of a failure and yields the items to use instead.
        """
        headers = {}
        if conditional:
            row = self.stored_source(source.name)
            if row.get("etag"):
                headers["If-None-Match"] = row["etag"]
            if row.get("last_modified"):
                headers["If-Modified-Since"] = row["last_modified"]
        self.progress[source.name].pending += 1
        return scrapy.Request(
            url, callback=callback, errback=self.failed, headers=headers,
            cb_kwargs={"source": source}, dont_filter=True,
            meta={"handle_httpstatus_list": [304], "source": source.name,
                  "required": required, "fallback": fallback, **(meta or {})},
        )

    def stored_source(self, name: str) -> dict:
        """Source `name`'s row (cache validators, health) as it was before this scan."""
        return self.stored.get(name, {})

    async def run_parser(self, function, *args):
        """Run a CPU-heavy extraction in the scan's worker processes when it has them,
        so that parsing uses every core while this process keeps downloading. There the
        entries also go through `self.annotate` (the scan's early classification), the
        other CPU-heavy step of their way."""
        if self.parser_pool is None:
            return function(*args)
        return await asyncio.get_running_loop().run_in_executor(
            self.parser_pool, extract_and_annotate, self.annotate, function, *args)

    def failed(self, failure):
        request = failure.request
        name = request.meta["source"]
        reason = f"{request.url}: {describe_failure(failure)}"
        if request.meta.get("required", True):
            self.progress[name].errors.append(reason)
        else:
            self.logger.warning("source %r: %s", name, reason)
        if request.meta.get("fallback") is not None:
            yield from request.meta["fallback"](describe_failure(failure))
        yield from self.finish(name)

    def finish(self, name: str, unchanged: bool = False):
        """Count one request of source `name` as done; after its last, yield its outcome."""
        progress = self.progress[name]
        progress.pending -= 1
        if progress.pending > 0:
            return
        reader = self.readers[name]
        error = "; ".join(progress.errors) or reader.health_error()
        self.outcomes[name] = error
        yield SourceOutcome(
            source=name, error=error, etag=progress.etag, last_modified=progress.last_modified,
            entry_count=None if unchanged else reader.entry_count(),
        )


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

