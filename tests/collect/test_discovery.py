"""Discovery: search feeds as sources, scanned as the user scans (`monitor scan` in a
subprocess). The search feeds are written as each engine writes them
(tests/fixtures/search/) with links to pages of the local site."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import ConfigError, load_settings
from spiders.identity import canonical_url, unwrap_redirect
from tests.collect.helpers import mentions, sightings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

POST = "/blog/ordine-mai-arrivato/"
COMPLAINT = ("Ho ordinato da Bottega Aurora tre settimane fa: il pacco risulta consegnato ma "
             "non è mai arrivato e il servizio clienti non risponde alle email.")


def serve_search_feed(site, name: str, path: str, target = None):
    """Serve fixture `name` at `path`, its links pointing at `target` (default `site`)."""
    base = (target or site).base
    text = (FIXTURES / "search" / name).read_text(encoding="utf-8")
    return site.add(path, text.replace("{SITE_Q}", quote(base, safe="")).replace("{SITE}", base))


def blog(site, pages) -> None:
    """A blog with a feed (WordPress guids, not the post's URL) and robots.txt."""
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.add(POST, pages.wordpress_post("Il mio ordine non è mai arrivato", [COMPLAINT], []),
             content_type="text/html")
    site.add("/blog/tazze/", pages.wordpress_post("Tazze in cucina", ["Le tazze nuove."], [
        {"id": 7, "author": "Marta", "date": "2026-11-12T10:00:00+01:00",
         "text": "Anche le mie di Bottega Aurora reggono la lavastoviglie."}]),
        content_type="text/html")
    feed = pages.rss_of_posts(site.base, [("Il mio ordine non è mai arrivato", site.url(POST))])
    feed = feed.replace(f"<guid>{site.url(POST)}</guid>",
                        f'<guid isPermaLink="false">{site.base}/?p=42</guid>'
                        f"<description>{COMPLAINT}</description>")
    site.add("/blog/feed/", feed)


def test_same_post_from_two_engines_and_its_feed_is_one_mention_with_three_sightings(
        site, settings_file, monitor_cli, pages):
    blog(site, pages)
    config = settings_file(sources=[
        {"name": "casa", "type": "feed", "url": site.url("/blog/feed/")},
        {"name": "bing", "type": "search", "engine": "bing_news",
         "url": serve_search_feed(site, "bing_news.rss", "/feeds/bing.rss")},
        {"name": "alert", "type": "search", "engine": "google_alerts",
         "url": serve_search_feed(site, "google_alerts.atom", "/feeds/alert.atom")}])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    rows = mentions(monitor_cli, config)
    by_url = {row["url"]: row for row in rows}
    assert len(by_url) == len(rows) == 4, [row["url"] for row in rows]  # none duplicated
    post = by_url[site.url(POST)]  # utm_* of the alert's link and both wrappers removed
    assert post["page_note"] is None and COMPLAINT[:60] in post["text"]
    seen = sightings(monitor_cli, config, post["id"])
    assert sorted(s["source"] for s in seen) == ["alert", "bing", "casa"]
    via = {s["source"]: s["via_url"] for s in seen}
    assert via["bing"].startswith("http://www.bing.com/news/apiclick.aspx?")
    assert via["alert"].startswith("https://www.google.com/url?")

    # The comment is read from the page itself; the post, which does not name the
    # brand, is no mention.
    cups = by_url[site.url("/blog/tazze/#comment-7")]
    assert cups["author"] == "Marta" and cups["kind"] == "comment"
    assert cups["text"] == "Anche le mie di Bottega Aurora reggono la lavastoviglie."

    gone = by_url[site.url("/blog/post-rimosso/")]  # 404: the snippet is kept, and said so
    assert gone["kind"] == "search" and "piatti e tazze fatti a mano" in gone["text"]
    assert gone["page_note"] == ("text from the search result: page not fetched: "
                                 "HTTP 404 Not Found")
    private = by_url[site.url("/private/soci/")]  # robots.txt: never fetched
    assert "/private/soci/" not in site.paths()
    assert "robots.txt" in private["page_note"] and "Per i soci" in private["text"]

    again = monitor_cli("scan", config=config)
    assert again.returncode == 0, again.stderr
    assert "0 new mentions" in again.stdout
    assert len(mentions(monitor_cli, config)) == 4
    assert len(sightings(monitor_cli, config, post["id"])) == 3
    assert site.paths().count(POST) <= 2  # a page already read is not fetched again


def test_a_result_kept_as_snippet_is_updated_when_its_page_comes_back(
        site, settings_file, monitor_cli, pages):
    site.add("/robots.txt", "", content_type="text/plain")
    config = settings_file(sources=[
        {"name": "bing", "type": "search", "engine": "bing_news",
         "url": serve_search_feed(site, "bing_news.rss", "/feeds/bing.rss")}])
    assert monitor_cli("scan", config=config).returncode == 0
    before = {row["url"]: row for row in mentions(monitor_cli, config)}
    assert before[site.url("/blog/post-rimosso/")]["page_note"].endswith("HTTP 404 Not Found")

    site.add("/blog/post-rimosso/", pages.wordpress_post("Natale", [
        "I regali di Natale li ho presi da Bottega Aurora: piatti bellissimi."], []),
        content_type="text/html")
    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    assert "0 new mentions, 1 updated" in result.stdout
    after = {row["url"]: row for row in mentions(monitor_cli, config)}
    back = after[site.url("/blog/post-rimosso/")]
    assert back["id"] == before[site.url("/blog/post-rimosso/")]["id"]
    assert back["page_note"] is None and back["kind"] == "post"
    assert "I regali di Natale li ho presi da Bottega Aurora: piatti bellissimi." in back["text"]


def test_each_engine_format_is_read(site, settings_file, monitor_cli, pages):
    site.add("/robots.txt", "", content_type="text/plain")
    site.add("/blog/spedizioni/", pages.wordpress_post("Spedizioni in Europa", [
        "Bottega Aurora spedisce le ceramiche in tutta Europa con imballi in paglia."], []),
        content_type="text/html")
    feeds = {"google_news": "google_news.rss", "hacker_news": "hnrss_newest.rss",
             "reddit": "reddit_search.atom", "mastodon": "mastodon_tag.rss"}
    config = settings_file(sources=[
        {"name": engine, "type": "search", "engine": engine,
         "url": serve_search_feed(site, name, f"/feeds/{name}")}
        for engine, name in feeds.items()])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    rows = {row["source"]: row for row in mentions(monitor_cli, config)}
    assert set(rows) == set(feeds)
    news = rows["google_news"]
    assert news["url"].startswith("https://news.google.com/rss/articles/CBMi")
    assert "cannot be turned into the article's address offline" in news["page_note"]
    assert news["title"].startswith("Artigiani toscani: Bottega Aurora apre a Milano")
    story = rows["hacker_news"]  # followed to the article on the blog
    assert story["url"] == site.url("/blog/spedizioni/") and story["page_note"] is None
    assert "imballi in paglia" in story["text"]
    thread = rows["reddit"]  # the feed holds the post: not fetched
    assert thread["author"] == "/u/pasta_e_piatti"
    assert "non ho ancora ricevuto nulla" in thread["text"] and thread["page_note"] is None
    toot = rows["mastodon"]
    assert toot["author"] == "@anna_ceramica@127.0.0.1"
    assert "imballate benissimo" in toot["text"]
    assert not any(p.startswith(("/r/", "/@")) for p in site.paths())


def test_a_site_found_often_is_suggested_with_the_lines_that_add_it(
        site, settings_file, monitor_cli, tmp_path, make_site, pages):
    other = make_site()
    try:
        other.add("/robots.txt", "", content_type="text/plain")
        posts = [f"/p/{n}/" for n in range(1, 4)]
        for n, path in enumerate(posts, 1):
            other.add(path, pages.wordpress_post(f"Post {n}", [f"Post {n}: Bottega Aurora."], []),
                      content_type="text/html")

        def alert_of(paths):
            entries = "".join(
                f'<entry><id>tag:google.com,2013:googlealerts/feed:{n}</id><title type="html">'
                f"Post {n}</title><link href=\"https://www.google.com/url?rct=j&amp;sa=t&amp;"
                f'url={quote(other.url(p), safe="")}&amp;ct=ga\"></link>'
                f'<content type="html">&lt;b&gt;Bottega Aurora&lt;/b&gt;</content></entry>'
                for n, p in enumerate(paths, 1))
            return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/'
                    f'2005/Atom"><title>Google Alert</title>{entries}</feed>')

        site.add("/alert.atom", alert_of(posts[:2]))
        config = settings_file(sources=[{"name": "alert", "type": "search",
                                         "engine": "google_alerts",
                                         "url": site.url("/alert.atom")}])
        assert monitor_cli("scan", config=config).returncode == 0
        assert other.base.split("//")[1] not in monitor_cli(
            "sources", "--suggested", config=config).stdout

        site.add("/alert.atom", alert_of(posts))
        assert monitor_cli("scan", config=config).returncode == 0
        result = monitor_cli("sources", "--suggested", config=config)

        assert result.returncode == 0, result.stderr
        host = other.base.split("//")[1]
        assert f"# {host}: 3 pages" in result.stdout
        snippet = result.stdout.split("\n", 2)[2]
        assert f'type = "blog"\nurl = "{other.base}/"' in snippet
        digest = monitor_cli("digest", "--dry-run", "--out", str(tmp_path / "d"), config=config)
        assert digest.returncode == 0, digest.stderr
        text = (tmp_path / "d" / "digest.txt").read_text(encoding="utf-8")
        assert "Nuovi siti che parlano di te" in text and f"{other.base}/" in text
        assert host in (tmp_path / "d" / "digest.html").read_text(encoding="utf-8")

        with config.open("a", encoding="utf-8") as settings:  # the user adds it
            settings.write("\n" + snippet)
        after = monitor_cli("sources", "--suggested", config=config)
        assert after.returncode == 0, after.stderr
        assert host not in after.stdout
    finally:
        other.close()


