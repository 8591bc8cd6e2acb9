"""Every real-world feed file in ../shared/realworld, as sources of one scan.

Nobody here wrote these files: feedparser's and feedvalidator's suites (valid, invalid and
odd feeds), miniflux's charset cases, node-feedparser's broken feeds, ROME's samples. The
scan must finish, no source may crash it, and each source that fails must carry a
readable error.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


FOLDERS = ("feedparser-tests", "feedvalidator", "miniflux", "node-feedparser", "rome")
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".html", ".htm", ".feed", ""}
HOSTS = [f"127.0.0.{n}" for n in range(2, 10)]


def feed_files():
    root = SHARED / "realworld"
    files = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.name != "SOURCES.txt" and path.suffix in FEED_SUFFIXES:
                files.append(path.relative_to(root))
    return files


@pytest.fixture
def realworld_sites(make_site):
    if not (SHARED / "realworld").is_dir():
        pytest.skip("../shared/realworld is not beside the checkout")
    return [make_site(SHARED / "realworld", host=host) for host in HOSTS]


def test_scan_of_every_realworld_feed_finishes_with_readable_errors(
        realworld_sites, settings_file, monitor_cli, tmp_path):
    files = feed_files()
    assert len(files) > 3000
    # Their entries link to sites on the internet: they are not followed to their pages.
    sources = [{"name": str(path), "type": "feed", "full_text": "never",
                "url": realworld_sites[i % len(HOSTS)].url("/" + str(path))}
               for i, path in enumerate(files)]
    config = settings_file(sources=sources, brand={"name": "example"},
                           crawl={"timeout": 10, "concurrent_requests": 16})

    started = time.monotonic()
    result = monitor_cli("scan", config=config, timeout=400)
    elapsed = time.monotonic() - started

    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    db = sqlite3.connect(tmp_path / "monitor.db")
    rows = db.execute("select name, last_success_at, last_error from sources").fetchall()
    assert len(rows) == len(files)
    failed = {name: error for name, success, error in rows if error}
    read = [name for name, success, error in rows if success and not error]
    never = [name for name, success, error in rows if not success and not error]
    assert not never, f"sources neither read nor failed: {never[:5]}"
    for name, error in failed.items():
        assert "scan ended before" not in error, (name, error)
        assert len(error) < 600 and "\n" not in error, (name, error)
    assert "node-feedparser/test/feeds/notafeed.html" in failed
    assert "not a readable feed" in failed["node-feedparser/test/feeds/notafeed.html"]
    assert "rome/rss_2.0.xml" in read or any(name.startswith("rome/") for name in read)
    assert len(read) > 0.8 * len(files)
    mentions = db.execute("select count(*) from mentions").fetchone()[0]
    assert mentions > 0
    print(f"{len(files)} feeds in {elapsed:.1f} s: {len(read)} read, {len(failed)} failed, "
          f"{mentions} mentions of 'example'")
