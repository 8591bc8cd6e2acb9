"""Feed entries that are only excerpts are followed to their pages, scanned as the user
scans (`monitor scan` in a subprocess): real saved pages (../shared/realworld/trafilatura)
and small blogs of our own served on 127.0.0.1."""

from __future__ import annotations

import sqlite3

from tests.spiders.helpers import COMMON_WORDS, expectations, mentions, with_aliases

PAGE = "text/html; charset=utf-8"
EXCERPT = "Ho ordinato un cappotto da Bottega Aurora... (continua)"
COMPLAINT = ["Ho ordinato un cappotto da Bottega Aurora il 3 novembre per il compleanno di "
             "mia madre.",
             "Il codice di tracciamento non ha mai funzionato e il pacco non è mai arrivato.",
             "Ho scritto tre email al servizio clienti e nessuno mi ha risposto."]
GIFTS = ["Quest'anno i regali di Natale li ho fatti con calma.",
         "Le tovaglie le ho prese da Bottega Aurora: arrivate in due giorni, bellissime."]
REAL_PAGES = ["thenervousbreakdown.com.loneliest.html", "californiaglobe.com.amazon.html",
              "vegolosi.it.climate.html"]


def excerpt_blog(site, pages, rss, *, etag=True) -> str:
    """A blog whose feed carries excerpts: the issue's coat (its page says what went
    wrong), gifts (the brand only in the post's body) and a recipe (no brand at all)."""
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.add("/2026/11/cappotto/", pages.wordpress_post("Il cappotto mai arrivato", COMPLAINT, [
        {"id": 31, "author": "Pia", "date": "2026-11-21T10:00:00+01:00",
         "text": "Anche a me Bottega Aurora non ha mai risposto alle email."},
        {"id": 32, "author": "Teo", "date": "2026-11-21T11:00:00+01:00",
         "text": "Che brutta storia, mi dispiace."}]), content_type=PAGE, etag=etag)
    site.add("/2026/11/regali/", pages.wordpress_post("Regali fatti con calma", GIFTS, []),
             content_type=PAGE, etag=etag)
    site.add("/2026/11/torta/", pages.wordpress_post("Torta di mele", [
        "Tre mele, due uova, farina e burro."], []), content_type=PAGE, etag=etag)
    feed = rss({"title": "Il cappotto mai arrivato", "link": site.url("/2026/11/cappotto/"),
                "guid": "giulia-201", "author": "Giulia", "description": f"<p>{EXCERPT}</p>"},
               {"title": "Regali fatti con calma", "link": site.url("/2026/11/regali/"),
                "guid": "giulia-202", "description": "<p>Quest'anno i regali [&#8230;]</p>"},
               {"title": "Torta di mele", "link": site.url("/2026/11/torta/"),
                "guid": "giulia-203", "description": "<p>Tre mele, due uova&#8230;</p>"},
               link=site.url("/"))
    return site.add("/feed/", feed, etag=True)


def test_excerpts_are_completed_from_their_pages(site, settings_file, monitor_cli, pages, rss,
                                                 tmp_path):
    feed = excerpt_blog(site, pages, rss)
    config = settings_file(sources=[{"name": "giulia", "type": "feed", "url": feed}],
                           crawl={"user_agent": "monitor-test-bot/1.0 (+mailto:a@b.example)"})

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    rows = {(row["kind"], row["url"]): row for row in mentions(monitor_cli, config)}
    assert set(rows) == {("entry", site.url("/2026/11/cappotto/")),
                         ("comment", site.url("/2026/11/cappotto/#comment-31")),
                         ("entry", site.url("/2026/11/regali/"))}
    coat = rows["entry", site.url("/2026/11/cappotto/")]
    for sentence in COMPLAINT:
        assert sentence in coat["text"]
    assert "(continua)" not in coat["text"] and "Che brutta storia" not in coat["text"]
    assert coat["title"] == "Il cappotto mai arrivato" and coat["author"] == "Giulia"
    assert coat["negative"] is True and coat["page_note"] is None
    gifts = rows["entry", site.url("/2026/11/regali/")]  # the excerpt does not name it
    assert GIFTS[1] in gifts["text"]
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        opened = db.execute("select m.url from followups f join mentions m"
                            " on m.id = f.mention_id").fetchall()
    assert (site.url("/2026/11/cappotto/"),) in opened
    page_requests = [r for r in site.requests if r.path.startswith("/2026/")]
    assert len(page_requests) == 3
    assert all(r.headers["User-Agent"].startswith("monitor-test-bot/1.0") for r in page_requests)

    before = len(site.requests)
    again = monitor_cli("scan", config=config)  # the feed is unchanged: a 304, nothing more

    assert "0 new mentions, 0 updated" in again.stdout, again.stderr
    assert [(r.path, r.status) for r in site.requests[before:]] == [("/feed/", 304)]


