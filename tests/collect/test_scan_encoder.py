"""The sentence encoder in the scan, as the user runs it: only mentions of the brand are
encoded, each text content once (an unchanged rescan, a re-classification or a retrain
never encodes again), every mention records the model that decided it, and without the
encoder the fast detector decides and `monitor status` says so."""

from __future__ import annotations

import json
import sqlite3

from tests.collect.helpers import mentions

ENCODER_OFF = {"MONITOR_ENCODER": "off"}


def status(monitor_cli, config, env=None) -> dict:
    result = monitor_cli("status", "--json", config=config, env=env)
    return json.loads(result.stdout)


def stored_embeddings(config) -> int:
    with sqlite3.connect(config.parent / "monitor.db") as db:
        return db.execute("select count(*) from embeddings").fetchone()[0]


def test_only_new_text_is_encoded_and_an_unchanged_rescan_encodes_nothing(
        site, settings_file, monitor_cli, rss, posts, encoder_on):
    url = site.add("/feed.xml", rss(posts.complaint_it, posts.praise_en, posts.unrelated),
                   etag='"v1"')
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}],
                           storage={"database": "monitor.db"})

    assert monitor_cli("scan", config=config, env=encoder_on).returncode == 0
    # The two posts naming the brand, not the unrelated one.
    assert status(monitor_cli, config, encoder_on)["last_scan"]["encoded"] == 2
    assert stored_embeddings(config) == 2
    assert {row["model"].split("-")[0] for row in mentions(monitor_cli, config)} == {"e5"}

    assert monitor_cli("scan", config=config, env=encoder_on).returncode == 0  # 304
    assert status(monitor_cli, config, encoder_on)["last_scan"]["encoded"] == 0

    # The feed changes: one post is new, one edited, one as it was; only two are encoded.
    edited = {**posts.praise_en, "description": posts.praise_en["description"] + " Again!"}
    new = {**posts.complaint_it, "guid": "post-9", "link": "http://blog.example/nuovo",
           "title": "Bottega Aurora: secondo ordine, stesso problema"}
    site.add("/feed.xml", rss(posts.complaint_it, edited, new), etag='"v2"')
    assert monitor_cli("scan", config=config, env=encoder_on).returncode == 0
    assert status(monitor_cli, config, encoder_on)["last_scan"]["encoded"] == 2
    assert stored_embeddings(config) == 4


def test_without_the_encoder_the_fast_detector_decides_and_status_says_so(
        site, settings_file, monitor_cli, rss, posts):
    url = site.add("/feed.xml", rss(posts.complaint_it, posts.praise_en))
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}],
                           storage={"database": "monitor.db"})

    assert monitor_cli("scan", config=config, env=ENCODER_OFF).returncode == 0

    rows = mentions(monitor_cli, config)
    assert {row["model"].split("-")[0] for row in rows} == {"fast"}
    complaint = next(row for row in rows if row["title"] == posts.complaint_it["title"])
    assert complaint["negative"] is True  # the fast detector still finds it
    assert stored_embeddings(config) == 0
    text = monitor_cli("status", config=config, env=ENCODER_OFF).stdout
    assert "fast detector only" in text and "MONITOR_ENCODER" in text
    assert status(monitor_cli, config, ENCODER_OFF)["detector"]["encoder_problem"]


def test_the_scans_workers_encode_and_store_each_new_text_once(
        site, settings_file, monitor_cli, rss, posts, encoder_on):
    """With 20 sources the scan parses in worker processes; they encode there."""
    sources = []
    for n in range(20):
        post = {**posts.complaint_it, "guid": f"p{n}", "link": f"http://blog.example/p{n}",
                "title": f"Ordine {n} da Bottega Aurora mai arrivato"}
        sources.append({"name": f"feed-{n}", "type": "feed",
                        "url": site.add(f"/feed-{n}.xml", rss(post), etag=f'"{n}"')})
    config = settings_file(sources=sources, storage={"database": "monitor.db"})

    assert monitor_cli("scan", config=config, env=encoder_on).returncode == 0
    assert status(monitor_cli, config, encoder_on)["last_scan"]["encoded"] == 20
    rows = mentions(monitor_cli, config)
    assert len(rows) == 20 and all(row["model"].startswith("e5") for row in rows)
    assert monitor_cli("scan", config=config, env=encoder_on).returncode == 0
    assert status(monitor_cli, config, encoder_on)["last_scan"]["encoded"] == 0


def test_blog_posts_read_beside_the_workers_are_encoded_in_them(
        site, settings_file, monitor_cli, rss, posts, pages, encoder_on):
    """A blog's pages are read in the scan's own process; with 20 sources their entries are
    sent to the worker processes to be encoded there, and stored with their embeddings."""
    sources = [{"name": f"feed-{n}", "type": "feed", "url": site.add(
        f"/feed-{n}.xml", rss({**posts.praise_en, "guid": f"p{n}",
                                "link": f"http://blog.example/p{n}",
                                "title": f"Napkins number {n} from Bottega Aurora"}))}
               for n in range(19)]
    post = site.add("/blog/pacco/", pages.wordpress_post(
        "Il mio ordine", ["Bottega Aurora non ha mai spedito il mio ordine."], [
            {"id": 3, "author": "Marta", "date": "2026-11-12T10:00:00+01:00",
             "text": "Anche a me Bottega Aurora non risponde da settimane."}]),
        content_type="text/html")
    feed = site.add("/blog/feed/", pages.rss_of_posts(site.base, [("Il mio ordine", post)]))
    start = site.add("/blog/", pages.home_page([post], feed_url=feed),
                     content_type="text/html")
    config = settings_file(sources=[*sources, {"name": "blog", "type": "blog", "url": start}],
                           storage={"database": "monitor.db"})

    assert monitor_cli("scan", config=config, env=encoder_on).returncode == 0

    rows = [row for row in mentions(monitor_cli, config) if row["source"] == "blog"]
    assert {row["kind"] for row in rows} == {"post", "comment"}
    assert all(row["model"].startswith("e5") for row in rows)
    assert status(monitor_cli, config, encoder_on)["last_scan"]["encoded"] == 21
    assert stored_embeddings(config) == 21
