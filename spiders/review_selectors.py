"""Reviews of pages without schema.org markup, read with the CSS selectors a source
configures in settings.toml ([sources.selectors]: review, author, date, rating, body,
title, next_page, best_rating)."""

from __future__ import annotations

from urllib.parse import urljoin

from spiders.html_text import html_to_text
from spiders.ratings import Rating, parse_date_text, parse_rating_text, to_number
from spiders.review_markup import ReviewRecord

# Where a page writes a rating or a date for machines, besides the element's text.
RATING_ATTRIBUTES = ("content", "data-rating", "data-score", "data-value", "aria-label",
                     "title", "alt")
DATE_ATTRIBUTES = ("datetime", "content", "data-date", "title")
DEFAULT_NEXT_PAGE = ('link[rel~="next"]::attr(href)', 'a[rel~="next"]::attr(href)')


def reviews_from_selectors(response, selectors: dict) -> list[ReviewRecord]:
    """One ReviewRecord per element matching selectors["review"]."""
    return [_review(node, selectors, response.url) for node in response.css(selectors["review"])]


def _review(node, selectors: dict, page_url: str) -> ReviewRecord:
    body_selector = selectors.get("body")
    body = _text(node, body_selector) if body_selector else html_to_text(node.get())
    rating = _rating(node, selectors.get("rating"))
    best = to_number(_text(node, selectors.get("best_rating")))
    if rating and best:
        rating = Rating(rating.value, best, rating.worst)
    anchor = node.attrib.get("id", "")
    date, date_text = _date(node, selectors.get("date"))
    return ReviewRecord(
        body=body,
        title=_text(node, selectors.get("title")),
        author=_text(node, selectors.get("author")),
        date=date,
        date_text=date_text,
        rating=rating,
        url=urljoin(page_url, "#" + anchor) if anchor else "",
    )


def _text(node, selector: str | None) -> str:
    if not selector:
        return ""
    found = node.css(selector)
    return html_to_text(found[0].get()) if found else ""


def _first(node, selector: str | None):
    if not selector:
        return None
    found = node.css(selector)
    return found[0] if found else None


def _rating(node, selector: str | None) -> Rating | None:
    element = _first(node, selector)
    if element is None:
        return None
    candidates = [html_to_text(element.get())]
    attributes = element.attrib if hasattr(element.root, "attrib") else {}
    candidates += [attributes[name] for name in RATING_ATTRIBUTES if attributes.get(name)]
    for text in candidates:
        rating = parse_rating_text(text)
        if rating is not None:
            return rating
    return None


def _date(node, selector: str | None) -> tuple[str | None, str]:
    """(ISO date or None, the date as written) of a review."""
    return element_date(_first(node, selector))


def element_date(element) -> tuple[str | None, str]:
    """(ISO date or None, the date as written) of a selected element (or None): from a
    machine-readable attribute (datetime, content...), else from its text."""
    if element is None:
        return None, ""
    attributes = element.attrib if hasattr(element.root, "attrib") else {}
    for name in DATE_ATTRIBUTES:
        if attributes.get(name):
            parsed = parse_date_text(attributes[name])
            if parsed:
                return parsed, attributes[name]
    text = html_to_text(element.get())
    return parse_date_text(text), text


def next_page_url(response, selectors: dict) -> str | None:
    """The next page of reviews: the configured next_page selector, else rel="next"."""
    configured = selectors.get("next_page")
    for selector in ([configured] if configured else DEFAULT_NEXT_PAGE):
        found = response.css(selector)
        if not found:
            continue
        first = found[0]
        href = first.attrib.get("href") if hasattr(first.root, "attrib") else first.get()
        if href and href.strip() and not href.strip().startswith(("#", "javascript:")):
            return urljoin(response.url, href.strip())
    return None
