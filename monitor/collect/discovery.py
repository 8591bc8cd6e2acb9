"""Discovery: one mention however many sources see it, and new sites worth watching.

Identity. An entry's own identity is its canonical URL plus its entry id
(spiders.identity.mention_key). A page-level entry (a feed entry, a post, a search
result; not a comment or a review) is merged into a stored mention of the same
canonical URL when either of them came from a search source: so a post found by two
engines and by its blog's own feed is one mention, whatever id the feed gives it. Each
source that saw a mention is recorded once as a sighting.

Suggestions. A site (host) on which search sources found at least
[discovery] suggest_after pages, and that no configured source reads, is proposed as
a new source.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from spiders.identity import canonical_url, mention_key

PAGE_KINDS = ("entry", "post", "search")


@dataclass(frozen=True)
class Target:
    """Where an entry is stored: the mention's key and the entry's own key. Whether its
    text replaces the stored one is storage's rule (Storage.save_mentions): a snippet or
    an excerpt never replaces a page's whole text."""

    key: str
    own_key: str


def merge_target(entry, storage, own: str | None = None) -> Target:
    """The mention `entry` belongs to (see the module's docstring); `own` is the entry's
    own key when it is already known."""
    own = own or mention_key(entry.url, entry.entry_id)
    if entry.kind not in PAGE_KINDS or not (entry.found_by_search
                                            or storage.search_sightings_exist()):
        return Target(own, own)  # nothing found by search to merge with
    if storage.mention_exists(own):
        return Target(own, own)
    merged = storage.sighted_mention_key(own)
    if merged is None:
        stored = storage.page_mention(canonical_url(entry.url),
                                      found_by_search=not entry.found_by_search)
        if stored is None:
            return Target(own, own)
        return Target(stored["key"], own)
    return Target(merged, own)


def sighting(source: str, own_key: str, url: str, via_url: str | None) -> dict:
    """The arguments of Storage.record_sighting, but the mention's key: `source` saw the
    entry `own_key` at `url` (canonical), through `via_url`."""
    page = urldefrag(url)[0]
    return {"source": source, "entry_key": own_key, "page": page,
            "host": urlsplit(page).netloc.lower(), "via_url": via_url or None}


def record_sighting(storage, source: str, target_key: str, own_key: str, url: str,
                    via_url: str | None) -> None:
    """Record that `source` saw the mention `target_key` (at `url`, through `via_url`)."""
    storage.record_sighting(target_key, **sighting(source, own_key, url, via_url))


@dataclass(frozen=True)
class Suggestion:
    host: str
    pages: int
    example: str
    first_seen_at: str

    @property
    def url(self) -> str:
        """The site's home page."""
        scheme = urlsplit(self.example).scheme or "https"
        return f"{scheme}://{self.host}/"

    def toml(self) -> str:
        """The settings.toml block that adds the site as a blog source."""
        name = self.host.removeprefix("www.")
        return (f'[[sources]]\nname = "{name}"\ntype = "blog"\nurl = "{self.url}"\n')


def suggested_sites(storage, settings) -> list[Suggestion]:
    """Sites found by search at least [discovery] suggest_after times that no configured
    source reads (search engines' own hosts excepted)."""
    configured = {urlsplit(source.url).netloc.lower().removeprefix("www.")
                  for source in settings.sources}
    rows = storage.hosts_found_by_search(settings.discovery.suggest_after)
    return [Suggestion(row["host"], row["pages"], row["example"], row["first_seen_at"])
            for row in rows
            if row["host"].removeprefix("www.") not in configured
            and row["host"] not in ENGINE_HOSTS]


ENGINE_HOSTS = {"news.google.com", "www.google.com", "www.bing.com", "hnrss.org"}
