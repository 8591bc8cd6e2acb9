"""Blog and page rescans by what changed, and comments beyond WordPress markup, scanned as
the user scans (`monitor scan` in a subprocess) against sites on 127.0.0.1."""

from __future__ import annotations

import sqlite3

from tests.spiders.helpers import mentions, schemaorg_example, with_aliases

PAGE = "text/html; charset=utf-8"
BROKEN = "Da Bottega Aurora il vaso è arrivato rotto e nessuno risponde."


def blog(site, pages, etag, *, comments_on_oldest=1, oldest_text=None) -> str:
    """A blog: its feed lists three posts, each with a comment naming the brand."""
    posts = []
    for number in range(3):
        path = f"/2026/{number + 1:02d}/post/"
        count = comments_on_oldest if number == 2 else 1
        comments = [{"id": number * 10 + c, "author": f"Lettore {c}",
                     "date": f"2026-11-0{c + 1}T10:00:00+01:00",
                     "text": f"Ho comprato da Bottega Aurora, commento {c}."}
                    for c in range(count)]
        text = ["Come apparecchiare la tavola per le feste, passo per passo."] * 6
        if number == 2 and oldest_text:
            text = oldest_text
        site.add(path, pages.wordpress_post(f"Post {number}", text, comments),
                 content_type=PAGE, etag=etag)
        posts.append((f"Post {number}", site.url(path)))
    return site.add("/feed/", pages.rss_of_posts(site.base, posts), etag=etag)


def snapshot(database) -> tuple[list, list]:
    """Every stored page and every mention, as rows."""
    with sqlite3.connect(database) as db:
        return (db.execute("select * from pages order by url").fetchall(),
                db.execute("select * from mentions order by id").fetchall())


def scan(monitor_cli, config, site) -> tuple[str, list]:
    """`monitor scan`; its output and the (path, status, conditional) of its requests."""
    before = len(site.requests)
    result = monitor_cli("scan", config=config)
    assert result.returncode == 0, result.stderr
    return result.stdout, [(r.path, r.status, "If-None-Match" in r.headers)
                           for r in site.requests[before:]]


def test_unchanged_blog_rescan_asks_conditionally_and_new_comments_are_still_found(
        site, settings_file, monitor_cli, pages, tmp_path):
    feed = blog(site, pages, etag=True)
    config = settings_file(sources=[{"name": "casa", "type": "blog", "url": feed}])
    first, _ = scan(monitor_cli, config, site)
    assert "3 new mentions" in first  # the three comments; the posts do not name the brand
    stored = snapshot(tmp_path / "monitor.db")

    output, requests = scan(monitor_cli, config, site)

    assert "0 new mentions, 0 updated" in output
    assert sorted(requests) == sorted([("/feed/", 304, True)] + [
        (f"/2026/{n:02d}/post/", 304, True) for n in (1, 2, 3)])
    assert snapshot(tmp_path / "monitor.db") == stored  # nothing written

    # A new comment on the oldest post: its page changes, the feed does not.
    blog(site, pages, etag=True, comments_on_oldest=2)
    output, requests = scan(monitor_cli, config, site)

    assert "1 new mentions, 0 updated" in output
    assert [r for r in requests if r[1] == 200] == [("/2026/03/post/", 200, True)]
    new = [row for row in mentions(monitor_cli, config) if row["url"].endswith("#comment-21")]
    assert new and new[0]["text"] == "Ho comprato da Bottega Aurora, commento 1."

    # The post itself is edited (shorter, and now a complaint): its mention is updated.
    before = {row["url"]: row for row in mentions(monitor_cli, config)}
    blog(site, pages, etag=True, comments_on_oldest=2, oldest_text=[BROKEN])
    output, _ = scan(monitor_cli, config, site)

    assert "1 new mentions, 0 updated" in output  # the post names the brand now
    post = next(row for row in mentions(monitor_cli, config)
                if row["url"] == site.url("/2026/03/post/"))
    assert BROKEN in post["text"] and post["negative"] is True
    blog(site, pages, etag=True, comments_on_oldest=2,
         oldest_text=["Da Bottega Aurora il vaso è arrivato rotto."])
    output, _ = scan(monitor_cli, config, site)
    assert "0 new mentions, 1 updated" in output
    edited = {row["url"]: row for row in mentions(monitor_cli, config)}
    assert edited[post["url"]]["id"] == post["id"]
    assert "il vaso è arrivato rotto." in edited[post["url"]]["text"]
    assert "nessuno risponde" not in edited[post["url"]]["text"]  # shorter, and it counts
    assert len(edited) == len(before) + 1


def test_a_site_without_validators_is_compared_by_its_pages_content(
        site, settings_file, monitor_cli, pages, tmp_path):
    feed = blog(site, pages, etag=None)
    config = settings_file(sources=[{"name": "casa", "type": "blog", "url": feed}])
    scan(monitor_cli, config, site)
    stored = snapshot(tmp_path / "monitor.db")

    output, requests = scan(monitor_cli, config, site)

    assert "0 new mentions, 0 updated" in output
    assert {status for _, status, _ in requests} == {200}  # bodies, but the same ones
    assert snapshot(tmp_path / "monitor.db") == stored

    blog(site, pages, etag=None, comments_on_oldest=2)
    output, _ = scan(monitor_cli, config, site)
    assert "1 new mentions, 0 updated" in output


