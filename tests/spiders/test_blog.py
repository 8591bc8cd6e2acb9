"""Blog sources, scanned as the user scans: `monitor scan` in a subprocess against real
saved WordPress pages (../shared/realworld/trafilatura) and small blogs of our own."""

from __future__ import annotations

from tests.spiders.helpers import COMMON_WORDS, expectations, mentions, with_aliases

# Pages with comment markup (and one Italian page without) that evaldata.json describes.
REAL_PAGES = ["helge.at.mahu.html", "thenervousbreakdown.com.loneliest.html",
              "californiaglobe.com.amazon.html", "foxyfolksy.com.buttercream.html",
              "vegolosi.it.climate.html"]


def test_posts_and_comments_from_real_wordpress_pages(realworld_site, settings_file,
                                                      monitor_cli):
    expected = expectations(REAL_PAGES)
    sources = [{"name": page, "type": "blog", "max_pages": 1,
                "url": realworld_site.url(f"/trafilatura/tests/eval/{page}")}
               for page in REAL_PAGES]
    config = with_aliases(settings_file(sources=sources), COMMON_WORDS)

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    rows = mentions(monitor_cli, config)
    for page in REAL_PAGES:
        found = [row for row in rows if row["source"] == page]
        posts = [row for row in found if row["kind"] == "post"]
        comments = [row for row in found if row["kind"] == "comment"]
        assert len(posts) == 1, page
        for text in expected[page]["with"]:
            assert text in posts[0]["text"], (page, text)
        for text in expected[page]["without"]:  # navigation, widgets, "Leave a Reply"
            assert all(text not in row["text"] for row in found), (page, text)
        for text in expected[page].get("comments", []):
            assert text not in posts[0]["text"], (page, text)
            assert any(text in row["text"] for row in comments), (page, text)
    tnb = {row["url"].rsplit("#", 1)[1]: row for row in rows if row["kind"] == "comment"
           and row["source"] == "thenervousbreakdown.com.loneliest.html"}
    art = tnb["comment-148542"]
    assert art["author"] == "Art Edwards"
    assert art["published_at"] == "2011-07-11T12:25:00"
    assert art["url"].endswith("thenervousbreakdown.com.loneliest.html#comment-148542")
    assert "Reply" not in art["text"] and "says" not in art["text"]


def test_blog_feed_posts_and_comments_are_separate_mentions(
        site, settings_file, monitor_cli, pages):
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    feed = site.url("/feed/")
    posts = {
        "/quiet/": pages.wordpress_post("Ceramiche per la tavola", ["Come scegliere i piatti."], [
            {"id": 11, "author": "Marta", "date": "2026-11-02T10:00:00+01:00",
             "text": "Ho ordinato da Bottega Aurora un mese fa e il pacco non è mai arrivato.",
             "replies": [{"id": 12, "author": "Luca", "date": "2026-11-02T12:00:00+01:00",
                          "text": "Mi dispiace, a me è arrivato tutto."}]},
            {"id": 13, "author": "Pia", "date": "2026-11-03T09:00:00+01:00",
             "text": "Bellissimo articolo."}], feed_url=feed),
        "/review/": pages.wordpress_post("La mia tavola di Natale", [
            "Quest'anno ho comprato i piatti da Bottega Aurora: arrivati in due giorni."], [],
            feed_url=feed),
        "/private/draft/": pages.wordpress_post("Bozza", ["Bottega Aurora, bozza privata."], []),
    }
    for path, html in posts.items():
        site.add(path, html, content_type="text/html; charset=utf-8")
    site.add("/feed/", pages.rss_of_posts(site.base, [(p, site.url(p)) for p in posts]))
    start = site.add("/", pages.home_page(list(posts), feed_url=feed), content_type="text/html")
    config = settings_file(sources=[{"name": "casa", "type": "blog", "url": start}])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    assert "/private/draft/" not in site.paths()
    assert "/private/draft/" in result.stderr and "robots.txt" in result.stderr
    rows = {(row["kind"], row["url"]): row for row in mentions(monitor_cli, config)}
    assert set(rows) == {("comment", site.url("/quiet/#comment-11")),
                         ("post", site.url("/review/"))}
    comment = rows["comment", site.url("/quiet/#comment-11")]
    assert comment["author"] == "Marta"
    assert comment["published_at"] == "2026-11-02T10:00:00+01:00"
    assert comment["text"] == ("Ho ordinato da Bottega Aurora un mese fa e il pacco non è mai "
                               "arrivato.")
    assert comment["negative"] is True
    post = rows["post", site.url("/review/")]
    assert post["title"] == "La mia tavola di Natale"
    for navigation in ("Chi siamo", "newsletter", "Cookie policy", "Lascia un commento"):
        assert navigation not in post["text"]

    again = monitor_cli("scan", config=config)
    assert "0 new mentions, 0 updated" in again.stdout


def test_blog_without_feed_is_crawled_within_depth_or_from_its_sitemap(
        site, settings_file, monitor_cli, make_site, pages):
    mention = ["Ho provato Bottega Aurora per un regalo."]
    chain = {"/": ["/one/", "/two/"], "/one/": ["/three/"], "/three/": ["/four/"],
             "/two/": [], "/four/": []}
    for path, links in chain.items():
        html = (pages.home_page(links) if path == "/"
                else pages.wordpress_post(f"Post {path}", mention, [], links=links))
        site.add(path, html, content_type="text/html")
    mapped = make_site()
    try:
        mapped.add("/robots.txt", f"User-agent: *\nSitemap: {mapped.url('/sitemap.xml')}\n",
                   content_type="text/plain")
        mapped.add("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.'
                   f'org/schemas/sitemap/0.9"><url><loc>{mapped.url("/a/")}</loc></url>'
                   f'<url><loc>{mapped.url("/b/")}</loc></url></urlset>')
        for path in ("/a/", "/b/"):
            mapped.add(path, pages.wordpress_post(f"Post {path}", mention, []),
                       content_type="text/html")
        mapped.add("/", pages.home_page(["/not-in-sitemap/"]), content_type="text/html")
        config = settings_file(sources=[
            {"name": "linked", "type": "blog", "url": site.url("/"), "max_depth": 2},
            {"name": "mapped", "type": "blog", "url": mapped.url("/")}])

        result = monitor_cli("scan", config=config)

        assert result.returncode == 0, result.stderr
        assert "/four/" not in site.paths()  # three links away from the start page
        assert "/not-in-sitemap/" not in mapped.paths()
        found = {(row["source"], row["url"]) for row in mentions(monitor_cli, config)}
        assert found == {("linked", site.url(p)) for p in ("/one/", "/two/", "/three/")} | {
            ("mapped", mapped.url(p)) for p in ("/a/", "/b/")}
    finally:
        mapped.close()
