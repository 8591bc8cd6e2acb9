"""The one spider of a scan: it reads every enabled source, whatever its type.

One spider means one downloader, so the per-site delay holds across all sources on a
site. Each source's requests are counted; when the last one ends, the spider emits a
SourceOutcome item after that source's entries, so the pipeline stores the entries
before it stores the cache validators that would skip them next time. Pages besides a
source's feed (a blog's posts, the page a feed entry links to) are asked for with the
validators of the last time the source read them; what was read of each page is kept
(PageVisit items) after all the source's entries, and only when the source ends well.
"""

from __future__ import annotations

import asyncio
import hashlib
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

from spiders.feeds import response_header
from spiders.items import PageVisit, SourceOutcome
from spiders.workers import extract_and_annotate


@dataclass
class SourceProgress:
    pending: int = 0
    errors: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    visits: list[PageVisit] = field(default_factory=list)


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
        self.pages = storage.page_rows()
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

    def request(self, source, url, callback, validators=None, required=True,
                meta=None, fallback=None) -> scrapy.Request:
        """A request on behalf of `source`, counted until its callback or errback ends.

        With `validators` (a stored row with etag and last_modified), the request is
        conditional. A failed required request fails the source; a failed optional one (a
        link found while crawling a blog) is only logged as a warning. `fallback`, when
        given, is called with the reason of a failure and yields the items to use instead.
        """
        headers = {}
        if validators and validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        self.progress[source.name].pending += 1
        return scrapy.Request(
            url, callback=callback, errback=self.failed, headers=headers,
            cb_kwargs={"source": source}, dont_filter=True,
            meta={"handle_httpstatus_list": [304], "source": source.name, "page": url,
                  "required": required, "fallback": fallback, **(meta or {})},
        )

    def stored_source(self, name: str) -> dict:
        """Source `name`'s row (cache validators, health) as it was before this scan."""
        return self.stored.get(name, {})

    def page_request(self, source, url, callback, **options) -> scrapy.Request:
        """A conditional request for a page `source` read before (see stored_page)."""
        return self.request(source, url, callback, validators=self.stored_page(source.name, url),
                            **options)

    def stored_page(self, source: str, url: str) -> dict:
        """What `source` last read of the page at `url` before this scan (validators, body
        hash, links, comment count, failure), or {}."""
        return self.pages.get((source, url), {})

    def page_unchanged(self, response, source) -> bool:
        """Whether the page is as `source` last read it: a 304, or the same body."""
        stored = self.stored_page(source.name, response.meta["page"])
        if response.status == 304:
            return True
        return bool(stored.get("body_hash")) and stored["body_hash"] == body_hash(response)

    def page_read(self, response, source, links=None, comments=None) -> None:
        """Note what `source` read of the page of `response` (its validators, body hash,
        the links it led to and how many comments it gave; with `links` or `comments`
        None, those of last time), to be stored when the source ends well (see finish).
        Nothing is noted when all is as stored: a rescan of an unchanged site writes
        nothing."""
        page = response.meta["page"]
        stored = self.stored_page(source.name, page)
        unchanged = response.status == 304
        visit = PageVisit(
            source=source.name, url=page,
            etag=response_header(response, "ETag") or (
                stored.get("etag") if unchanged else None),
            last_modified=response_header(response, "Last-Modified") or (
                stored.get("last_modified") if unchanged else None),
            body_hash=stored.get("body_hash") if unchanged else body_hash(response),
            links=stored.get("links") if links is None else links,
            comments=stored.get("comments") if comments is None else comments)
        same = (visit.etag, visit.last_modified, visit.body_hash, visit.links,
                visit.comments) == (stored.get("etag"), stored.get("last_modified"),
                                    stored.get("body_hash"), stored.get("links"),
                                    stored.get("comments"))
        if not same or stored.get("error"):
            self.progress[source.name].visits.append(visit)

    def page_failed(self, source, url: str, error: str, waiting: dict | None) -> None:
        """Note that `source` could not read the page at `url`, and the entry (as a dict)
        waiting for it, to be tried again on the next scans."""
        self.progress[source.name].visits.append(
            PageVisit(source=source.name, url=url, error=error, waiting=waiting))

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

    def finish(self, name: str):
        """Count one request of source `name` as done; after its last, yield its outcome."""
        progress = self.progress[name]
        progress.pending -= 1
        if progress.pending > 0:
            return
        reader = self.readers[name]
        error = "; ".join(progress.errors) or reader.health_error()
        self.outcomes[name] = error
        if error is None:  # else nothing vouches for the pages: read them again next time
            yield from progress.visits
        yield SourceOutcome(
            source=name, error=error, etag=progress.etag, last_modified=progress.last_modified,
            entry_count=reader.entry_count(),
        )


def body_hash(response) -> str:
    """A hash of a response's body: the same body is the same page."""
    return hashlib.sha256(response.body).hexdigest()[:32]


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

