"""schema.org reviews from a page's JSON-LD and microdata, read with extruct.

A Review may sit anywhere: inside a Product, Organization, LocalBusiness, Store or
Recipe, in an @graph, or in a bare list. Each JSON-LD script is read on its own, so one
broken script (comments, control characters, stray HTML comments) loses only itself.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import extruct
import jstyleson
from extruct.jsonld import JsonLdExtractor

from spiders.html_text import html_to_text
from spiders.ratings import Rating, parse_date_text, to_number

log = logging.getLogger(__name__)
JSONLD_SCRIPTS = '//script[@type="application/ld+json"]'
JSON_NOISE = re.compile(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(-->|//\s*\]\]>|\]\]>|;)\s*$")


@dataclass
class ReviewRecord:
    """One review as the page gives it, before it becomes an Entry."""

    body: str = ""
    title: str = ""
    author: str = ""
    date: str | None = None
    date_text: str = ""
    rating: Rating | None = None
    url: str = ""
    item: str = ""


@dataclass
class AggregateRecord:
    """An item's average rating: what was reviewed, the average, its scale and count."""

    item: str
    rating: Rating
    count: int | None = None


def structured_items(tree, base_url: str) -> list:
    """Every top-level JSON-LD and microdata item of the parsed page `tree`."""
    items = []
    for script in tree.xpath(JSONLD_SCRIPTS):
        items.extend(_jsonld_items(script, base_url))
    try:
        microdata = extruct.extract(tree, base_url=base_url, syntaxes=["microdata"],
                                    uniform=True, errors="log")
    except Exception as exc:  # extruct raises many kinds on odd markup; never fail a page
        log.info("microdata on %s not readable: %s", base_url, exc)
        microdata = {}
    items.extend(microdata.get("microdata", []))
    return items


def _jsonld_items(script, base_url: str) -> list:
    try:
        return JsonLdExtractor().extract_items(script, base_url=base_url)
    except Exception:  # fall back to the tolerant reading below
        pass
    text = JSON_NOISE.sub("", script.text_content().strip())
    for loads in (lambda t: json.loads(t, strict=False), jstyleson.loads):
        try:
            data = loads(text)
        except Exception:  # noqa: S112 - try the next reader
            continue
        return data if isinstance(data, list) else [data]
    log.info("unreadable JSON-LD script on %s skipped", base_url)
    return []


def find_reviews(items: list, base_url: str) -> tuple[list[ReviewRecord], list[AggregateRecord]]:
    """The reviews and aggregate ratings anywhere inside `items`."""
    reviews, aggregates = [], []
    _walk(items, "", base_url, reviews, aggregates)
    return reviews, aggregates


def _walk(node, parent_name: str, base_url: str, reviews: list, aggregates: list) -> None:
    if isinstance(node, list):
        for child in node:
            _walk(child, parent_name, base_url, reviews, aggregates)
        return
    if not isinstance(node, dict):
        return
    types = _types(node)
    name = _text(node.get("name")) if not types & {"Review", "Rating"} else ""
    if any(t.endswith("Review") for t in types):
        reviews.append(_review(node, parent_name, base_url))
        return
    if "AggregateRating" in types:
        aggregate = _aggregate(node, parent_name)
        if aggregate:
            aggregates.append(aggregate)
        return
    for key, child in node.items():
        if key not in ("@context", "@type"):
            _walk(child, name or parent_name, base_url, reviews, aggregates)


def _types(node: dict) -> set[str]:
    value = node.get("@type") or node.get("type") or []
    values = value if isinstance(value, list) else [value]
    return {str(v).rstrip("/").rsplit("/", 1)[-1] for v in values}


def _review(node: dict, parent_name: str, base_url: str) -> ReviewRecord:
    reviewed = node.get("itemReviewed")
    item = _text(reviewed.get("name")) if isinstance(reviewed, dict) else _text(reviewed)
    date_text = _text(node.get("datePublished") or node.get("dateCreated"))
    return ReviewRecord(
        body=_text(node.get("reviewBody") or node.get("description") or node.get("text")),
        title=_text(node.get("name") or node.get("headline")),
        author=_person(node.get("author")),
        date=parse_date_text(date_text),
        date_text=date_text,
        rating=_rating(node.get("reviewRating")),
        url=_own_url(node, base_url),
        item=item or parent_name,
    )


def _aggregate(node: dict, parent_name: str) -> AggregateRecord | None:
    rating = _rating(node)
    if rating is None:
        return None
    reviewed = node.get("itemReviewed")
    item = _text(reviewed.get("name")) if isinstance(reviewed, dict) else parent_name
    count = to_number(node.get("reviewCount") or node.get("ratingCount"))
    return AggregateRecord(item or "", rating, int(count) if count is not None else None)


def _rating(node) -> Rating | None:
    if isinstance(node, list):
        node = node[0] if node else None
    if not isinstance(node, dict):
        value = to_number(node)
        return Rating(value) if value is not None else None
    value = to_number(node.get("ratingValue"))
    if value is None:
        return None
    return Rating(value, to_number(node.get("bestRating")), to_number(node.get("worstRating")))


def _person(value) -> str:
    if isinstance(value, list):
        return ", ".join(filter(None, (_person(v) for v in value)))
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("alternateName"))
    return _text(value)


def _own_url(node: dict, base_url: str) -> str:
    for key in ("url", "@id"):
        value = node.get(key)
        if isinstance(value, str) and value.strip() and not value.startswith("_:"):
            return urljoin(base_url, value.strip())
    return ""


def _text(value) -> str:
    if isinstance(value, list):
        value = " ".join(_text(v) for v in value)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    return html_to_text(str(value)) if value not in (None, "") else ""
