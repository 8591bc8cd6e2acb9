"""The scan as the user runs it: `monitor scan` in a subprocess against a local site."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from monitor.storage import Storage
from tests.collect.helpers import mentions


def test_scan_stores_mentions_of_the_brand_only(site, settings_file, monitor_cli, rss, posts):
    url = site.add("/feed.xml", rss(posts.complaint_it, posts.praise_en, posts.unrelated),
                   etag='"v1"')
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}])

    result = monitor_cli("scan", config=config)

    assert result.returncode == 0, result.stderr
    assert "2 new mentions" in result.stdout
    rows = mentions(monitor_cli, config)
    assert {row["title"] for row in rows} == {posts.complaint_it["title"], posts.praise_en["title"]}
    complaint = next(row for row in rows if row["title"] == posts.complaint_it["title"])
    assert complaint["url"] == "http://blog.example/pacco"  # utm_* removed
    assert complaint["author"] == "Giulia"
    assert "<b>" not in complaint["text"] and "Bottega Aurora" in complaint["text"]
    assert complaint["negative"] is True
    assert complaint["published_at"] == "2026-11-20T09:00:00+00:00"
    for key in ("language", "score", "severity", "categories", "reasons", "found_at"):
        assert key in complaint


def test_scan_identifies_itself_and_obeys_robots_txt(site, settings_file, monitor_cli, rss, posts):
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    allowed = site.add("/feed.xml", rss(posts.complaint_it))
    private = site.add("/private/feed.xml", rss(posts.praise_en))
    config = settings_file(
        sources=[{"name": "open", "type": "feed", "url": allowed},
                 {"name": "closed", "type": "feed", "url": private}],
        crawl={"user_agent": "monitor-test-bot/1.0 (+mailto:owner@example.com)"},
    )

    result = monitor_cli("scan", config=config)

    assert result.returncode == 1
    assert "/private/feed.xml" not in site.paths()
    assert "robots.txt" in result.stderr and "'closed'" in result.stderr
    feed_request = next(r for r in site.requests if r.path == "/feed.xml")
    assert feed_request.headers["User-Agent"] == "monitor-test-bot/1.0 (+mailto:owner@example.com)"


def test_requests_to_one_site_are_never_closer_than_the_download_delay(
        site, settings_file, monitor_cli, rss, posts):
    site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    urls = [site.add(f"/feed{n}.xml", rss(posts.praise_en)) for n in range(8)]
    config = settings_file(sources=[{"name": f"feed {n}", "type": "feed", "url": url}
                                    for n, url in enumerate(urls)],
                           crawl={"download_delay": 0.5})

    assert monitor_cli("scan", config=config).returncode == 0

    assert [request.path for request in site.requests][0] == "/robots.txt"
    # The feeds' requests, on one kept-alive connection (robots.txt's arrival also counts
    # the connection's setup, which a busy machine can stretch by tens of milliseconds).
    times = [request.at for request in site.requests[1:]]
    assert len(times) == 8
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # 0.45: room for the server's own timing on a busy machine. (Scrapy's ±50% jitter, drawn
    # again at each check of the slot, gave a gap under 0.45 s in about 4 of 10 such scans.)
    assert min(gaps) >= 0.45, gaps


def test_rescan_of_unchanged_feed_adds_nothing_and_sends_validators(
        site, settings_file, monitor_cli, rss, posts):
    url = site.add("/feed.xml", rss(posts.complaint_it, posts.praise_en), etag='"v1"')
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}])
    assert monitor_cli("scan", config=config).returncode == 0

    second = monitor_cli("scan", config=config)

    assert second.returncode == 0, second.stderr
    assert "0 new mentions, 0 updated" in second.stdout
    feed_requests = [r for r in site.requests if r.path == "/feed.xml"]
    assert feed_requests[-1].headers.get("If-None-Match") == '"v1"'
    # robots.txt was kept from the first scan, not fetched again
    assert site.paths().count("/robots.txt") == 1
    assert len(mentions(monitor_cli, config)) == 2


def test_rescan_without_validators_adds_no_duplicates(site, settings_file, monitor_cli, rss, posts):
    url = site.add("/feed.xml", rss(posts.complaint_it, posts.praise_en))
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}])
    monitor_cli("scan", config=config)
    result = monitor_cli("scan", config=config)
    assert "0 new mentions, 0 updated" in result.stdout
    assert len(mentions(monitor_cli, config)) == 2


def test_edited_entry_updates_its_row(site, settings_file, monitor_cli, rss, posts):
    url = site.add("/feed.xml", rss(posts.praise_en))
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}])
    monitor_cli("scan", config=config)
    edited = {**posts.praise_en, "description": "<p>Update: Bottega Aurora never sent the second "
                                          "parcel and I am still waiting for my refund.</p>"}
    site.add("/feed.xml", rss(edited))

    result = monitor_cli("scan", config=config)

    assert "0 new mentions, 1 updated" in result.stdout
    rows = mentions(monitor_cli, config)
    assert len(rows) == 1
    assert "still waiting for my refund" in rows[0]["text"]


def test_broken_sources_are_recorded_and_do_not_stop_the_others(
        site, settings_file, monitor_cli, tmp_path, rss, posts):
    good = site.add("/good.xml", rss(posts.complaint_it))
    broken = {
        "missing": (site.url("/missing.xml"), "HTTP 404"),
        "server-error": (site.add("/error.xml", "oops", status=500), "HTTP 500"),
        "slow": (site.add("/slow.xml", rss(posts.praise_en), delay=3), "timed out"),
        "html-page": (site.add("/page.html", "<html><body><p>Hello</p></body></html>",
                               content_type="text/html"), "not a readable feed"),
        "garbage": (site.add("/garbage.xml", b"\x00\x01<<<>>>not xml at all"),
                    "not a readable feed"),
        "loop": (site.add("/loop.xml", status=302, headers={"Location": "/loop.xml"}),
                 "redirect"),
    }
    sources = [{"name": "good", "type": "feed", "url": good}]
    sources += [{"name": name, "type": "feed", "url": url} for name, (url, _) in broken.items()]
    config = settings_file(sources=sources, crawl={"timeout": 1})

    result = monitor_cli("scan", config=config)

    assert result.returncode == 1
    assert len(mentions(monitor_cli, config)) == 1
    db = sqlite3.connect(tmp_path / "monitor.db")
    errors = dict(db.execute("select name, last_error from sources"))
    assert errors["good"] is None
    for name, (_, expected) in broken.items():
        assert expected in errors[name], (name, errors[name])
    failures = dict(db.execute("select name, consecutive_failures from sources"))
    assert failures["missing"] == 1 and failures["good"] == 0


def test_scan_exit_code_2_names_the_bad_config_key(settings_file, monitor_cli, tmp_path):
    config = settings_file(sources=[{"name": "a", "type": "feed", "url": "http://x/"},
                                    {"name": "b", "type": "feed", "url": "http://y/"},
                                    {"name": "c", "type": "feed"}])
    result = monitor_cli("scan", config=config)
    assert result.returncode == 2
    assert "sources[2].url: missing" in result.stderr
    assert not (tmp_path / "monitor.db").exists()


def test_a_second_scan_is_refused_while_one_runs(
        site, settings_file, monitor_cli, tmp_path, rss, posts):
    import fcntl

    config = settings_file(sources=[{"name": "blog", "type": "feed",
                                     "url": site.add("/f.xml", rss(posts.praise_en))}])
    with open(tmp_path / "monitor.db.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = monitor_cli("scan", config=config)
    assert result.returncode == 3
    assert "another scan is running" in result.stderr


@pytest.mark.parametrize("source_type", ["feed", "search"])
def test_validators_survive_unchanged_rescans(
        site, settings_file, monitor_cli, source_type, rss, posts):
    post = {**posts.complaint_it, "link": site.url("/pacco")}  # a 404 page for the search reader
    url = site.add("/feed.xml", rss(post), etag='"v1"')
    config = settings_file(sources=[{"name": "s", "type": source_type, "url": url}])
    for _ in range(3):
        assert monitor_cli("scan", config=config).returncode == 0
    feed_requests = [r for r in site.requests if r.path == "/feed.xml"]
    assert [r.headers.get("If-None-Match") for r in feed_requests] == [None, '"v1"', '"v1"']


def test_entries_the_database_refuses_fail_their_source_and_are_read_again(
        site, settings_file, monitor_cli, tmp_path, rss, posts):
    good = site.add("/good.xml", rss(posts.complaint_it), etag='"good"')
    refused = site.add("/refused.xml", rss(posts.praise_en), etag='"refused"')
    config = settings_file(sources=[{"name": "good", "type": "feed", "url": good},
                                    {"name": "refused", "type": "feed", "url": refused}])
    database = tmp_path / "monitor.db"
    Storage(database).close()
    with sqlite3.connect(database) as db:  # the disk says no, for one source's entries
        db.execute("create trigger refuse before insert on mentions"
                   f" when new.title = '{posts.praise_en['title']}'"
                   " begin select raise(abort, 'disk I/O error'); end")

    first = monitor_cli("scan", config=config)

    assert first.returncode == 1
    assert "'refused' failed" in first.stderr and "could not store its entries" in first.stderr
    assert [row["title"] for row in mentions(monitor_cli, config)] == [posts.complaint_it["title"]]
    with sqlite3.connect(database) as db:
        db.execute("drop trigger refuse")
        validators = dict(db.execute("select name, etag from sources"))
    assert validators == {"good": '"good"', "refused": None}  # nothing vouches for a loss

    second = monitor_cli("scan", config=config)

    assert second.returncode == 0, second.stderr
    assert "1 new mentions" in second.stdout
    last_request = [r for r in site.requests if r.path == "/refused.xml"][-1]
    assert "If-None-Match" not in last_request.headers  # read again in full
    assert {row["title"] for row in mentions(monitor_cli, config)} == {
        posts.complaint_it["title"], posts.praise_en["title"]}
