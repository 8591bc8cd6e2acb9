"""The daily digest: which new complaints to follow up, rendered to HTML and text.

The content comes from storage (mentions not yet in a sent digest); the words from
monitor.i18n; the layout from the Jinja2 templates digest.html and digest.txt, with
autoescape on for HTML so that no text from the web is ever markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from monitor import i18n
from monitor.matching import BrandMatcher

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
OTHERS_LISTED = 10


def templates_dir() -> Path:
    """The templates: inside the installed package, or the checkout's templates/."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "templates"


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


def build_digest(storage, settings, now: datetime | None = None) -> Digest:
    """The digest of every mention not yet in a sent digest."""
    language = settings.digest.language
    now = (now or datetime.now(ZoneInfo(settings.digest.timezone))).astimezone(
        ZoneInfo(settings.digest.timezone))
    pending = storage.mentions(undigested=True)
    complaints = sorted((m for m in pending if _is_negative(m)),
                        key=lambda m: (SEVERITY_ORDER.get(m["severity"], 9), -(m["score"] or 0)))
    others = [m for m in pending if not _is_negative(m)]
    broken = [s for s in storage.sources_health() if (s["consecutive_failures"] or 0) >= 3]
    words = i18n.texts(language)
    brand = one_line(settings.brand.name)
    date = now.strftime("%d/%m/%Y" if language == "it" else "%Y-%m-%d")
    subject_key = "subject" if complaints else "subject_none"
    subject = one_line(words["t"][subject_key].format(brand=brand, date=date,
                                                      count=len(complaints)))
    context = {
        **words, "brand": brand, "date": date, "subject": subject,
        "complaints": complaints, "others": others[:OTHERS_LISTED],
        "others_count": len(others), "broken_sources": broken, "language": language,
    }
    env = _environment(BrandMatcher.for_brand(settings.brand))
    return Digest(
        subject=subject,
        html=env.get_template("digest.html").render(context),
        text=env.get_template("digest.txt").render(context),
        mention_ids=[m["id"] for m in complaints + others],
        negative_count=len(complaints),
    )


def _is_negative(mention: dict) -> bool:
    human = mention.get("human_negative")
    return bool(mention["negative"] if human is None else human)


def one_line(text: str) -> str:
    """`text` with every line break and control character folded into one space."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", text).split())


def _environment(matcher: BrandMatcher) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["highlight"] = lambda text: highlight(text or "", matcher)
    env.filters["safe_url"] = safe_url
    env.filters["one_line"] = lambda text: one_line(text or "")
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
    return url if re.match(r"https?://", url, re.IGNORECASE) else "#"


def email_message(digest: Digest, sender: str, recipients: list[str]) -> EmailMessage:
    """The digest as a multipart (text + HTML) e-mail."""
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
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
