"""A mention's stable identity: its canonical URL plus the entry's own id."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMETER = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref_src)$",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """`url` without tracking parameters, with its query sorted; the fragment is kept
    because it names a comment or review on the page."""
    if not url:
        return ""
    query = urlsplit(url).query
    tracking = [name for name, _ in parse_qsl(query, keep_blank_values=True)
                if TRACKING_PARAMETER.match(name)]
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, keep_fragments=True)
    return canonicalize_url(url, keep_fragments=True)


def mention_key(url: str, entry_id: str | None) -> str:
    """The identity of a mention: stable across scans, whatever its content."""
    ident = f"{canonical_url(url)}\n{entry_id or ''}"
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]


def content_hash(*parts: str | None) -> str:
    """A hash of what a mention says, to tell an edited entry from an unchanged one."""
    joined = "\x1f".join(part or "" for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]
