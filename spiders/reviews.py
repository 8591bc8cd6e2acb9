"""`type = "reviews"`: the reviews of a shop's page on a review site, a product page, or
the shop's own review page.

Reviews come from schema.org markup (JSON-LD, microdata) or, for a page without it,
from the CSS selectors the source configures. Pages are followed by their "next" link
until a page holds only reviews already stored, or max_pages: a rescan of an unchanged
site fetches one page (this assumes the site lists the newest reviews first, as review
sites do); its page is asked for with the validators of the last scan, and a 304 costs
nothing more.

A review's identity is its own URL or id when the page gives one; otherwise the source's
URL plus a hash of its author and date (and of the body's first words only when both are
missing; a relative date such as "2 giorni fa" counts as missing). The body is left out
on purpose, so an edited review updates its row; the source's URL rather than the page's,
because reviews move to later pages as new ones come.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from spiders.identity import first_words, mention_key, written_id
from spiders.items import Entry
from spiders.ratings import is_relative_date
from spiders.review_markup import AggregateRecord, ReviewRecord, find_reviews, structured_items
from spiders.review_selectors import next_page_url, reviews_from_selectors

DEFAULT_MAX_PAGES = 10
LAYOUT_CHANGED = "no reviews found: has the page layout changed?"


class ReviewsReader:
    """Reads one reviews source for the SourcesSpider."""

    def __init__(self, spider, source):
        self.spider = spider
        self.source = source
        self.max_pages = source.max_pages or DEFAULT_MAX_PAGES
        self.always_mention = (True if source.all_reviews_are_mentions is None
                               else source.all_reviews_are_mentions)
        self.pages = 0
        self.visited: set[str] = set()
        self.review_count = 0
        self.unchanged = False
        self.openings: dict[str, str] = {}

    def start_requests(self):
        yield self._page_request(self.source.url)

    def _page_request(self, url: str):
        self.pages += 1
        self.visited.add(url)
        return self.spider.page_request(self.source, url, self.parse_page)

    def parse_page(self, response, source):
        """Yield the page's reviews, then the next page's request unless it is not needed.
        A page unchanged since the last scan (304, or the same body) holds only reviews
        already stored: it is not read again."""
        if self.spider.page_unchanged(response, source):
            self.unchanged = True
            self.spider.page_read(response, source)
        else:
            yield from self._read_page(response)
            self.spider.page_read(response, source, links=[])
        yield from self.spider.finish(source.name)

    def _read_page(self, response):
        records, aggregates = self._records(response)
        _drop_shared_urls(records, response.url)
        reviews = [entry for entry in map(self._review_entry, records) if entry]
        self.review_count += len(reviews)
        known = self.spider.storage.known_keys([mention_key(e.url, e.entry_id) for e in reviews])
        yield from reviews
        yield from filter(None, map(self._aggregate_entry, aggregates))
        next_url = next_page_url(response, self.source.selectors)
        only_known = len(known) == len(reviews)
        if next_url and reviews and not only_known and self._may_follow(next_url):
            yield self._page_request(next_url)

    def _may_follow(self, url: str) -> bool:
        same_site = urlsplit(url).netloc == urlsplit(self.source.url).netloc
        return same_site and url not in self.visited and self.pages < self.max_pages

    def _records(self, response) -> tuple[list[ReviewRecord], list[AggregateRecord]]:
        if self.source.selectors.get("review"):
            return reviews_from_selectors(response, self.source.selectors), []
        items = structured_items(response.selector.root, response.url)
        return find_reviews(items, response.url)

    def _review_entry(self, record: ReviewRecord) -> Entry | None:
        """The Entry of a review, or None when this scan already read the same review."""
        url, entry_id = self._identity(record)
        value, best = record.rating.normalized() if record.rating else (None, None)
        title = " — ".join(filter(None, [record.item, record.title]))
        opening = first_words(record.body)
        while entry_id in self.openings:
            if _same_opening(self.openings[entry_id], opening):
                return None  # the same review again (JSON-LD and microdata, or page moved)
            entry_id += "+"  # another review with the same author and date
        self.openings[entry_id] = opening
        return Entry(source=self.source.name, url=url, entry_id=entry_id, text=record.body,
                     title=title, author=record.author, published_at=record.date,
                     kind="review", rating=value, best_rating=best,
                     always_mention=self.always_mention)

    def _identity(self, record: ReviewRecord) -> tuple[str, str]:
        if record.url:
            return record.url, record.url
        relative = is_relative_date(record.date_text)
        date = "" if relative else record.date or record.date_text
        return self.source.url, written_id("review", record.author, date, record.body)

    def _aggregate_entry(self, aggregate: AggregateRecord) -> Entry | None:
        value, best = aggregate.rating.normalized()
        entry_id = f"aggregate-rating:{aggregate.item.casefold()}"
        if entry_id in self.openings:
            return None
        self.openings[entry_id] = ""
        count = f" ({aggregate.count} reviews)" if aggregate.count is not None else ""
        return Entry(source=self.source.name, url=self.source.url, entry_id=entry_id,
                     text=f"{aggregate.item}: {value:g}/{best:g}{count}".strip(": "),
                     title=aggregate.item, kind="rating", rating=value, best_rating=best,
                     always_mention=self.always_mention)

    def entry_count(self) -> int | None:
        """Reviews read in this scan (aggregate ratings not counted); None when the first
        page was unchanged (the stored count stands)."""
        return None if self.unchanged and not self.review_count else self.review_count

    def health_error(self) -> str | None:
        """A failure to report although every page was fetched: reviews vanished."""
        if self.review_count or self.unchanged:
            return None
        row = self.spider.stored_source(self.source.name)
        return LAYOUT_CHANGED if (row.get("last_entry_count") or 0) > 0 else None


def _drop_shared_urls(records: list[ReviewRecord], page_url: str) -> None:
    """Forget review URLs that do not tell reviews apart: the page's own URL, or a URL
    several reviews share (the product's, say)."""
    openings: dict[str, set[str]] = {}
    for record in records:
        openings.setdefault(record.url, set()).add(first_words(record.body))
    page = page_url.split("#")[0]
    for record in records:
        if record.url and (len(openings[record.url]) > 1 or record.url == page):
            record.url = ""


def _same_opening(first: str, second: str) -> bool:
    """Whether two reviews with one identity are one review: same first words, or one
    of them without a body (markup that repeats a review often shortens it)."""
    return not first or not second or first.startswith(second) or second.startswith(first)
