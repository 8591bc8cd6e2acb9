"""All database access: sources and their health, mentions, scans, digests, alerts,
follow-ups, sightings and what each source last read of each page.

SQLite through sqlite-utils, in WAL mode with a busy timeout; the schema is created and
upgraded by the versioned migrations in `schema.MIGRATIONS`. Nothing outside this package
writes SQL, so that storage can move to another database without touching the rest. Each
module holds the records of one concern; `Storage` is all of them on one connection.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from monitor.storage.delivery import DeliveryRecords
from monitor.storage.detector import DetectorRecords, EmbeddingReader
from monitor.storage.discovery import DiscoveryRecords
from monitor.storage.followups import FollowupChanged, FollowupNotFound, FollowupRecords
from monitor.storage.mentions import MentionRecords
from monitor.storage.pages import PageRecords
from monitor.storage.schema import BUSY_TIMEOUT_MS, MIGRATIONS, utcnow
from monitor.storage.service import ServiceRecords

__all__ = ["EmbeddingReader", "FollowupChanged", "FollowupNotFound", "Storage", "utcnow"]


class Storage(MentionRecords, DeliveryRecords, ServiceRecords, FollowupRecords,
              DiscoveryRecords, PageRecords, DetectorRecords):
    """The monitor database in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        MIGRATIONS.apply(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
