"""Public search feeds that find the brand on sites nobody listed (`type = "search"`).

Each engine is a URL template filled with the brand's query: the brand name and its
aliases, each quoted, joined with OR, URL-encoded (or a hashtag, for tag feeds). A
source names its engine (`engine = "google_news"`) and may set `query`, `language`,
`region` and `instance`; or it gives the feed's `url` itself (a Google Alert's RSS
address, which only its owner can create).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

DEFAULT_REGION = {"it": "IT", "en": "US"}
DEFAULT_INSTANCE = "mastodon.social"


@dataclass(frozen=True)
class Engine:
    """A search feed: its URL template, what it covers, and how its results are read."""

    template: str | None  # None: the user pastes the feed's URL (Google Alerts)
    covers: str
    query_style: str = "or"  # "or": quoted names joined with OR; "name": the quoted name;
    # "tag": the name as one hashtag word
    follow: bool = True  # fetch the page a result points to (False: the result IS the post)


ENGINES: dict[str, Engine] = {
    "google_news": Engine(
        "https://news.google.com/rss/search?q={query}&hl={language}&gl={region}"
        "&ceid={region}:{language}",
        "Google News: news sites and many blogs Google indexes as news, in the given "
        "language and country. Its links are news.google.com/rss/articles/... addresses "
        "that cannot be turned into the article's address offline: such a result keeps "
        "the title Google gives and is not fetched."),
    "bing_news": Engine(
        "https://www.bing.com/news/search?q={query}&format=rss&setlang={language}"
        "&cc={region}",
        "Bing News: news sites and blogs, title and snippet; links are unwrapped from "
        "bing.com/news/apiclick.aspx and each article is fetched."),
    "google_alerts": Engine(
        None,
        "Google Alerts: the whole web as Google sees it (blogs, forums, news). Create an "
        "alert for the brand at google.com/alerts, choose 'Deliver to: RSS feed' and paste "
        "its feed address as url. Links are unwrapped from google.com/url?...&url=."),
    "reddit": Engine(
        "https://www.reddit.com/search.rss?q={query}&sort=new",
        "Reddit: posts in every public subreddit whose title or text names the brand, "
        "newest first; the feed holds the post's own text.", follow=False),
    "hacker_news": Engine(
        "https://hnrss.org/newest?q={query}",
        "Hacker News stories naming the brand (through hnrss.org); the article each story "
        "links to is fetched.", query_style="name"),
    "hacker_news_comments": Engine(
        "https://hnrss.org/newcomments?q={query}",
        "Hacker News comments naming the brand (through hnrss.org); the feed holds the "
        "comment's text.", query_style="name", follow=False),
    "mastodon": Engine(
        "https://{instance}/tags/{tag}.rss",
        "Mastodon: public posts with the brand's hashtag (#bottegaaurora) that reached "
        "the instance (default mastodon.social); the feed holds the post's text.",
        query_style="tag", follow=False),
    "medium": Engine(
        "https://medium.com/feed/tag/{tag}",
        "Medium: stories tagged with the brand's name as one word; the feed holds the "
        "story's text.", query_style="tag", follow=False),
}


def brand_query(names: list[str], style: str = "or") -> str:
    """The search words for the brand: quoted names joined with OR, or the first name
    quoted ("name"), or the first name as one lowercase hashtag word ("tag")."""
    if style == "tag":
        return hashtag(names[0])
    if style == "name":
        return _quoted(names[0])
    return " OR ".join(_quoted(name) for name in names)


def hashtag(name: str) -> str:
    """A name as a hashtag word: accents and everything but letters and digits dropped."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return re.sub(r"\W|_", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', " ").strip() + '"'


def search_url(engine_name: str, names: list[str], *, query: str = "", language: str = "it",
               region: str = "", instance: str = "") -> str:
    """The feed URL of `engine_name` for a brand called `names` (name first, then aliases).

    `query`, when given, replaces the words built from the names; raises KeyError for an
    unknown engine and ValueError for an engine whose URL the user must paste.
    """
    engine = ENGINES[engine_name]
    if engine.template is None:
        raise ValueError(f"{engine_name} has no public URL template: paste your feed's url")
    words = query or brand_query(names, engine.query_style)
    return engine.template.format(
        query=quote_plus(words), tag=quote(hashtag(words) if query else words, safe=""),
        language=quote(language, safe=""),
        region=quote(region or DEFAULT_REGION.get(language, language.upper()), safe=""),
        instance=instance or DEFAULT_INSTANCE,
    )


def commented_search_sources(brand: str, language: str = "it") -> str:
    """settings.toml text: one commented-out search source per engine, for `brand`."""
    lines = ["", "# Search feeds: they find the brand on sites nobody listed (type = \"search\").",
             "# Each result's page is fetched (robots.txt and delays obeyed) and read like a",
             "# blog post; a site found often is proposed by `monitor sources --suggested`.",
             "# Uncomment the ones you want. The query is built from [brand] name and aliases",
             "# (set query = \"...\" to write your own); language and region default to",
             "# [digest] language."]
    for name, engine in ENGINES.items():
        lines.append("")
        lines += ["# " + line for line in _wrap(engine.covers)]
        lines += ["# [[sources]]", f'# name = "{_title(name)}"', '# type = "search"',
                  f'# engine = "{name}"']
        if engine.template is None:
            lines.append('# url = "https://www.google.com/alerts/feeds/.../..."')
        else:
            lines.append(f"# (reads {search_url(name, [brand], language=language)})")
    return "\n".join(lines) + "\n"


def _title(name: str) -> str:
    return name.replace("_", " ").title()


def _wrap(text: str, width: int = 86) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)