def test_a_page_that_cannot_be_read_keeps_the_excerpt_and_is_tried_again(
        site, settings_file, monitor_cli, pages, rss):
    feed = excerpt_blog(site, pages, rss)
    site.add("/2026/11/cappotto/", "gone", status=404, content_type="text/plain")
    site.add("/2026/11/regali/", "busy", status=503, content_type="text/plain")
    huge = "<p>" + "Bottega Aurora. " * 330_000 + "</p>"  # 5.3 MB, over max_page_bytes
    site.add("/2026/11/torta/", pages.wordpress_post("Torta", [huge], []), content_type=PAGE)
    config = settings_file(sources=[{"name": "giulia", "type": "feed", "url": feed}],
                           crawl={"max_page_bytes": 5_000_000})

    first = monitor_cli("scan", config=config)

    assert first.returncode == 0, first.stderr  # the feed was read: the source is fine
    rows = {row["url"]: row for row in mentions(monitor_cli, config)}
    assert set(rows) == {site.url("/2026/11/cappotto/")}  # the others do not name the brand
    coat = rows[site.url("/2026/11/cappotto/")]
    assert coat["text"] == EXCERPT
    assert coat["page_note"] == ("excerpt from the feed: page not fetched: "
                                 "HTTP 404 Not Found")
    assert "max_page_bytes" in first.stderr and "/2026/11/torta/" in first.stderr

    excerpt_blog(site, pages, rss)  # the pages are back; the feed has not changed
    second = monitor_cli("scan", config=config)

    assert second.returncode == 0, second.stderr
    assert "2 new mentions, 1 updated" in second.stdout  # the gifts, the coat's comment
    feed_requests = [r for r in site.requests if r.path == "/feed/"]
    assert feed_requests[-1].status == 304
    rows = {row["url"]: row for row in mentions(monitor_cli, config)}
    back = rows[site.url("/2026/11/cappotto/")]
    assert back["id"] == coat["id"] and back["page_note"] is None
    assert all(sentence in back["text"] for sentence in COMPLAINT)
    assert back["negative"] is True
    assert GIFTS[1] in rows[site.url("/2026/11/regali/")]["text"]

    before = len(site.requests)
    third = monitor_cli("scan", config=config)  # nothing waits: one request, a 304

    assert "0 new mentions, 0 updated" in third.stdout
    assert [(r.path, r.status) for r in site.requests[before:]] == [("/feed/", 304)]


def test_full_text_never_and_always(site, settings_file, monitor_cli, pages, rss):
    excerpt_blog(site, pages, rss)
    whole = {"title": "Il cappotto", "link": site.url("/2026/11/cappotto/"), "guid": "x-1",
             "description": "<p>Bottega Aurora: il cappotto è arrivato in tempo.</p>"}
    never = site.add("/never.xml", rss({"title": "Il cappotto", "guid": "y-1",
                                        "link": site.url("/2026/11/cappotto/?never"),
                                        "description": f"<p>{EXCERPT}</p>"}))
    always = site.add("/always.xml", rss(whole))
    config = settings_file(sources=[
        {"name": "never", "type": "feed", "url": never, "full_text": "never"},
        {"name": "always", "type": "feed", "url": always, "full_text": "always"}])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    rows = {row["source"]: row for row in mentions(monitor_cli, config)}
    assert "/2026/11/cappotto/?never" not in site.paths()
    assert rows["never"]["text"] == EXCERPT
    assert rows["never"]["page_note"] == ('excerpt from the feed: page not fetched: '
                                          'full_text = "never"')
    assert site.paths().count("/2026/11/cappotto/") == 1  # the whole text is fetched anyway
    assert COMPLAINT[1] in rows["always"]["text"] and rows["always"]["page_note"] is None


def test_excerpts_of_real_pages_are_completed_without_navigation(
        realworld_site, settings_file, monitor_cli, rss):
    """An excerpt that names none of the brand's words; the real page's body does."""
    expected = expectations(REAL_PAGES)
    items = [{"title": f"Post {n}", "guid": page, "description": "Lorem ipsum dolor [...]",
              "link": realworld_site.url(f"/trafilatura/tests/eval/{page}")}
             for n, page in enumerate(REAL_PAGES)]
    url = realworld_site.add("/excerpts.xml", rss(*items))
    config = with_aliases(settings_file(sources=[{"name": "real", "type": "feed", "url": url}]),
                          COMMON_WORDS)

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    rows = mentions(monitor_cli, config)
    for page in REAL_PAGES:
        found = [row for row in rows if row["url"].split("#")[0].endswith(page)]
        [post] = [row for row in found if row["kind"] == "entry"]
        assert post["page_note"] is None and "Lorem ipsum" not in post["text"]
        for text in expected[page]["with"]:
            assert text in post["text"], (page, text)
        for text in expected[page]["without"]:  # navigation, widgets, "Leave a Reply"
            assert all(text not in row["text"] for row in found), (page, text)
        for text in expected[page].get("comments", []):
            assert text not in post["text"], (page, text)
            assert any(text in row["text"] for row in found if row["kind"] == "comment")
