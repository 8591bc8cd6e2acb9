"""The sections of settings.toml: one frozen dataclass each, whose fields are the keys the
file may hold, with their types and defaults (README.md's configuration reference)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG = "settings.toml"
SOURCE_TYPES = ("feed", "reviews", "blog", "search")
# [sources.selectors] keys: for reviews sources (one element per review), and for blog
# sources (one element per comment, for comments without WordPress markup).
SELECTOR_KEYS = {
    "reviews": ("review", "author", "date", "rating", "body", "title", "next_page",
                "best_rating"),
    "blog": ("comment", "comment_author", "comment_date", "comment_body"),
}
# full_text: whether a feed entry or search result is followed to its page for the whole
# text (spiders.follow): only when it is an excerpt, always, or never.
FULL_TEXT_CHOICES = ("auto", "always", "never")
FULL_TEXT_TYPES = ("feed", "search")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Brand:
    name: str
    aliases: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass(frozen=True)
class Storage:
    database: str = "monitor.db"
    keep_days: int = 0


@dataclass(frozen=True)
class Crawl:
    user_agent: str = "monitor-bot/0.1 (+https://github.com/monitor; brand monitoring)"
    download_delay: float = 1.0
    obey_robots: bool = True
    timeout: float = 30.0
    max_page_bytes: int = 5_000_000
    retries: int = 2
    concurrent_requests: int = 256
    robots_cache_hours: float = 24.0


@dataclass(frozen=True)
class Source:
    name: str
    type: str
    url: str = ""  # required, except for a search source with an engine
    enabled: bool = True
    max_pages: int = 0
    max_depth: int = 2
    all_reviews_are_mentions: bool | None = None
    selectors: dict = field(default_factory=dict)
    full_text: str = "auto"
    # type = "search" (spiders.search_engines): the engine, and what fills its template.
    engine: str = ""
    query: str = ""
    language: str = ""
    region: str = ""
    instance: str = ""


@dataclass(frozen=True)
class Discovery:
    """New sites found by search: proposed as sources once found this many times."""

    suggest_after: int = 3


@dataclass(frozen=True)
class Digest:
    recipients: list[str] = field(default_factory=list)
    sender: str = "monitor@localhost"
    language: str = "it"
    time: str = "08:00"
    timezone: str = "Europe/Rome"
    base_url: str = ""
    send_when_empty: bool = False


@dataclass(frozen=True)
class Smtp:
    host: str = "localhost"
    port: int = 25
    security: str = "none"
    username: str = ""
    password_env: str = ""
    timeout: float = 30.0


@dataclass(frozen=True)
class NotifyTarget:
    """One Apprise target of the urgent alerts: its URL, written in the file or read from
    an environment variable (when it holds a token), and the language of its alerts."""

    url: str = ""
    url_env: str = ""
    language: str = ""  # "" = [digest] language


@dataclass(frozen=True)
class Alerts:
    enabled: bool = False
    min_severity: str = "critical"
    recipients: list[str] = field(default_factory=list)
    # Apprise URLs (strings) or tables {url | url_env, language}; loading.py turns each
    # into a NotifyTarget.
    notify: list = field(default_factory=list)


@dataclass(frozen=True)
class Schedule:
    """When `monitor run` scans; durations like "30s", "45m", "3h", "1d" or "1h30m"."""

    scan_every: str = "3h"
    scan_timeout: str = "1h"
    stop_grace: str = "30s"

    @property
    def scan_every_seconds(self) -> float:
        return parse_duration(self.scan_every)

    @property
    def scan_timeout_seconds(self) -> float:
        return parse_duration(self.scan_timeout)

    @property
    def stop_grace_seconds(self) -> float:
        return parse_duration(self.stop_grace)


DURATION_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
DURATION_PART = re.compile(r"(\d+)\s*([dhms])")


def parse_duration(text: str) -> float:
    """Seconds in a duration such as "30s", "45m", "3h", "1d" or "1h30m"; ValueError if not."""
    compact = text.strip().lower()
    parts = DURATION_PART.findall(compact)
    if not parts or DURATION_PART.sub("", compact).strip():
        raise ValueError(f"not a duration like 30m, 3h or 1h30m: {text!r}")
    return float(sum(int(number) * DURATION_UNITS[unit] for number, unit in parts))


@dataclass(frozen=True)
class StaffMember:
    name: str
    email: str = ""


@dataclass(frozen=True)
class Web:
    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = ""
    secret_key_env: str = ""
    language: str = ""  # "" = the digest's language
    # The end of every reply draft; {staff} is who writes it, {brand} the brand's name.
    signature: str = "{staff}\n{brand}"
    # Reverse proxies in front of the inbox that add X-Forwarded-For: the client's address
    # is then taken from that header (for the login limits and the log), not the proxy's.
    trusted_proxies: int = 0


@dataclass(frozen=True)
class Settings:
    brand: Brand
    storage: Storage = field(default_factory=Storage)
    crawl: Crawl = field(default_factory=Crawl)
    sources: list[Source] = field(default_factory=list)
    digest: Digest = field(default_factory=Digest)
    smtp: Smtp = field(default_factory=Smtp)
    alerts: Alerts = field(default_factory=Alerts)
    schedule: Schedule = field(default_factory=Schedule)
    web: Web = field(default_factory=Web)
    staff: list[StaffMember] = field(default_factory=list)
    discovery: Discovery = field(default_factory=Discovery)
    path: Path = Path(DEFAULT_CONFIG)

    @property
    def database_path(self) -> Path:
        """The database file; a relative path is relative to the settings file."""
        return (self.path.parent / self.storage.database).resolve()

    @property
    def staff_names(self) -> list[str]:
        return [member.name for member in self.staff]

    @property
    def inbox_language(self) -> str:
        """The web inbox's language for a staff member who chose none: web.language, else
        digest.language."""
        return self.web.language or self.digest.language

    @property
    def inbox_url(self) -> str:
        """Where the web inbox is reached: web.base_url, else digest.base_url."""
        return (self.web.base_url or self.digest.base_url).rstrip("/")

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


SECTIONS = {
    "brand": Brand,
    "storage": Storage,
    "crawl": Crawl,
    "digest": Digest,
    "smtp": Smtp,
    "alerts": Alerts,
    "schedule": Schedule,
    "web": Web,
    "discovery": Discovery,
}


