"""Helpers for the digest tests: settings with an SMTP server, mentions stored directly."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from bs4 import BeautifulSoup

from monitor.config import load_settings
from monitor.storage import Storage

SOURCES = [{"name": "Il blog di Giulia", "type": "feed", "url": "http://giulia.example/feed"},
           {"name": "Home & Table Reviews", "type": "reviews",
            "url": "http://reviews.example/bottega"}]
RECIPIENTS = ["support@bottega.example", "owner@bottega.example"]
SENDER = "monitor@bottega.example"


def write_config(settings_file, server=None, *, language="it", smtp=None, digest=None,
                 alerts=None) -> Path:
    """settings.toml for the Bottega Aurora brand, mailing through `server`."""
    sections = {"digest": {"recipients": RECIPIENTS, "sender": SENDER, "language": language,
                           **(digest or {})}}
    if server is not None:
        sections["smtp"] = server.settings(**(smtp or {}))
    elif smtp:
        sections["smtp"] = smtp
    if alerts:
        sections["alerts"] = alerts
    return settings_file(sources=SOURCES, **sections)


def mention(title: str, text: str, *, source: str = "Il blog di Giulia", negative=True,
            severity="medium", categories=("delivery",), url=None, rating=None,
            author="Giulia", published="2026-11-20T09:00:00+00:00") -> dict:
    """A mention as the pipeline stores it (title unique per test)."""
    slug = hashlib.sha1(title.encode()).hexdigest()[:8]
    return {
        "key": f"test:{slug}", "source": source, "kind": "entry",
        "url": url or f"http://giulia.example/post/{slug}", "entry_id": slug,
        "title": title, "text": text, "snippet": text, "author": author,
        "published_at": published, "rating": rating, "best_rating": 5 if rating else None,
        "content_hash": slug, "language": "it", "negative": negative,
        "score": 0.9 if negative else 0.1, "severity": severity if negative else "low",
        "categories": list(categories) if negative else [],
        "reasons": [f"complaint ({c})" for c in categories] if negative else [],
    }


def seed(config: Path, *mentions: dict) -> list[int]:
    """Store `mentions` through Storage.save_mention; return their ids."""
    settings = load_settings(config)
    with Storage(settings.database_path) as storage:
        rows = storage.sync_sources(settings.sources)
        ids = []
        for item in mentions:
            values = dict(item)
            values["source_id"] = rows[values.pop("source")]["id"]
            storage.save_mention(values)
            ids.append(storage.db.execute("select id from mentions where key = ?",
                                          [values["key"]]).fetchone()[0])
        return ids


def database(config: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(load_settings(config).database_path)
    connection.row_factory = sqlite3.Row
    return connection


def digested(config: Path) -> dict[str, int | None]:
    """Each mention's title and the digest it went out in (None: not yet)."""
    with database(config) as db:
        return {row["title"]: row["digest_id"]
                for row in db.execute("select title, digest_id from mentions")}


def digest_rows(config: Path) -> list[dict]:
    with database(config) as db:
        rows = [dict(row) for row in db.execute("select * from digests order by id")]
    for row in rows:
        row["mention_ids"] = json.loads(row["mention_ids"] or "[]")
    return rows


def parts(message) -> tuple[str, str]:
    """The text and HTML parts of a received message."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def complaint_titles(html: str) -> list[str]:
    """The titles of the new-complaint cards of a digest, in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [title.get_text() for title in soup.select("table.complaint p.title")]
