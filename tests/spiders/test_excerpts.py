"""Which feed entries are excerpts to be followed to their pages (spiders.excerpts), on
real feeds from ../shared/realworld (miniflux's, node-feedparser's) and on the cut marks
blogs write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spiders.feeds import parse_feed

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT.parent / "shared/realworld"
MINIFLUX = "miniflux/internal/reader/parser/testdata/"


def real_feed(name: str) -> bytes:
    path = REALWORLD / (name if "/" in name else MINIFLUX + name)
    if not path.exists():
        pytest.skip(f"real-world material not found at {path}")
    return path.read_bytes()


def entries(body: bytes | str, full_text: str = "auto"):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return parse_feed(body, "http://blog.example/feed/", {}, "s", full_text)


def test_a_real_atom_feed_with_content_is_read_whole_and_its_summaries_are_excerpts():
    body = real_feed("large_atom.xml")  # dustri.org: <content> and a summary cut with "…"
    whole = entries(body)
    assert len(whole) == 25 and not any(e.excerpt or e.follow for e in whole)

    summaries_only = entries(re.sub(rb"<content.*?</content>", b"", body, flags=re.DOTALL))
    cut = [e for e in summaries_only if e.text.rstrip().endswith("…")]
    assert len(cut) >= 20
    assert all(e.excerpt and e.follow for e in cut)
    assert {e.url for e in cut} <= {e.url for e in whole}  # same links, same identity
    assert {e.entry_id for e in summaries_only} == {e.entry_id for e in whole}


def test_a_real_news_feed_of_teasers_with_read_full_article_links_is_followed():
    teasers = entries(real_feed("node-feedparser/test/feeds/wapowellness.xml"))
    marked = [e for e in teasers if e.text.endswith("Read full article >>")]
    assert len(marked) >= 20 and all(e.follow for e in marked)


def test_real_feeds_with_whole_posts_or_short_teasers_are_not_followed():
    posts = entries(real_feed("large_rss.xml"))  # the whole post in <description>
    assert len(posts) == 25 and not any(e.follow for e in posts)
    # heise.de's one-sentence teasers end their sentence: taken as the whole text
    # (full_text = "always" follows them).
    teasers = entries(real_feed("rdf_UTF8.xml"))
    assert teasers and not any(e.follow for e in teasers)
    assert all(e.follow for e in entries(real_feed("rdf_UTF8.xml"), "always"))


def item(description: str = "", content: str = "", link: str = "http://blog.example/p/") -> str:
    encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
    return ("<?xml version='1.0'?><rss version='2.0' xmlns:content="
            "'http://purl.org/rss/1.0/modules/content/'><channel><title>t</title>"
            f"<link>http://blog.example/</link><item><title>Un post</title><link>{link}</link>"
            f"<description><![CDATA[{description}]]></description>{encoded}</item>"
            "</channel></rss>")


LONG = " ".join(["parola"] * 45)


@pytest.mark.parametrize("description", [
    "Ho ordinato un cappotto da Bottega Aurora... (continua)",
    "Il pacco non è arrivato e [&hellip;]",
    "<p>Il pacco non è arrivato [&#8230;]</p><p>The post <a href='x'>Il pacco</a> appeared "
    "first on <a href='y'>Il blog</a>.</p>",
    "<p>Il pacco non è arrivato [&#8230;]</p><p>L'articolo Il pacco sembra essere il primo "
    "su Il blog.</p>",
    "Il corriere non ha mai consegnato. <a href='x'>Leggi tutto »</a>",
    "Il corriere non ha mai consegnato. Continue reading “Il pacco” →",
    "The parcel never came. <a class='more-link' href='x'>Keep going</a>",
    "The parcel never came. Read more",
    "",  # a feed of titles
    LONG,  # cut at a length, in the middle of a sentence
])
def test_cut_summaries_are_excerpts(description):
    [entry] = entries(item(description))
    assert entry.excerpt and entry.follow


@pytest.mark.parametrize("description, content", [
    ("Ordinato da Bottega Aurora: il pacco non è mai arrivato.", ""),
    ("I want to buy more", ""),
    (LONG + ".", ""),
    ("Il pacco non è arrivato [&#8230;]", "<p>Il pacco non è arrivato. Tre email, nessuna "
                                         "risposta.</p>"),
])
def test_whole_texts_are_not_excerpts(description, content):
    [entry] = entries(item(description, content))
    assert not entry.excerpt and not entry.follow


def test_full_text_modes():
    feed = item("Ordinato da Bottega Aurora: il pacco non è mai arrivato.")
    assert entries(feed, "always")[0].follow
    assert not entries(item(""), "never")[0].follow
    assert entries(item(""), "never")[0].excerpt  # still known as one: a note says so
    no_link = item("Il pacco [...]").replace("<link>http://blog.example/p/</link>", "")
    assert not entries(no_link, "always")[0].follow  # nothing to follow
