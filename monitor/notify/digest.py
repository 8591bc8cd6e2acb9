"""The daily digest and the urgent alert: what the staff act on, rendered to HTML and text.

The content comes from storage (mentions not yet in a sent digest, complaints still open,
broken sources, the complaints of the last 14 days); the words from the catalogues of
monitor.i18n (Jinja2's i18n extension), dates and numbers formatted by Babel; the layout
from the Jinja2 templates digest.* and alert.*, with autoescape on for HTML so that no
text from the web is ever markup. Sending is monitor.notify.delivery's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from monitor.collect.discovery import suggested_sites
from monitor.detect.matching import BrandMatcher
from monitor.i18n import Words
from monitor.i18n.labels import SEVERITY, SEVERITY_COLORS, label, word_filters
from monitor.resources import templates_dir

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
OTHERS_LISTED = 10
OPEN_LISTED = 20
TREND_DAYS = 14
TREND_BAR_PX = 60
BROKEN_AFTER_FAILURES = 3


@dataclass
class Digest:
    subject: str
    html: str
    text: str
    mention_ids: list[int] = field(default_factory=list)
    negative_count: int = 0

    @property
    def empty(self) -> bool:
        return not self.mention_ids


def build_digest(storage, settings, now: datetime | None = None, *,
                 mention_ids: list[int] | None = None,
                 before_digest_id: int | None = None) -> Digest:
    """The digest of every mention not yet in a sent digest.

    With `mention_ids` (a re-send), the digest of exactly those mentions, with the
    complaints open before digest `before_digest_id`.
    """
    zone = ZoneInfo(settings.digest.timezone)
    now = (now or datetime.now(zone)).astimezone(zone)
    pending = (storage.mentions(undigested=True) if mention_ids is None
               else storage.mentions_by_ids(mention_ids))
    complaints = sorted((m for m in pending if is_negative(m)), key=_severity_first)
    others = [m for m in pending if not is_negative(m)]
    open_complaints = storage.open_complaints(before_digest_id)
    link_to_inbox(storage, settings.inbox_url, complaints + open_complaints)
    words = digest_words(settings)
    brand = one_line(settings.brand.name)
    day = words.date(now)
    subject = digest_subject(words, brand, day, len(complaints), bool(pending))
    context = {
        "brand": brand, "date": day, "subject": subject,
        "complaints": complaints, "others": others[:OTHERS_LISTED],
        "others_count": len(others), "nothing_new": not pending,
        "open_complaints": open_complaints[:OPEN_LISTED],
        "open_count": len(open_complaints),
        "maybe_repeated": storage.maybe_delivered_mention_ids() & {m["id"] for m in pending},
        "broken_sources": [s for s in storage.sources_health()
                           if (s["consecutive_failures"] or 0) >= BROKEN_AFTER_FAILURES],
        "trend": complaint_trend(storage, now),
        "new_sites": suggested_sites(storage, settings),  # issue 8: discovery
    }
    env = environment(settings)
    return Digest(
        subject=subject,
        html=env.get_template("digest.html").render(context, now=now),
        text=env.get_template("digest.txt").render(context, now=now),
        mention_ids=[m["id"] for m in complaints + others],
        negative_count=len(complaints),
    )


def link_to_inbox(storage, inbox_url: str, mentions: list[dict]) -> None:
    """Give each complaint the address of its follow-up in the web inbox, when the
    inbox has an address ([web] or [digest] base_url)."""
    if not inbox_url:
        return
    followups = storage.followup_ids_by_mention([m["id"] for m in mentions])
    for mention in mentions:
        if mention["id"] in followups:
            mention["inbox_link"] = f"{inbox_url}/followups/{followups[mention['id']]}"


def build_alert(mention: dict, settings, *, maybe_repeated: bool = False,
                language: str | None = None) -> Digest:
    """The urgent alert for one complaint, in `language` (default: [digest] language)."""
    now = datetime.now(ZoneInfo(settings.digest.timezone))
    words = digest_words(settings, language)
    brand = one_line(settings.brand.name)
    severity = label(words, SEVERITY, mention["severity"])
    # The source's name comes from settings.toml, never from the web; still one line.
    subject = one_line(words.gettext("[%(brand)s] URGENT: %(severity)s complaint from "
                                     "%(source)s", brand=brand, severity=severity,
                                     source=mention["source"]))
    context = {"brand": brand, "subject": subject, "m": mention,
               "maybe_repeated": {mention["id"]} if maybe_repeated else set()}
    env = environment(settings, language)
    return Digest(subject=subject,
                  html=env.get_template("alert.html").render(context, now=now),
                  text=env.get_template("alert.txt").render(context, now=now),
                  mention_ids=[mention["id"]], negative_count=1)


def digest_words(settings, language: str | None = None) -> Words:
    """The words and formats of `language` (default: the digest's), dates in the digest's
    time zone."""
    return Words(language or settings.digest.language, ZoneInfo(settings.digest.timezone))


def digest_subject(words: Words, brand: str, day: str, complaints: int,
                   anything_new: bool) -> str:
    """The subject line: brand, date and number of complaints, on one line."""
    if complaints:
        subject = words.ngettext("[%(brand)s] %(date)s: %(num)s complaint to follow up",
                                 "[%(brand)s] %(date)s: %(num)s complaints to follow up",
                                 complaints, brand=brand, date=day)
    elif anything_new:
        subject = words.gettext("[%(brand)s] %(date)s: no new complaints", brand=brand,
                                date=day)
    else:
        subject = words.gettext("[%(brand)s] %(date)s: nothing new", brand=brand, date=day)
    return one_line(subject)


def is_negative(mention: dict) -> bool:
    """A person's label when there is one, else the detector's flag."""
    human = mention.get("human_negative")
    return bool(mention["negative"] if human is None else human)


def _severity_first(mention: dict) -> tuple:
    return (SEVERITY_ORDER.get(mention["severity"], 9), -(mention["score"] or 0), -mention["id"])


@dataclass(frozen=True)
class TrendDay:
    day: date
    count: int
    height: int


def complaint_trend(storage, now: datetime, days: int = TREND_DAYS) -> list[TrendDay]:
    """Complaints per local day over the `days` days ending with `now`'s day."""
    first = now.date() - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), now.tzinfo).astimezone(UTC)
    counts = dict.fromkeys((first + timedelta(days=i) for i in range(days)), 0)
    for stamp in storage.complaint_times(since.isoformat(timespec="seconds")):
        local = _parse_time(stamp)
        if local is not None and local.astimezone(now.tzinfo).date() in counts:
            counts[local.astimezone(now.tzinfo).date()] += 1
    peak = max(counts.values()) or 1
    return [TrendDay(day, count, round(TREND_BAR_PX * count / peak) if count else 0)
            for day, count in counts.items()]


