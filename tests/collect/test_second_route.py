"""A second route to a post: a search source and a feed reach the same post, in either
order, as the user scans (`monitor scan`, `monitor digest` in subprocesses, a real SMTP
server). The whole text wins over the excerpt, whichever came first; a mention that
becomes a complaint opens its follow-up and reaches the next digest once."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import quote

import pytest

from tests.collect.helpers import mentions, sightings

PAGE = "text/html; charset=utf-8"
POST = "/2026/11/cappotto/"
TITLE = "Il mio cappotto nuovo"
EXCERPT = "Ho ordinato un cappotto da Bottega Aurora... (continua)"
WHOLE = ["Ho ordinato un cappotto da Bottega Aurora il 3 novembre per il compleanno di mia "
         "madre.",
         "Il codice di tracciamento non ha mai funzionato e il pacco non è mai arrivato.",
         "Ho scritto tre email al servizio clienti e nessuno mi ha risposto."]


def alert_feed(site, *posts: str) -> str:
    """A Google Alerts feed whose results link (through google.com/url) to `posts`."""
    entries = "".join(
        f'<entry><id>tag:google.com,2013:googlealerts/feed:{n}</id><title type="html">'
        f'{TITLE}</title><link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url='
        f'{quote(site.url(path), safe="")}&amp;ct=ga"></link><content type="html">Ho '
        f"ordinato un cappotto da &lt;b&gt;Bottega Aurora&lt;/b&gt; ...</content></entry>"
        for n, path in enumerate(posts))
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Google Alert - Bottega Aurora</title>{entries}</feed>")


def publish(site, rss, *, in_feed: bool, in_search: bool, newer_post: bool = False) -> None:
    site.add("/robots.txt", "", content_type="text/plain")
    site.add(POST, _post_page(), content_type=PAGE, etag=True)
    items = [{"title": TITLE, "link": site.url(POST), "guid": "giulia-201",
              "description": f"<p>{EXCERPT}</p>"}] if in_feed else []
    if newer_post:
        items.insert(0, {"title": "Torta di mele", "link": site.url("/torta/"), "guid": "t",
                         "description": "<p>Tre mele, due uova, farina e burro.</p>"})
    site.add("/feed/", rss(*items, link=site.url("/")), etag=True)
    site.add("/alert.atom", alert_feed(site, *([POST] if in_search else [])), etag=True)


def _post_page() -> str:
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in WHOLE)
    return (f"<!DOCTYPE html><html lang='it'><head><title>{TITLE}</title>"
            "<meta property='og:type' content='article'></head><body><nav><a href='/'>Home"
            f"</a></nav><article><h1>{TITLE}</h1>{paragraphs}</article></body></html>")


def sources_of(seen: list[dict]) -> list[str]:
    return sorted(sighting["source"] for sighting in seen)


@pytest.fixture
def mail(smtp_server):
    return smtp_server()


@pytest.fixture
def config(site, settings_file, mail):
    # The feed never fetches pages itself here: the whole text can only come by search.
    return settings_file(
        sources=[{"name": "giulia", "type": "feed", "url": site.url("/feed/"),
                  "full_text": "never"},
                 {"name": "alert", "type": "search", "engine": "google_alerts",
                  "url": site.url("/alert.atom")}],
        digest={"recipients": ["support@bottega.example"], "sender": "m@bottega.example"},
        smtp=mail.settings())


def digests(database) -> list[dict]:
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        found = [dict(row) for row in db.execute("select * from digests order by id")]
    for row in found:
        row["mention_ids"] = json.loads(row["mention_ids"] or "[]")
    return found


def test_search_brings_the_whole_text_of_a_digested_excerpt(
        site, rss, config, mail, monitor_cli, tmp_path):
    publish(site, rss, in_feed=True, in_search=False)
    assert monitor_cli("scan", config=config).returncode == 0
    [excerpt] = mentions(monitor_cli, config)
    assert excerpt["text"] == EXCERPT and excerpt["negative"] is False
    assert excerpt["page_note"] == ('excerpt from the feed: page not fetched: '
                                    'full_text = "never"')
    assert monitor_cli("digest", config=config).returncode == 0  # sent as not negative

    publish(site, rss, in_feed=True, in_search=True)
    second = monitor_cli("scan", config=config)

    assert second.returncode == 0, second.stderr
    assert "0 new mentions, 1 updated" in second.stdout
    [whole] = mentions(monitor_cli, config)
    assert whole["id"] == excerpt["id"] and whole["page_note"] is None
    assert all(sentence in whole["text"] for sentence in WHOLE)
    assert whole["negative"] is True and "delivery" in whole["categories"]
    assert sources_of(sightings(monitor_cli, config, whole["id"])) == ["alert", "giulia"]
    opened = monitor_cli("followup", "list", "--json", config=config)
    assert [json.loads(line)["mention_id"] for line in opened.stdout.splitlines()] == [
        whole["id"]]

    assert monitor_cli("digest", config=config).returncode == 0
    publish(site, rss, in_feed=True, in_search=True, newer_post=True)
    third = monitor_cli("scan", config=config)  # the feed's excerpt again: no downgrade
    assert "0 new mentions, 0 updated" in third.stdout
    assert mentions(monitor_cli, config)[0]["text"] == whole["text"]
    assert monitor_cli("digest", config=config).returncode == 0

    sent = digests(tmp_path / "monitor.db")
    assert [d["status"] for d in sent] == ["sent", "sent"]  # the third had nothing new
    assert [d["mention_ids"] for d in sent] == [[whole["id"]], [whole["id"]]]
    assert [d["negative_count"] for d in sent] == [0, 1]
    subjects = [message["Subject"] for message in mail.messages]
    assert len(subjects) == 2 and "1 reclamo" in subjects[1]


def test_a_feed_excerpt_after_search_keeps_the_whole_text(site, rss, config, monitor_cli):
    publish(site, rss, in_feed=False, in_search=True)
    assert monitor_cli("scan", config=config).returncode == 0
    [found] = mentions(monitor_cli, config)
    assert all(sentence in found["text"] for sentence in WHOLE) and found["negative"] is True

    publish(site, rss, in_feed=True, in_search=True)
    second = monitor_cli("scan", config=config)

    assert second.returncode == 0, second.stderr
    assert "0 new mentions, 0 updated" in second.stdout
    [kept] = mentions(monitor_cli, config)
    assert kept["id"] == found["id"] and kept["text"] == found["text"]
    assert kept["page_note"] is None
    assert sources_of(sightings(monitor_cli, config, kept["id"])) == ["alert", "giulia"]
