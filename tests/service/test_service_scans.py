"""Cron-safe scans: one at a time per database (whoever starts them), a scan killed
with kill -9 loses nothing and duplicates nothing, and two brands with two settings
files scan side by side."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from monitor.collect.scan import PARALLEL_FROM_SOURCES
from tests.service.helpers import query, wait_until

ROOT = Path(__file__).resolve().parents[2]

BRAND_POSTS = 24  # enough for the scan to parse in worker processes (PARALLEL_FROM_SOURCES)


def post(number: int) -> dict:
    return {"title": f"Post {number}", "link": f"http://blog.example/post-{number}",
            "guid": f"post-{number}",
            "description": f"<p>Day {number}: the tablecloth from Bottega Aurora.</p>"}


def slow_sources(site, delay: float, rss) -> list[dict]:
    """BRAND_POSTS feeds on one site, each answering after `delay` seconds; the crawler
    reads one at a time from a site, so the scan takes about BRAND_POSTS x delay."""
    assert BRAND_POSTS >= PARALLEL_FROM_SOURCES
    return [{"name": f"feed-{n}", "type": "feed",
             "url": site.add(f"/feed-{n}.xml", rss(post(n)), delay=delay)}
            for n in range(BRAND_POSTS)]


def start_scan(config) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "scan"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def test_kill_9_mid_scan_loses_nothing_and_the_next_scan_completes(
        site, settings_file, monitor_cli, tmp_path, rss):
    config = settings_file(sources=slow_sources(site, 0.2, rss))
    database = tmp_path / "monitor.db"
    scan = start_scan(config)
    try:
        wait_until(lambda: query(database, "select count(*) from mentions") >= [(2,)], 30,
                   "the scan to store two mentions")
        scan.send_signal(signal.SIGKILL)
        scan.wait()
    finally:
        scan.kill()
        scan.communicate()
    stored = set(query(database, "select key from mentions"))
    assert 2 <= len(stored) < BRAND_POSTS
    assert query(database, "select status from scans") == [("running",)]

    again = monitor_cli("scan", config=config)
    assert again.returncode == 0, again.stderr
    keys = query(database, "select key from mentions")
    assert len(keys) == BRAND_POSTS == len(set(keys))
    assert stored <= set(keys)
    assert f"{BRAND_POSTS - len(stored)} new mentions" in again.stdout
    assert query(database, "pragma integrity_check") == [("ok",)]
    (first, error), second = query(database, "select status, errors from scans order by id")
    assert first == "failed" and "interrupted" in json.loads(error)["scan"]
    assert second[0] == "ok"


def test_a_second_scan_or_prune_is_refused_while_a_scan_runs(
        site, settings_file, monitor_cli, tmp_path, rss):
    config = settings_file(sources=slow_sources(site, 0.4, rss), storage={"keep_days": 30})
    database = tmp_path / "monitor.db"
    first = start_scan(config)
    try:
        wait_until(lambda: query(database, "select status from scans") == [("running",)], 30,
                   "the first scan to start")
        second = monitor_cli("scan", config=config)
        prune = monitor_cli("prune", config=config)
        out, err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert second.returncode == 3
    assert "another scan is running" in second.stderr and str(first.pid) in second.stderr
    assert prune.returncode == 3 and "another scan is running" in prune.stderr
    assert first.returncode == 0, err
    assert query(database, "select count(*) from scans") == [(1,)]


def test_two_brands_with_two_settings_files_scan_side_by_side(
        site, tmp_path, monitor_cli, rss, write_settings):
    configs = []
    for brand in ("Bottega Aurora", "Casa Lumen"):
        folder = tmp_path / brand.split()[1].lower()
        folder.mkdir()
        feed = rss({"title": f"{brand} review", "link": f"http://blog.example/{folder.name}",
                    "description": f"<p>I bought from {brand}.</p>"})
        source = {"name": "blog", "type": "feed",
                  "url": site.add(f"/{folder.name}.xml", feed, delay=0.5)}
        configs.append(write_settings(folder / "settings.toml", brand=brand, sources=[source]))
    scans = [start_scan(config) for config in configs]
    results = [scan.communicate(timeout=60) for scan in scans]
    assert [scan.returncode for scan in scans] == [0, 0], results
    for config in configs:
        titles = query(config.parent / "monitor.db", "select title from mentions")
        assert titles == [(f"{'Bottega Aurora' if 'aurora' in str(config) else 'Casa Lumen'}"
                           " review",)]
