"""Retention and export: delete old non-negative mentions; write every mention out.

Retention never deletes a negative mention (by the detector or by a person's label),
so complaints and their follow-ups are kept for good.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TextIO

from monitor.config import Settings
from monitor.storage import Storage

EXPORT_FIELDS = ("id", "source", "source_type", "url", "title", "text", "author", "language",
                 "rating", "best_rating", "negative", "human_negative", "score", "severity",
                 "categories", "reasons", "published_at", "found_at", "updated_at",
                 "digest_id")


def prune_old_mentions(settings: Settings, now: datetime | None = None) -> int:
    """Delete non-negative mentions found more than `[storage] keep_days` ago.

    Holds the scan lock, so it never runs while a scan stores mentions; raises
    monitor.collect.scan.ScanLocked when a scan is running. Returns how many were deleted.
    """
    if settings.storage.keep_days == 0:
        return 0
    from monitor.collect.scan import ScanLock  # imports Scrapy: only when there is work

    cutoff = (now or datetime.now(UTC)) - timedelta(days=settings.storage.keep_days)
    with ScanLock(settings.database_path), Storage(settings.database_path) as storage:
        return storage.prune_mentions(cutoff.isoformat(timespec="seconds"))


def export_mentions(mentions: Iterable[dict], out: TextIO, form: str) -> int:
    """Write `mentions` to `out` as "csv" or "json" (one array); return how many."""
    count = 0
    if form == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for mention in mentions:
            writer.writerow(_flat(mention))
            count += 1
        return count
    out.write("[")
    for mention in mentions:
        record = {key: mention.get(key) for key in EXPORT_FIELDS}
        out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


def _flat(mention: dict) -> dict:
    """A mention as CSV cells: lists joined with "; ", booleans as true/false."""
    row = {}
    for key in EXPORT_FIELDS:
        value = mention.get(key)
        if isinstance(value, list):
            value = "; ".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        row[key] = value
    return row
