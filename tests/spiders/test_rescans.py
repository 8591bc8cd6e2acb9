"""Blog and page rescans by what changed, and comments beyond WordPress markup, scanned as
the user scans (`monitor scan` in a subprocess) against sites on 127.0.0.1."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import urlsplit

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


def forum(site, pages, comment_class="intervento", without_pia=()) -> str:
    """A forum's feed listing two threads, "lino" and "cotone": RELATIVE_COMMENTS pages of
    3 comments each, marked up as `comment_class`; the threads in `without_pia` have lost
    Pia's comment."""
    threads = []
    for name in ("lino", "cotone"):
        html = RELATIVE_COMMENTS.format(first="2 giorni fa", second="ieri").replace(
            "Bottega Aurora", f"Bottega Aurora ({name})")
        if name in without_pia:
            html = re.sub(r'<div class="intervento" id="c-7">.*?</div></div>', "", html,
                          flags=re.S)
        path = f"/forum/{name}/"
        site.add(path, html.replace("intervento", comment_class), content_type=PAGE)
        threads.append((name, site.url(path)))
    return site.add("/forum/feed/", pages.rss_of_posts(site.base, threads))


def scanned_forum(site, settings_file, monitor_cli, pages) -> tuple[str, object]:
    """The forum() read once by a blog source "forum" with SELECTORS: (feed, settings)."""
    feed = forum(site, pages)
    config = settings_file(sources=[{"name": "forum", "type": "blog", "url": feed,
                                     "selectors": SELECTORS}])
    assert "6 new mentions" in scan(monitor_cli, config, site)[0]
    return feed, config


def comment_counts(database) -> dict[str, int | None]:
    """The comments each stored page gave when last read, by path."""
    with sqlite3.connect(database) as db:
        rows = db.execute("select url, comments from pages").fetchall()
    return {urlsplit(url).path: comments for url, comments in rows}


def test_comments_that_stop_matching_fail_the_source_and_lose_nothing(
        site, settings_file, monitor_cli, pages, tmp_path):
    feed, config = scanned_forum(site, settings_file, monitor_cli, pages)
    assert comment_counts(tmp_path / "monitor.db") == {
        "/forum/feed/": None, "/forum/lino/": 3, "/forum/cotone/": 3}

    # The forum's new theme calls a comment "messaggio": the selector finds nothing (and
    # a moderator removed Pia's comment on "cotone" meanwhile).
    forum(site, pages, comment_class="messaggio", without_pia=["cotone"])
    result = monitor_cli("scan", config=config)

    assert result.returncode == 1
    assert "'forum'" in result.stderr
    assert ("no comments found on 2 pages that had some when last read (e.g. "
            f"{site.url('/forum/')}") in result.stderr
    assert "has the page layout changed?" in result.stderr
    assert len(mentions(monitor_cli, config)) == 6
    sources = monitor_cli("sources", config=config)
    assert "has the page layout changed?" in sources.stdout
    # Nothing of this scan was stored: the next one reads both threads again.
    assert comment_counts(tmp_path / "monitor.db") == {
        "/forum/feed/": None, "/forum/lino/": 3, "/forum/cotone/": 3}

    # The owner updates the selector: the threads are read again, nothing is duplicated.
    fixed = dict(SELECTORS, comment="div.messaggio")
    config = settings_file(sources=[{"name": "forum", "type": "blog", "url": feed,
                                     "selectors": fixed}])
    output, _ = scan(monitor_cli, config, site)

    assert "0 new mentions, 0 updated" in output
    assert len(mentions(monitor_cli, config)) == 6
    assert comment_counts(tmp_path / "monitor.db") == {
        "/forum/feed/": None, "/forum/lino/": 3, "/forum/cotone/": 2}


