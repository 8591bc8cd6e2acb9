"""What the digest says: hostile text shown as text, both languages, the trend, the golden
text part of a fixed database (so that a template change shows as a diff)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from monitor.config import load_settings
from monitor.notify.digest import build_digest
from monitor.storage import Storage
from tests.notify.helpers import (
    complaint_titles,
    database,
    mention,
    parts,
    seed,
    write_config,
)

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = mention(
    "Bottega Aurora <script>alert('title')</script>\r\nBcc: victim@example.com",
    "Bottega Aurora? <script>alert(1)</script> <img src=x onerror=alert(2)> "
    '<a href="http://evil.example/refund">click here for your refund</a> '
    "<style>body{display:none}</style>",
    url="javascript:alert(3)//http://giulia.example/", author="<b>Mallory</b>\nX-Evil: 1",
    categories=("refund_return",), rating=1)


def test_hostile_web_text_shows_as_text_in_both_parts(smtp_server, settings_file,
                                                      monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server, language="en")
    seed(config, HOSTILE)

    result = monitor_cli("digest", config=config)

    assert result.returncode == 0, result.stderr
    [message] = server.messages
    assert "Bcc" not in message and "X-Evil" not in message
    assert "\n" not in message["Subject"] and "script" not in message["Subject"]
    text, html = parts(message)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all(["script", "img", "style"]) == []
    assert all(a["href"].startswith(("http://", "https://")) or a["href"] == "#"
               for a in soup.find_all("a"))
    assert not soup.find("a", href="http://evil.example/refund")
    card = soup.select_one("table.complaint").get_text(" ")
    assert "<script>alert(1)</script>" in card and "<img src=x onerror=alert(2)>" in card
    assert '<a href="http://evil.example/refund">' in card
    assert "<b>Mallory</b>" in card
    assert soup.select_one("table.complaint mark").get_text() == "Bottega Aurora"
    assert "javascript:" not in text.replace(HOSTILE["text"], "")
    assert "★☆☆☆☆" in card and "1/5 stars" in card


@pytest.mark.parametrize("language, words", [
    ("it", ["Reclami da seguire", "Cosa fare", "Perché", "Apri l'originale", "sito giulia.example",
            "Altre menzioni nuove (positive o neutre): 1", "Reclami al giorno, ultimi 14 giorni",
            "Verifica con il corriere", "consegna", "20 nov 2026"]),
    ("en", ["Complaints to follow up", "What to do", "Why", "Open the original",
            "site giulia.example", "Other new mentions (positive or neutral): 1",
            "Complaints per day, last 14 days", "Ask the carrier where the parcel is",
            "delivery", "Nov 20, 2026"]),
])
def test_digest_speaks_the_configured_language(language, words, smtp_server, settings_file,
                                               monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server, language=language)
    seed(config, mention("Pacco perso", "Bottega Aurora ha perso il pacco."),
         mention("Bel negozio", "Bottega Aurora è un bel negozio.", negative=False))

    assert monitor_cli("digest", config=config).returncode == 0

    [message] = server.messages
    text, html = parts(message)
    page = BeautifulSoup(html, "html.parser").get_text(" ")
    for word in words:
        assert word in text, word
        assert word in page, word
    expected = "1 reclamo da seguire" if language == "it" else "1 complaint to follow up"
    assert expected in message["Subject"]
    assert f'lang="{language}"' in html


def test_broken_sources_are_listed_with_their_error(tmp_path, settings_file):
    config = write_config(settings_file)
    settings = load_settings(config)
    with Storage(settings.database_path) as storage:
        storage.sync_sources(settings.sources)
        for _ in range(3):
            storage.record_source_failure("Home & Table Reviews", "HTTP 503 <b>down</b>")
        storage.record_source_failure("Il blog di Giulia", "timeout")  # once: not broken
        digest = build_digest(storage, settings)
    assert "Home & Table Reviews (3 scansioni fallite di seguito): HTTP 503 <b>down</b>" \
        in digest.text
    assert "HTTP 503 &lt;b&gt;down&lt;/b&gt;" in digest.html
    assert "Il blog di Giulia (" not in digest.text


def test_trend_counts_complaints_per_local_day_as_bars(settings_file):
    config = write_config(settings_file)
    now = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Europe/Rome"))
    seed(config,
         mention("a", "Bottega Aurora a", published="2026-11-22T23:30:00+00:00"),  # 23/11 Rome
         mention("b", "Bottega Aurora b", published="2026-11-22T10:00:00+00:00"),
         mention("c", "Bottega Aurora c", published="2026-11-22T11:00:00+00:00"),
         mention("d", "Bottega Aurora d", published="2026-11-01T11:00:00+00:00"),  # too old
         mention("e", "Bottega Aurora e", published="2026-11-22T12:00:00+00:00",
                 negative=False))
    settings = load_settings(config)
    with Storage(settings.database_path) as storage:
        digest = build_digest(storage, settings, now)
    soup = BeautifulSoup(digest.html, "html.parser")
    bars = soup.select("table.trend div.bar")
    assert len(bars) == 14
    heights = [int(bar["style"].split("height:")[1].split("px")[0]) for bar in bars]
    assert heights[-2] == 60 and heights[-1] == 30 and set(heights[:-2]) == {1}
    assert "22/11 #################### 2" in digest.text
    assert "23/11 ########## 1" in digest.text
    assert "(3 in tutto)" in digest.text


@pytest.mark.parametrize("language", ["it", "en"])
def test_text_part_matches_the_golden_file(language, settings_file):
    """A fixed database gives a fixed text part; UPDATE_GOLDEN=1 rewrites the file."""
    config = write_config(settings_file, language=language)
    old = seed(config, mention("Vecchio reclamo", "Bottega Aurora non risponde.",
                               categories=("customer_service",), author="Luca"))
    settings = load_settings(config)
    now = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Europe/Rome"))
    with Storage(settings.database_path) as storage:
        digest_id = storage.begin_digest(old, recipients=[], subject="", negative_count=1)
        storage.digest_sent(digest_id, "<old@x>")
    with database(config) as db:
        db.execute("update mentions set found_at = '2026-11-18T07:00:00+00:00'")
    seed(config,
         mention("Truffa!", "Bottega Aurora mi ha addebitato due volte.", severity="critical",
                 categories=("fraud",), author="Anna", published="2026-11-22T18:00:00+00:00"),
         mention("Tracking finto", "Il codice di Bottega Aurora non funziona.",
                 categories=("tracking", "delivery"), rating=2,
                 source="Home & Table Reviews", url="https://www.reviews.example/r/1"),
         mention("Ottimo", "Bottega Aurora: ottime tovaglie.", negative=False, rating=5))
    with database(config) as db:
        db.execute("update sources set consecutive_failures = 4, last_error = 'HTTP 500' "
                   "where name = 'Home & Table Reviews'")
    with Storage(settings.database_path) as storage:
        digest = build_digest(storage, settings, now)
    assert complaint_titles(digest.html) == ["Truffa!", "Tracking finto"]
    golden = GOLDEN / f"digest_{language}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(digest.text, encoding="utf-8")
    assert digest.text == golden.read_text(encoding="utf-8")


def test_flag_reasons_speak_the_digest_language_but_keep_the_quoted_words():
    from monitor.i18n import Words
    from monitor.i18n.labels import translate_reason

    reason = 'complaint: "mai arrivato, never arrived" (delivery, critical)'
    assert translate_reason(reason, Words("it")) == \
        'reclamo: "mai arrivato, never arrived" (consegna, critico)'
    assert translate_reason('complaint: "x" (refund_return)', Words("en")) == \
        'complaint: "x" (refund/return)'
