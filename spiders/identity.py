"""A mention's stable identity: its canonical URL plus the entry's own id."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMETER = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|ref_src)$",
    re.IGNORECASE,
)


# Redirect wrappers of search engines and sites: (host ends with, path starts with) ->
# the query parameters that may hold the real address, in order.
REDIRECT_PARAMETERS = {
    ("google.", "/url"): ("url", "q"),  # www.google.com/url?q=... and Google Alerts' url=
    ("bing.com", "/news/apiclick.aspx"): ("url",),
    ("duckduckgo.com", "/l/"): ("uddg",),
    ("out.reddit.com", "/"): ("url",),
    ("facebook.com", "/l.php"): ("u",),
    ("l.instagram.com", "/"): ("u",),
    ("youtube.com", "/redirect"): ("q",),
    ("linkedin.com", "/redir/redirect"): ("url",),
    ("vk.com", "/away.php"): ("to",),
    ("t.umblr.com", "/redirect"): ("z",),
    ("slack-redir.net", "/link"): ("url",),
    ("steamcommunity.com", "/linkfilter/"): ("url", "u"),
}
YAHOO_RU = re.compile(r"/RU=([^/]+)/")
# The last two labels of every redirector's host: most links are on none of them.
REDIRECTOR_DOMAINS = {".".join(host.split(".")[-2:]) for host, _ in REDIRECT_PARAMETERS
                      if not host.endswith(".")} | {"yahoo.com"}
MAX_UNWRAPS = 5


def unwrap_redirect(url: str) -> str:
    """The real address behind a search engine's or site's redirect link, else `url`.

    Unwrapped: google.com/url (q= or url=, Google Alerts), bing.com/news/apiclick.aspx
    and bing.com/ck/a (u=a1 + base64), r.search.yahoo.com/.../RU=.../,
    duckduckgo.com/l/?uddg=, out.reddit.com, l.facebook.com, YouTube, LinkedIn and a few
    more. Not unwrappable offline, kept as they are: news.google.com/rss/articles/...
    (the address is encoded inside Google's own token), t.co and other URL shorteners.
    """
    for _ in range(MAX_UNWRAPS):
        real = _unwrap_once(url)
        if real is None:
            return url
        url = real
    return url


def _unwrap_once(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    domain = ".".join(host.rsplit(".", 2)[-2:])
    if domain not in REDIRECTOR_DOMAINS and not host.startswith(("google.", "www.google.")):
        return None
    if host == "r.search.yahoo.com":
        found = YAHOO_RU.search(parts.path + "/")
        return _real(unquote(found.group(1))) if found else None
    query = parse_qs(parts.query)
    if host.endswith("bing.com") and parts.path == "/ck/a":
        return _bing_ck(query.get("u", [""])[0])
    for (host_end, path_start), names in REDIRECT_PARAMETERS.items():
        if _host_is(host, host_end) and parts.path.startswith(path_start):
            for name in names:
                real = _real(query.get(name, [""])[0])
                if real:
                    return real
    return None


def _host_is(host: str, ending: str) -> bool:
    if ending.endswith("."):  # google.: any of Google's country domains
        return bool(re.match(r"^(www\.)?google\.[a-z.]+$", host))
    return host == ending or host.endswith("." + ending)


def _bing_ck(value: str) -> str | None:
    if not value.startswith("a1"):
        return None
    encoded = value[2:]
    try:
        decoded = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return _real(decoded)


def _real(candidate: str) -> str | None:
    candidate = candidate.strip()
    return candidate if re.match(r"https?://[^/\s]+", candidate, re.IGNORECASE) else None


@functools.lru_cache(maxsize=8192)  # a scan asks for each entry's URL several times
def canonical_url(url: str) -> str:
    """`url` unwrapped from a redirect link (see unwrap_redirect), without tracking
    parameters, with its query sorted; the fragment is kept because it names a comment
    or review on the page."""
    if not url:
        return ""
    url = unwrap_redirect(url)
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


FIRST_WORDS = 12


def first_words(text: str, count: int = FIRST_WORDS) -> str:
    """The first `count` words of `text`, case folded."""
    return " ".join(text.casefold().split()[:count])


def written_id(prefix: str, author: str, date: str | None, body: str) -> str:
    """The id of something written on a page without an id of its own (a review, a
    comment): a hash of its author and date, or of its first words when it has neither.
    The body is left out when it can be, so that an edit updates the mention rather than
    adding one. Pass no date when the page's is relative ("2 giorni fa", "3 days ago"):
    tomorrow the page says another thing, and the identity must not change with it."""
    parts = [author.casefold(), date or ""]
    if not author and not date:
        parts = ["body", first_words(body)]
    return f"{prefix}:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