def _parse_time(stamp: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age_in_days(found_at: str | None, now: datetime) -> int:
    """Whole days since `found_at`."""
    found = _parse_time(found_at)
    return max(0, (now - found).days) if found else 0


def one_line(text: str) -> str:
    """`text` with every line break and control character folded into one space."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", text).split())


def site_of(url: str | None) -> str:
    """The host of `url` ("www." dropped), or "" when it has none."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def stars(rating: float | None, best: float | None) -> str:
    """The rating as five filled or empty stars (★★☆☆☆)."""
    if rating is None:
        return ""
    filled = max(0, min(5, round(5 * rating / (best or 5))))
    return "★" * filled + "☆" * (5 - filled)


def environment(settings, language: str | None = None) -> Environment:
    """The Jinja2 environment of the mail templates: the catalogue of `language` (default:
    the digest's; Jinja2's i18n extension, `_()` and `ngettext()`) and their filters."""
    matcher = BrandMatcher.for_brand(settings.brand)
    words = digest_words(settings, language)
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(words.translations, newstyle=True)
    env.filters.update(word_filters(lambda: words))
    env.filters.update({
        "highlight": lambda text: highlight(text or "", matcher),
        "safe_url": safe_url,
        "one_line": lambda text: one_line(text or ""),
        "site": site_of,
        "stars": lambda m: stars(m.get("rating"), m.get("best_rating")),
    })
    env.globals.update(age_in_days=age_in_days, severity_colors=SEVERITY_COLORS,
                       language=words.language)
    return env


def highlight(text: str, matcher: BrandMatcher) -> Markup:
    """`text` escaped, with each mention of the brand wrapped in <mark>."""
    parts, last = [], 0
    for span in matcher.find(text):
        parts.append(escape(text[last:span.start]))
        parts.append(Markup("<mark>%s</mark>") % text[span.start:span.end])
        last = span.end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def safe_url(url: str | None) -> str:
    """`url` when it is an http(s) link, else "#": a feed may hold javascript: links."""
    url = (url or "").strip()
    if not re.match(r"https?://[^\s\"'<>\\]+$", url, re.IGNORECASE):
        return "#"
    return url


def email_message(digest: Digest, sender: str, recipients: list[str],
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """The digest as a multipart (text + HTML) e-mail."""
    message = EmailMessage()
    message["Subject"] = one_line(digest.subject)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(digest.text)
    message.add_alternative(digest.html, subtype="html")
    return message


def write_digest(digest: Digest, out_dir: Path, sender: str,
                 recipients: list[str]) -> list[Path]:
    """Write digest.html, digest.txt and digest.eml into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "digest.html", out_dir / "digest.txt", out_dir / "digest.eml"]
    paths[0].write_text(digest.html, encoding="utf-8")
    paths[1].write_text(digest.text, encoding="utf-8")
    paths[2].write_bytes(email_message(digest, sender, recipients).as_bytes())
    return paths