RELATIVE_COMMENTS = """<!DOCTYPE html><html lang="it"><head><title>Tovaglie di lino</title>
<meta property="og:type" content="article"></head><body><article><h1>Tovaglie di lino</h1>
<p>Come scegliere una tovaglia di lino che duri anni: il peso della trama, le cuciture,
il lavaggio a trenta gradi e la stiratura ancora umida.</p></article>
<section class="discussione">
 <div class="intervento"><span class="chi">Marta</span><span class="quando">{first}</span>
  <div class="testo">Le mie tovaglie di Bottega Aurora si sono strappate al primo lavaggio.</div>
  <div class="intervento"><span class="chi">Luca</span><span class="quando">{second}</span>
   <div class="testo">A me Bottega Aurora le ha cambiate subito.</div></div>
 </div>
 <div class="intervento" id="c-7"><span class="chi">Pia</span><span class="quando">{first}</span>
  <div class="testo">Bottega Aurora, tovaglie perfette.</div></div>
</section></body></html>"""
SELECTORS = {"comment": "div.intervento", "comment_author": ".chi",
             "comment_date": ".quando", "comment_body": ".testo"}


def test_comments_without_wordpress_markup_are_read_with_selectors(
        site, settings_file, monitor_cli):
    url = site.add("/tovaglie/", RELATIVE_COMMENTS.format(first="2 giorni fa",
                                                           second="ieri"), content_type=PAGE)
    config = settings_file(sources=[{"name": "forum", "type": "blog", "url": url,
                                     "selectors": SELECTORS}])

    output, _ = scan(monitor_cli, config, site)

    assert "3 new mentions" in output
    rows = {row["author"]: row for row in mentions(monitor_cli, config)}
    assert set(rows) == {"Marta", "Luca", "Pia"}  # the post does not name the brand
    assert rows["Marta"]["text"] == ("Le mie tovaglie di Bottega Aurora si sono strappate al "
                                     "primo lavaggio.")  # without Luca's reply
    assert rows["Marta"]["negative"] is True and rows["Marta"]["kind"] == "comment"
    assert rows["Luca"]["text"] == "A me Bottega Aurora le ha cambiate subito."
    assert rows["Pia"]["url"] == url + "#c-7" and rows["Marta"]["url"] == url

    # A day later the page says "3 giorni fa" and "2 giorni fa": the same comments.
    site.add("/tovaglie/", RELATIVE_COMMENTS.format(first="3 giorni fa", second="2 giorni fa"),
             content_type=PAGE)
    output, _ = scan(monitor_cli, config, site)

    assert "0 new mentions, 0 updated" in output
    assert len(mentions(monitor_cli, config)) == 3


def test_comments_of_a_real_schema_org_blog_post_are_read_with_selectors(
        site, settings_file, monitor_cli):
    """The official schema.org example of a BlogPosting with a microdata Comment."""
    url = site.add("/post/", schemaorg_example("0476", "MICRODATA"), content_type=PAGE)
    selectors = {"comment": '[itemtype="https://schema.org/Comment"]',
                 "comment_author": '[itemprop="author"] [itemprop="name"]',
                 "comment_date": '[itemprop="datePublished"]',
                 "comment_body": '[itemprop="text"]'}
    config = with_aliases(settings_file(sources=[{"name": "dl", "type": "blog", "url": url,
                                                  "selectors": selectors}]), ["metadata"])

    output, _ = scan(monitor_cli, config, site)

    assert "2 new mentions" in output, output
    rows = {row["kind"]: row for row in mentions(monitor_cli, config)}
    comment = rows["comment"]
    assert comment["author"] == "Jeff"
    assert comment["published_at"] == "2019-06-23T17:31:15+01:00"
    assert comment["text"].startswith("I've been looking for a decent metadata scheme")
    assert "home-brew library system" not in rows["post"]["text"]
    assert "Library Metadata Evolution" in rows["post"]["title"]


def test_a_relative_review_date_does_not_change_the_review(site, settings_file, monitor_cli):
    page = ('<html><body><div class="r"><b class="a">Anna</b><i class="d">{}</i>'
            '<p class="t">Bottega Aurora: vaso rotto.</p><span class="v">1 su 5</span></div>'
            '</body></html>')
    url = site.add("/recensioni/", page.format("2 giorni fa"), content_type=PAGE)
    config = settings_file(sources=[{"name": "r", "type": "reviews", "url": url, "selectors": {
        "review": "div.r", "author": ".a", "date": ".d", "body": ".t", "rating": ".v"}}])
    assert "1 new mentions" in scan(monitor_cli, config, site)[0]

    site.add("/recensioni/", page.format("3 giorni fa"), content_type=PAGE)
    output, _ = scan(monitor_cli, config, site)

    assert "0 new mentions, 0 updated" in output
    assert len(mentions(monitor_cli, config)) == 1