def test_comments_really_deleted_on_every_thread_are_accepted_after_reread(
        site, settings_file, monitor_cli, pages, tmp_path):
    feed, config = scanned_forum(site, settings_file, monitor_cli, pages)
    # A moderator really empties both threads: the scan cannot tell it from a new theme.
    forum(site, pages, comment_class="cancellato")
    assert monitor_cli("scan", config=config).returncode == 1

    unknown = monitor_cli("sources", "--reread", "forun", config=config)
    assert unknown.returncode == 2 and "'forun'" in unknown.stderr and "forum" in unknown.stderr
    result = monitor_cli("sources", "--reread", "forum", config=config)
    assert result.returncode == 0, result.stderr
    assert "reads every page in full (3 pages known)" in result.stdout

    output, requests = scan(monitor_cli, config, site)
    assert "0 new mentions, 0 updated" in output
    assert not any(conditional for _, _, conditional in requests)  # read in full
    assert len(mentions(monitor_cli, config)) == 6
    assert comment_counts(tmp_path / "monitor.db") == {
        "/forum/feed/": None, "/forum/lino/": 0, "/forum/cotone/": 0}
    assert "has the page layout changed?" not in monitor_cli("sources", config=config).stdout


def test_comments_deleted_on_one_post_do_not_fail_the_source(
        site, settings_file, monitor_cli, pages, tmp_path):
    feed = blog(site, pages, etag=True)
    config = settings_file(sources=[{"name": "casa", "type": "blog", "url": feed}])
    assert "3 new mentions" in scan(monitor_cli, config, site)[0]

    # The blog's owner deletes the oldest post's only comment (spam): it alone changes.
    blog(site, pages, etag=True, comments_on_oldest=0)
    for _ in range(2):
        scan(monitor_cli, config, site)  # exit status 0, on every scan

    sources = monitor_cli("sources", config=config)
    assert "layout" not in sources.stdout
    counts = comment_counts(tmp_path / "monitor.db")
    assert counts["/2026/03/post/"] == 0 and counts["/2026/01/post/"] == 1
    assert len(mentions(monitor_cli, config)) == 3  # the deleted comment's mention stays


def test_each_page_keeps_its_own_comment_count_when_pages_are_read_at_once(
        site, settings_file, monitor_cli, pages, tmp_path):
    posts = []
    for number in range(6):
        comments = [{"id": number * 100 + c, "author": f"Lettore {c}",
                     "date": "2026-11-01T10:00:00+01:00", "text": f"Grazie, commento {c}."}
                    for c in range(10 + 7 * number)]
        path = f"/2026/{number + 1:02d}/post/"
        site.add(path, pages.wordpress_post(f"Post {number}", ["Tavola."] * 6, comments),
                 content_type=PAGE)
        posts.append((f"Post {number}", site.url(path)))
    feed = site.add("/feed/", pages.rss_of_posts(site.base, posts))
    config = settings_file(sources=[{"name": "casa", "type": "blog", "url": feed}])

    scan(monitor_cli, config, site)

    counts = comment_counts(tmp_path / "monitor.db")
    assert {path: counts[path] for path in counts if path != "/feed/"} == {
        f"/2026/{n + 1:02d}/post/": 10 + 7 * n for n in range(6)}


def test_after_the_upgrade_each_blog_page_is_read_once_in_full_for_its_comment_count(
        site, settings_file, monitor_cli, pages, tmp_path):
    feed = blog(site, pages, etag=True)
    config = settings_file(sources=[{"name": "casa", "type": "blog", "url": feed}])
    scan(monitor_cli, config, site)
    with sqlite3.connect(tmp_path / "monitor.db") as db:  # as before migration m110
        db.execute("alter table pages drop column comments")
        db.execute("delete from _sqlite_migrations where name = 'm110_page_comments'")

    _, requests = scan(monitor_cli, config, site)

    assert sorted(requests) == sorted([("/feed/", 200, False)] + [
        (f"/2026/{n:02d}/post/", 200, False) for n in (1, 2, 3)])
    assert comment_counts(tmp_path / "monitor.db") == {
        "/feed/": None, "/2026/01/post/": 1, "/2026/02/post/": 1, "/2026/03/post/": 1}
    _, requests = scan(monitor_cli, config, site)
    assert {status for _, status, _ in requests} == {304}  # once only


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
