"""The operator's commands: `monitor status` (and its exit code for monitoring systems),
`monitor prune` (retention) and `monitor export`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime, timedelta

from monitor.storage import Storage
from tests.service.helpers import change, query

HOSTILE = {"title": 'Bottega Aurora, "the best"', "link": "http://blog.example/quotes",
           "guid": "post-9",
           "description": '<p>Bottega Aurora: commas, "quotes",\nnew lines; and <b>tags</b>.</p>'}


def scanned(site, settings_file, monitor_cli, rss, *items, **sections):
    config = settings_file(sources=[{"name": "blog", "type": "feed",
                                     "url": site.add("/feed.xml", rss(*items))}], **sections)
    result = monitor_cli("scan", config=config)
    assert result.returncode == 0, result.stderr
    return config


def test_status_shows_scan_digest_complaints_and_size(site, settings_file, monitor_cli,
                                                      tmp_path, posts, rss):
    config = scanned(site, settings_file, monitor_cli, rss, posts.complaint_it, posts.praise_en,
                     schedule={"scan_every": "1h"})

    result = monitor_cli("status", "--json", config=config)

    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["healthy"] is True and report["problems"] == []
    scan = report["last_scan"]
    assert (scan["status"], scan["new_mentions"], scan["failed_sources"]) == ("ok", 2, {})
    assert scan["seconds"] >= 0
    assert report["last_digest"] is None
    assert report["open_complaints"] == 1
    assert report["database_bytes"] > 0

    with Storage(tmp_path / "monitor.db") as storage:
        storage.record_digest([], status="failed", recipients=["staff@example.com"],
                              negative_count=1, error="smtp.example.com: 421 try later")
    text = monitor_cli("status", config=config)
    assert text.returncode == 1
    assert "last digest:" in text.stdout and "staff@example.com" in text.stdout
    assert "the last digest failed: smtp.example.com: 421 try later" in text.stdout


def test_status_is_unhealthy_before_any_scan(settings_file, monitor_cli):
    # Overdue scans are checked with a fake clock in test_service_schedule.py.
    result = monitor_cli("status", config=settings_file())
    assert result.returncode == 1
    assert "last scan: never" in result.stdout
    assert "NOT HEALTHY: no scan has run yet" in result.stdout


def test_status_marks_a_scan_whose_process_died_as_interrupted(settings_file, monitor_cli,
                                                               tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    with Storage(tmp_path / "monitor.db") as storage:
        storage.start_scan(gone.pid)  # as a scan killed with -9 leaves it
    result = monitor_cli("status", "--json", config=settings_file())
    scan = json.loads(result.stdout)["last_scan"]
    assert scan["status"] == "failed"
    assert "interrupted" in scan["failed_sources"]["scan"]


def test_prune_keeps_complaints_and_labelled_mentions_and_forgets_the_rest(
        site, settings_file, monitor_cli, tmp_path, posts, rss):
    config = scanned(site, settings_file, monitor_cli, rss, posts.complaint_it,
                     posts.praise_en, HOSTILE, storage={"keep_days": 30})
    database = tmp_path / "monitor.db"
    hostile_id = query(database, "select id from mentions where url like '%quotes'")[0][0]
    assert monitor_cli("mentions", "mark", str(hostile_id), "--negative",
                       config=config).returncode == 0
    fresh = monitor_cli("prune", config=config)
    assert fresh.returncode == 0 and "Deleted 0" in fresh.stdout
    long_ago = (datetime.now(UTC) - timedelta(days=31)).isoformat(timespec="seconds")
    change(database, "update mentions set found_at = ?", [long_ago])
    assert query(database, "select count(*) from embeddings") == [(3,)]

    result = monitor_cli("prune", config=config)

    assert result.returncode == 0, result.stderr
    assert "Deleted 1 non-negative mentions" in result.stdout
    urls = {url for (url,) in query(database, "select url from mentions")}
    assert urls == {"http://blog.example/pacco", "http://blog.example/quotes"}
    # The pruned mention's embedding goes with it; the kept ones' stay.
    assert query(database, "select count(*) from embeddings e where exists (select 1 from"
                           " mentions m where m.embedding_key = e.key)") == [(2,)]
    assert query(database, "select count(*) from embeddings") == [(2,)]
    rescan = monitor_cli("scan", config=config)
    assert "0 new mentions" in rescan.stdout  # a pruned mention does not come back
    assert query(database, "select count(*) from mentions") == [(2,)]


def test_prune_with_keep_days_zero_keeps_everything(settings_file, monitor_cli):
    result = monitor_cli("prune", config=settings_file())
    assert result.returncode == 0 and "kept forever" in result.stdout


def test_export_csv_and_json_hold_every_mention(
        site, settings_file, monitor_cli, tmp_path, posts, rss):
    config = scanned(site, settings_file, monitor_cli, rss, posts.complaint_it,
                     posts.praise_en, HOSTILE)

    as_csv = monitor_cli("export", "--format", "csv", config=config)
    as_json = monitor_cli("export", "--format", "json", "--out", str(tmp_path / "all.json"),
                          config=config)

    assert as_csv.returncode == 0 and as_json.returncode == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    records = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert len(rows) == len(records) == 3
    assert "3 mentions exported" in as_json.stderr
    hostile_row = next(row for row in rows if row["url"].endswith("quotes"))
    hostile_record = next(r for r in records if r["url"].endswith("quotes"))
    assert hostile_row["title"] == hostile_record["title"] == 'Bottega Aurora, "the best"'
    assert hostile_row["text"] == hostile_record["text"]
    complaint = next(row for row in rows if row["url"].endswith("pacco"))
    assert complaint["negative"] == "true" and complaint["source"] == "blog"
    assert complaint["categories"] == "; ".join(
        next(r for r in records if r["url"].endswith("pacco"))["categories"])