@pytest.mark.parametrize("wrapped, real", [
    ("https://www.google.com/url?rct=j&sa=t&url=https://blog.example/a/%3Fx%3D1&ct=ga&usg=A",
     "https://blog.example/a/?x=1"),
    ("https://www.google.it/url?q=https://blog.example/b&sa=U&ved=2ah", "https://blog.example/b"),
    ("http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=1&url=https%3a%2f%2fnews.exam"
     "ple%2fc%3fid%3d3&c=1&mkt=it-it", "https://news.example/c?id=3"),
    ("https://www.bing.com/ck/a?!&&p=9a1&u=a1aHR0cHM6Ly9ibG9nLmV4YW1wbGUvZA&ntb=1",
     "https://blog.example/d"),
    ("https://r.search.yahoo.com/_ylt=AwrE;_ylu=Y29sbwNiZjEE/RV=2/RE=1731900000/RO=10/"
     "RU=https%3a%2f%2fblog.example%2fe%2f/RK=2/RS=Zx1-", "https://blog.example/e/"),
    ("https://duckduckgo.com/l/?uddg=https%3A%2F%2Fblog.example%2Ff&rut=abc",
     "https://blog.example/f"),
    ("https://out.reddit.com/t3_1gtq2x7?url=https%3A%2F%2Fblog.example%2Fg&token=x&app_name=r",
     "https://blog.example/g"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fblog.example%2Fh&h=AT0", "https://blog.example/h"),
    # Cannot be unwrapped offline: kept as they are.
    ("https://news.google.com/rss/articles/CBMiX2h0dHBz?oc=5",
     "https://news.google.com/rss/articles/CBMiX2h0dHBz?oc=5"),
    ("https://www.google.com/search?q=bottega", "https://www.google.com/search?q=bottega"),
    ("https://www.google.com/url?q=javascript:alert(1)", "https://www.google.com/url?q=javascript:alert(1)"),
])
def test_redirect_links_are_unwrapped(wrapped, real):
    assert unwrap_redirect(wrapped) == real


def test_wrapped_link_and_plain_link_have_one_identity():
    plain = "https://blog.example/post/?utm_source=rss"
    wrapped = ("https://www.google.com/url?rct=j&sa=t&url=" + quote(plain, safe="")
               + "&ct=ga")
    assert canonical_url(wrapped) == canonical_url(plain) == "https://blog.example/post/"


def test_search_sources_are_built_from_the_brand(tmp_path, write_settings):
    path = write_settings(tmp_path / "settings.toml", brand={"aliases": ["BottegaAurora"]},
                          sources=[
        {"name": "gn", "type": "search", "engine": "google_news"},
        {"name": "hn", "type": "search", "engine": "hacker_news"},
        {"name": "md", "type": "search", "engine": "mastodon", "instance": "mastodon.uno"},
        {"name": "bn", "type": "search", "engine": "bing_news", "language": "en",
         "region": "GB", "query": "bottega-aurora.it"}])
    urls = {source.name: source.url for source in load_settings(path).sources}
    assert urls["gn"] == ("https://news.google.com/rss/search?q=%22Bottega+Aurora%22+OR+"
                          "%22BottegaAurora%22&hl=it&gl=IT&ceid=IT:it")
    assert urls["hn"] == "https://hnrss.org/newest?q=%22Bottega+Aurora%22"
    assert urls["md"] == "https://mastodon.uno/tags/bottegaaurora.rss"
    assert urls["bn"] == ("https://www.bing.com/news/search?q=bottega-aurora.it&format=rss"
                          "&setlang=en&cc=GB")


@pytest.mark.parametrize("source, message", [
    ({"engine": "altavista"}, "sources[0].engine: unknown engine 'altavista' (known: "
                              "google_news, bing_news, google_alerts"),
    ({"engine": "google_alerts"}, "sources[0].url: missing: google_alerts feeds have no"),
    ({}, "sources[0].url: missing (a search source needs url, or an engine: google_news"),
    ({"type": "feed", "url": "http://x/", "engine": "reddit"},
     'sources[0].engine: only for type = "search" sources'),
])
def test_bad_search_sources_name_their_key(tmp_path, source, message, write_settings):
    path = write_settings(tmp_path / "settings.toml",
                          sources=[{"name": "s", "type": "search", **source}])
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert message in str(error.value)


def test_init_offers_search_sources_for_the_brand(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--brand", "Caffè Lulù"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "settings.toml").read_text(encoding="utf-8")
    assert "# engine = \"reddit\"" in text
    assert "q=%22Caff%C3%A8+Lul%C3%B9%22" in text and "/tags/caffelulu.rss" in text
    assert load_settings(tmp_path / "settings.toml").brand.name == "Caffè Lulù"
    enabled = text.replace('# [[sources]]\n# name = "Reddit"\n# type = "search"\n'
                           '# engine = "reddit"',
                           '[[sources]]\nname = "Reddit"\ntype = "search"\nengine = "reddit"')
    (tmp_path / "settings.toml").write_text(enabled, encoding="utf-8")
    reddit = load_settings(tmp_path / "settings.toml").source("Reddit")
    assert reddit.url == "https://www.reddit.com/search.rss?q=%22Caff%C3%A8+Lul%C3%B9%22&sort=new"

    plain = CliRunner().invoke(main, ["init", str(tmp_path / "b"), "--brand", "X",
                                      "--no-search"])
    assert plain.exit_code == 0
    assert '# engine = "reddit"' not in (tmp_path / "b" / "settings.toml").read_text(
        encoding="utf-8")
