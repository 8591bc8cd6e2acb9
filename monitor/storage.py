"""All database access: sources and their health, mentions, scans and digests.

SQLite through sqlite-utils, in WAL mode with a busy timeout; the schema is created and
upgraded by the versioned migrations in `MIGRATIONS`. Nothing outside this module writes
SQL, so that storage can move to another database without touching the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage_followups import FollowupRecords

MIGRATIONS = Migrations("monitor")
BUSY_TIMEOUT_MS = 30_000
JSON_COLUMNS = ("categories", "reasons")


def utcnow() -> str:
    """The current time as an ISO 8601 UTC string, the format of every stored time."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "id": int, "name": str, "type": str, "url": str,
            "last_success_at": str, "last_error": str, "last_error_at": str,
            "consecutive_failures": int, "etag": str, "last_modified": str,
            "last_entry_count": int,
        },
        pk="id", not_null={"name"}, defaults={"consecutive_failures": 0},
    )
    db["sources"].create_index(["name"], unique=True)
    db["scans"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "status": str, "pid": int,
            "sources_ok": int, "sources_failed": int, "new_mentions": int,
            "updated_mentions": int, "errors": str,
        },
        pk="id",
    )
    db["digests"].create(
        {
            "id": int, "created_at": str, "sent_at": str, "status": str,
            "recipients": str, "mention_count": int, "negative_count": int, "error": str,
        },
        pk="id",
    )
    db["mentions"].create(
        {
            "id": int, "key": str, "source_id": int, "kind": str, "url": str,
            "entry_id": str, "title": str, "text": str, "snippet": str, "author": str,
            "published_at": str, "found_at": str, "updated_at": str, "content_hash": str,
            "language": str, "rating": float, "best_rating": float,
            "negative": int, "score": float, "severity": str, "categories": str,
            "reasons": str, "human_negative": int, "digest_id": int, "scan_id": int,
        },
        pk="id", not_null={"key", "source_id"},
        foreign_keys=[("source_id", "sources", "id"), ("digest_id", "digests", "id")],
    )
    db["mentions"].create_index(["key"], unique=True)
    db["mentions"].create_index(["digest_id"])
    db["mentions"].create_index(["negative", "found_at"])
    db["robots_cache"].create(
        {"netloc": str, "fetched_at": str, "status": int, "body": bytes}, pk="netloc"
    )


@MIGRATIONS()
def m030_service(db: sqlite_utils.Database) -> None:
    # Keys of mentions deleted by retention, so that a scan does not store them again.
    db["pruned_mentions"].create({"key": str, "pruned_at": str}, pk="key")
    db["scans"].create_index(["status"])


# --- follow-ups and web inbox (issue 6) ---------------------------------------------------

FOLLOWUP_TRIGGERS = """
CREATE TRIGGER mentions_fts_ai AFTER INSERT ON mentions BEGIN
  INSERT INTO mentions_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER mentions_fts_ad AFTER DELETE ON mentions BEGIN
  INSERT INTO mentions_fts (mentions_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER mentions_fts_au AFTER UPDATE OF title, text ON mentions BEGIN
  INSERT INTO mentions_fts (mentions_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
  INSERT INTO mentions_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
"""
# A mention that is or becomes negative opens its follow-up in the same transaction, so no
# complaint is ever stored without one, whoever stores it and even if the scan dies.
OPEN_FOLLOWUP = """
  INSERT OR IGNORE INTO followups (mention_id, status, opened_at, updated_at)
    VALUES (new.id, 'new', coalesce(new.found_at, {now}), {now});
  INSERT INTO followup_events (followup_id, at, by, action, to_status)
    SELECT f.id, f.opened_at, 'monitor', 'open', 'new' FROM followups f
    WHERE f.mention_id = new.id
    AND NOT EXISTS (SELECT 1 FROM followup_events e WHERE e.followup_id = f.id);
""".format(now="strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')")
FOLLOWUP_TRIGGERS += f"""
CREATE TRIGGER followups_open_ai AFTER INSERT ON mentions
WHEN coalesce(new.human_negative, new.negative) = 1 BEGIN {OPEN_FOLLOWUP} END;
CREATE TRIGGER followups_open_au AFTER UPDATE OF negative, human_negative ON mentions
WHEN coalesce(new.human_negative, new.negative) = 1 BEGIN {OPEN_FOLLOWUP} END;
"""


@MIGRATIONS()
def m040_followups(db: sqlite_utils.Database) -> None:
    db["followups"].create(
        {
            "id": int, "mention_id": int, "status": str, "assignee": str, "opened_at": str,
            "first_contact_at": str, "resolved_at": str, "closed_at": str,
            "dismiss_reason": str, "updated_at": str,
        },
        pk="id", not_null={"mention_id", "status", "opened_at"},
        foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["followups"].create_index(["mention_id"], unique=True)
    db["followups"].create_index(["status", "opened_at"])
    db["followups"].create_index(["opened_at"])
    # The sources page counts each source's mentions (sources_health).
    db["mentions"].create_index(["source_id"])
    db["followups"].create_index(["assignee", "status"])
    db["followup_events"].create(
        {
            "id": int, "followup_id": int, "at": str, "by": str, "action": str,
            "from_status": str, "to_status": str, "note": str, "assignee": str, "reason": str,
        },
        pk="id", not_null={"followup_id", "at", "to_status"},
        foreign_keys=[("followup_id", "followups", "id")],
    )
    db["followup_events"].create_index(["followup_id"])
    db["staff_passwords"].create({"name": str, "password_hash": str, "set_at": str},
                                 pk="name")
    db["web_secrets"].create({"name": str, "value": str, "created_at": str}, pk="name")
    # The negative mentions, found fast by open_followups_for_new_negatives.
    db.execute("CREATE INDEX mentions_effective_negative ON mentions (id)"
               " WHERE coalesce(human_negative, negative) = 1")
    # Full-text search over title and text (accents ignored). The triggers are written here
    # rather than by enable_fts(create_triggers=True), whose update trigger re-indexes on
    # every update (labels, digest ids), not only when the title or text change.
    db["mentions"].enable_fts(["title", "text"], tokenize="unicode61 remove_diacritics 2")
    db.executescript(FOLLOWUP_TRIGGERS)


class Storage(FollowupRecords):
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

    # Sources -------------------------------------------------------------------------

    def sync_sources(self, sources: Iterable) -> dict[str, dict]:
        """Make the sources table hold every configured source; return rows by name."""
        table = self.db["sources"]
        with self.db.atomic():
            for source in sources:
                existing = self._source_row(source.name)
                values = {"name": source.name, "type": source.type, "url": source.url}
                if existing is None:
                    table.insert(values)
                elif (existing["type"], existing["url"]) != (source.type, source.url):
                    # A changed URL is a different resource: forget its cache validators.
                    table.update(existing["id"], {**values, "etag": None, "last_modified": None})
        return {row["name"]: row for row in table.rows}

    def _source_row(self, name: str) -> dict | None:
        rows = list(self.db["sources"].rows_where("name = ?", [name]))
        return rows[0] if rows else None

    def source(self, name: str) -> dict | None:
        """The stored row of the source called `name`, or None."""
        return self._source_row(name)

    def source_id(self, name: str) -> int:
        """The id of the source called `name` (ids never change, so they are cached)."""
        cache = self.__dict__.setdefault("_source_ids", {})
        if name not in cache:
            cache[name] = self._source_row(name)["id"]
        return cache[name]

    def record_source_success(self, name: str, etag: str | None, last_modified: str | None,
                              entry_count: int | None) -> None:
        """A scan read the source: clear its failures and keep its cache validators."""
        row = self._source_row(name)
        values = {"last_success_at": utcnow(), "consecutive_failures": 0, "last_error": None,
                  "etag": etag, "last_modified": last_modified}
        if entry_count is not None:
            values["last_entry_count"] = entry_count
        self.db["sources"].update(row["id"], values)

    def record_source_failure(self, name: str, error: str) -> None:
        """A scan could not read the source: keep the error and count the failure."""
        row = self._source_row(name)
        self.db["sources"].update(row["id"], {
            "last_error": error, "last_error_at": utcnow(),
            "consecutive_failures": (row["consecutive_failures"] or 0) + 1,
        })

    def sources_health(self) -> list[dict]:
        """Every source with its health and the number of mentions it gave."""
        return list(self.db.query(
            "select s.*, (select count(*) from mentions m where m.source_id = s.id) as mentions"
            " from sources s order by s.name"
        ))

    # Robots.txt cache ----------------------------------------------------------------

    def cached_robots(self, netloc: str) -> dict | None:
        rows = list(self.db["robots_cache"].rows_where("netloc = ?", [netloc]))
        return rows[0] if rows else None

    def cache_robots(self, netloc: str, status: int, body: bytes) -> None:
        self.db["robots_cache"].upsert(
            {"netloc": netloc, "fetched_at": utcnow(), "status": status, "body": body},
            pk="netloc",
        )

    # Scans ---------------------------------------------------------------------------

    def start_scan(self, pid: int) -> int:
        return self.db["scans"].insert(
            {"started_at": utcnow(), "status": "running", "pid": pid}
        ).last_pk

    def finish_scan(self, scan_id: int, *, status: str, sources_ok: int, sources_failed: int,
                    new_mentions: int, updated_mentions: int, errors: dict[str, str]) -> dict:
        """Close the scan row with its counts; return it."""
        self.db["scans"].update(scan_id, {
            "finished_at": utcnow(), "status": status, "sources_ok": sources_ok,
            "sources_failed": sources_failed, "new_mentions": new_mentions,
            "updated_mentions": updated_mentions,
            "errors": json.dumps(errors, ensure_ascii=False),
        })
        return self.db["scans"].get(scan_id)

    # Mentions ------------------------------------------------------------------------

    def save_mention(self, mention: dict, scan_id: int | None = None,
                     sighting: dict | None = None) -> str:
        """Insert a mention, or update it when its content changed.

        `mention` holds the columns of the mentions table, with `key` its stable identity
        and `content_hash` a hash of its text. Returns "new", "updated" or "unchanged".
        A stored human label (`human_negative`) is never overwritten. A mention deleted by
        retention (`prune_mentions`) is "unchanged": it is not stored, and not mailed, again.
        `sighting` (the arguments of `record_sighting`) is recorded with the mention.
        """
        now = utcnow()
        values = _encode(mention)
        values.pop("human_negative", None)
        existing = self.db.execute(
            "select id, content_hash from mentions where key = ?", [mention["key"]]
        ).fetchone()
        if existing is None and self._was_pruned(mention["key"]):
            return "unchanged"
        if existing is None:
            self._write("insert", {**values, "found_at": now, "updated_at": now,
                                   "scan_id": scan_id}, sighting=sighting)
            return "new"
        if existing[1] == mention.get("content_hash"):
            if sighting:
                self.record_sighting(mention["key"], **sighting)
            return "unchanged"
        values.pop("key")
        self._write("update", {**values, "updated_at": now, "scan_id": scan_id}, existing[0],
                    sighting=sighting)
        return "updated"

    def _write(self, action: str, values: dict, mention_id: int | None = None,
               sighting: dict | None = None) -> None:
        # Plain SQL: a scan writes thousands of rows, and sqlite-utils' insert()
        # introspects the table on every call.
        columns = list(values)
        if action == "insert":
            sql = (f"insert into mentions ({', '.join(columns)}) "
                   f"values ({', '.join('?' for _ in columns)})")
            params = [values[c] for c in columns]
        else:
            sql = f"update mentions set {', '.join(f'{c} = ?' for c in columns)} where id = ?"
            params = [values[c] for c in columns] + [mention_id]
        with self.db.atomic():
            self.db.execute(sql, params)
            if sighting:
                self._insert_sighting(values.get("key") or self._key_of(mention_id), **sighting)

    def _key_of(self, mention_id: int) -> str:
        return self.db.execute("select key from mentions where id = ?", [mention_id]).fetchone()[0]

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` that identify a stored mention (a reviews spider stops paging
        at a page of reviews it already has)."""
        keys = list(keys)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(row[0] for row in self.db.execute(
                f"select key from mentions where key in ({marks})", chunk))
        return found

    def mentions(self, *, negative: bool | None = None, since: str | None = None,
                 undigested: bool = False) -> list[dict]:
        """Stored mentions, newest first, with their source's name and type."""
        where, params = [], []
        if negative is not None:
            where.append("coalesce(m.human_negative, m.negative) = ?")
            params.append(int(negative))
        if since:
            where.append("coalesce(m.published_at, m.found_at) >= ?")
            params.append(since)
        if undigested:
            where.append("m.digest_id is null")
        sql = ("select m.*, s.name as source, s.type as source_type from mentions m"
               " join sources s on s.id = m.source_id")
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by coalesce(m.published_at, m.found_at) desc, m.id desc"
        return [_decode(row) for row in self.db.query(sql, params)]

    def mention(self, mention_id: int) -> dict | None:
        rows = list(self.db.query(
            "select m.*, s.name as source, s.type as source_type from mentions m"
            " join sources s on s.id = m.source_id where m.id = ?", [mention_id]))
        return _decode(rows[0]) if rows else None

    def mark_mention(self, mention_id: int, negative: bool) -> None:
        """Store a person's label for a mention; re-classification never overrides it."""
        self.db["mentions"].update(mention_id, {"human_negative": int(negative)})

    def labelled_mentions(self) -> Iterator[dict]:
        """Mentions a person has labelled."""
        for row in self.db.query("select * from mentions where human_negative is not null"):
            yield _decode(row)

    # Digests -------------------------------------------------------------------------

    def record_digest(self, mention_ids: list[int], *, status: str, recipients: list[str],
                      negative_count: int, error: str | None = None) -> int:
        """Record a digest; when it was sent, mark its mentions as digested with it."""
        with self.db.atomic():
            digest_id = self.db["digests"].insert({
                "created_at": utcnow(), "status": status,
                "sent_at": utcnow() if status == "sent" else None,
                "recipients": json.dumps(recipients), "mention_count": len(mention_ids),
                "negative_count": negative_count, "error": error,
            }).last_pk
            if status == "sent":
                self.db.conn.executemany(
                    "update mentions set digest_id = ? where id = ? and digest_id is null",
                    [(digest_id, mention_id) for mention_id in mention_ids],
                )
        return digest_id

    # Delivery of digests and alerts (issue 5; schema in m020_delivery) ---------------

    def begin_digest(self, mention_ids: list[int], *, recipients: list[str], subject: str,
                     negative_count: int, resend_of: int | None = None) -> int:
        """Record a digest about to be sent ('sending'); return its id."""
        return self.db["digests"].insert({
            "created_at": utcnow(), "status": "sending", "recipients": json.dumps(recipients),
            "mention_count": len(mention_ids), "negative_count": negative_count,
            "mention_ids": json.dumps(mention_ids), "subject": subject,
            "resend_of": resend_of,
        }).last_pk

    def digest_sent(self, digest_id: int, message_id: str) -> None:
        """The server accepted digest `digest_id`: mark it and its mentions, atomically."""
        with self.db.atomic():
            row = self.db["digests"].get(digest_id)
            self.db["digests"].update(digest_id, {"status": "sent", "sent_at": utcnow(),
                                                  "message_id": message_id, "error": None})
            self.db.conn.executemany(
                "update mentions set digest_id = ? where id = ? and digest_id is null",
                [(digest_id, mention_id) for mention_id in json.loads(row["mention_ids"])],
            )

    def digest_failed(self, digest_id: int, error: str) -> None:
        """Sending digest `digest_id` failed: its mentions stay undigested."""
        self.db["digests"].update(digest_id, {"status": "failed", "error": error})

    def close_interrupted_digests(self) -> list[dict]:
        """Turn every 'sending' digest into 'interrupted' and return them.

        Only call this while holding the delivery lock: then no other process is sending.
        """
        with self.db.atomic():
            rows = self._delivery_rows("digests", "status = 'sending'")
            for row in rows:
                self.db["digests"].update(row["id"], {
                    "status": "interrupted",
                    "error": "the process ended before the outcome of sending was recorded"})
        return rows

    def maybe_delivered_mention_ids(self) -> set[int]:
        """Undigested mentions of a digest whose sending was interrupted: the staff may
        have received them already."""
        ids: set[int] = set()
        for row in self._delivery_rows("digests", "status in ('sending', 'interrupted')"):
            ids.update(row["mention_ids"])
        if not ids:
            return ids
        marks = ",".join("?" * len(ids))
        return {row["id"] for row in self.db.query(
            f"select id from mentions where id in ({marks}) and digest_id is null", list(ids))}

    def last_sent_digest(self) -> dict | None:
        """The newest digest the server accepted, with its mention ids, or None."""
        rows = self._delivery_rows("digests", "status = 'sent' order by id desc limit 1")
        return rows[0] if rows else None

    def _delivery_rows(self, table: str, where: str) -> list[dict]:
        rows = list(self.db[table].rows_where(where))
        for row in rows:
            for column in ("mention_ids", "recipients"):
                if column in row:
                    row[column] = json.loads(row[column]) if row[column] else []
        return rows

    def mentions_by_ids(self, mention_ids: Iterable[int]) -> list[dict]:
        """The mentions with these ids (missing ones are skipped), newest first."""
        ids = list(mention_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return [_decode(row) for row in self.db.query(
            "select m.*, s.name as source, s.type as source_type from mentions m"
            f" join sources s on s.id = m.source_id where m.id in ({marks})"
            " order by coalesce(m.published_at, m.found_at) desc, m.id desc", ids)]

    def open_complaints(self, before_digest_id: int | None = None) -> list[dict]:
        """Complaints already in a sent digest (before `before_digest_id` when given) whose
        follow-up is still open (new, assigned or contacted), oldest first, with the
        follow-up's id, status and assignee."""
        sql = ("select m.*, s.name as source, s.type as source_type, f.id as followup_id,"
               " f.status as followup_status, f.assignee as followup_assignee"
               " from mentions m join sources s on s.id = m.source_id"
               " join followups f on f.mention_id = m.id"
               " where f.status in ('new', 'assigned', 'contacted')"
               " and m.digest_id is not null")
        params: list = []
        if before_digest_id is not None:
            sql += " and m.digest_id < ?"
            params.append(before_digest_id)
        sql += " order by f.opened_at, m.id"
        return [_decode(row) for row in self.db.query(sql, params)]

    def complaint_times(self, since: str) -> list[str]:
        """When each complaint published (or found) on or after `since` appeared."""
        return [row[0] for row in self.db.execute(
            "select coalesce(published_at, found_at) as t from mentions"
            " where coalesce(human_negative, negative) = 1 and t >= ?", [since]).fetchall()]

    # Alerts ------------------------------------------------------------------------------

    def mentions_to_alert(self, min_severity: str) -> list[dict]:
        """Complaints at or above `min_severity` never alerted and not yet in a digest."""
        severities = [s for s, rank in SEVERITY_RANK.items()
                      if rank >= SEVERITY_RANK[min_severity]]
        marks = ",".join("?" * len(severities))
        return [_decode(row) for row in self.db.query(
            "select m.*, s.name as source, s.type as source_type from mentions m"
            " join sources s on s.id = m.source_id"
            " where coalesce(m.human_negative, m.negative) = 1 and m.alerted_at is null"
            f" and m.digest_id is null and m.severity in ({marks}) order by m.id",
            severities)]

    def begin_alert(self, mention_id: int, *, recipients: list[str], subject: str) -> int:
        """Record an alert about to be sent ('sending'); return its id."""
        return self.db["alerts"].insert({
            "mention_id": mention_id, "created_at": utcnow(), "status": "sending",
            "recipients": json.dumps(recipients), "subject": subject,
        }).last_pk

    def alert_sent(self, alert_id: int, message_id: str) -> None:
        """The server accepted alert `alert_id`: mark it and its mention, atomically."""
        now = utcnow()
        with self.db.atomic():
            row = self.db["alerts"].get(alert_id)
            self.db["alerts"].update(alert_id, {"status": "sent", "sent_at": now,
                                                "message_id": message_id})
            self.db["mentions"].update(row["mention_id"], {"alerted_at": now})

    def alert_failed(self, alert_id: int, error: str) -> None:
        """Sending alert `alert_id` failed: its mention stays unalerted."""
        self.db["alerts"].update(alert_id, {"status": "failed", "error": error})

    def close_interrupted_alerts(self) -> list[dict]:
        """Turn every 'sending' alert into 'interrupted' and return them.

        Only call this while holding the delivery lock: then no other process is sending.
        """
        with self.db.atomic():
            rows = list(self.db["alerts"].rows_where("status = 'sending'"))
            for row in rows:
                self.db["alerts"].update(row["id"], {
                    "status": "interrupted",
                    "error": "the process ended before the outcome of sending was recorded"})
        return rows

    def maybe_alerted_mention_ids(self) -> set[int]:
        """Unalerted mentions whose alert was interrupted: it may have arrived."""
        return {row[0] for row in self.db.execute(
            "select a.mention_id from alerts a join mentions m on m.id = a.mention_id"
            " where a.status in ('sending', 'interrupted') and m.alerted_at is null")}
    # Service: stale scans, status, retention, export ----------------------------------

    def interrupt_stale_scans(self, alive: Callable[[int], bool]) -> list[int]:
        """Mark failed ("interrupted") every running scan whose process is not `alive`."""
        stale = [row["id"] for row in self.db["scans"].rows_where("status = 'running'")
                 if not alive(row["pid"])]
        for scan_id in stale:
            self.fail_scan(scan_id, "interrupted (its process ended before the scan did)")
        return stale

    def fail_scan(self, scan_id: int, error: str) -> None:
        """Record scan `scan_id` as failed, adding `error` (under "scan") to its errors."""
        row = self.db["scans"].get(scan_id)
        errors = {**json.loads(row["errors"] or "{}"), "scan": error}
        self.db["scans"].update(scan_id, {
            "status": "failed", "finished_at": row["finished_at"] or utcnow(),
            "errors": json.dumps(errors, ensure_ascii=False)})

    def scan_of_process(self, pid: int, started_since: str) -> dict | None:
        """The scan process `pid` started at or after `started_since` (UTC ISO), if any."""
        rows = list(self.db["scans"].rows_where("pid = ? and started_at >= ?",
                                                [pid, started_since], order_by="id desc",
                                                limit=1))
        return rows[0] if rows else None

    def last_scan(self) -> dict | None:
        """The most recently started scan, with `errors` decoded."""
        rows = list(self.db["scans"].rows_where(order_by="id desc", limit=1))
        if not rows:
            return None
        return {**rows[0], "errors": json.loads(rows[0]["errors"] or "{}")}

    def last_digest(self) -> dict | None:
        """The most recent digest (sent or not), with `recipients` decoded."""
        rows = list(self.db["digests"].rows_where(order_by="id desc", limit=1))
        if not rows:
            return None
        return {**rows[0], "recipients": json.loads(rows[0]["recipients"] or "[]")}

    def last_sent_digest_at(self) -> str | None:
        """When the last digest the mail server accepted was sent (UTC ISO), or None."""
        row = self.db.execute("select max(sent_at) from digests where status = 'sent'"
                              ).fetchone()
        return row[0]

    def open_complaint_count(self) -> int:
        """Complaints still to follow up: follow-ups new, assigned or contacted."""
        return self.db.execute(
            "select count(*) from followups where status in ('new', 'assigned', 'contacted')"
        ).fetchone()[0]

    def database_bytes(self) -> int:
        """The size of the database on disk, its write-ahead log included."""
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())

    def prune_mentions(self, found_before: str) -> int:
        """Delete the mentions found before `found_before` (UTC ISO) that are not negative
        by the detector nor by a person's label; remember their keys so that no scan stores
        them again. Returns how many were deleted."""
        # A mention with a follow-up (even one dismissed as "not a complaint") keeps its
        # history, and the follow-up's foreign key would refuse the delete anyway.
        keep = ("coalesce(negative, 0) = 0 and coalesce(human_negative, 0) = 0"
                " and not exists (select 1 from followups f where f.mention_id = mentions.id)")
        with self.db.atomic():
            self.db.execute(
                "insert or ignore into pruned_mentions (key, pruned_at)"
                f" select key, ? from mentions where found_at < ? and {keep}",
                [utcnow(), found_before])
            cursor = self.db.execute(
                f"delete from mentions where found_at < ? and {keep}", [found_before])
        return cursor.rowcount

    def _was_pruned(self, key: str) -> bool:
        return self.db.execute("select 1 from pruned_mentions where key = ?",
                               [key]).fetchone() is not None

    # Discovery: sightings of mentions, sites found by search (issue 8; m050_discovery) -

    def record_sighting(self, mention_key: str, source: str, *, entry_key: str, page: str,
                        host: str, via_url: str | None) -> None:
        """Record that `source` saw mention `mention_key` (once per mention and source;
        `entry_key` is the identity the source's own entry had, `via_url` the link it
        gave, a search engine's redirect say)."""
        if self.db.execute("select 1 from sightings where mention_key = ? and source_id = ?",
                           [mention_key, self.source_id(source)]).fetchone():
            return  # a read costs less than a write transaction, on every rescan
        with self.db.atomic():
            self._insert_sighting(mention_key, source, entry_key=entry_key, page=page,
                                  host=host, via_url=via_url)

    def _insert_sighting(self, mention_key: str, source: str, *, entry_key: str, page: str,
                         host: str, via_url: str | None) -> None:
        self.db.execute(
            "insert or ignore into sightings (mention_key, source_id, entry_key, page,"
            " host, via_url, seen_at) values (?, ?, ?, ?, ?, ?, ?)",
            [mention_key, self.source_id(source), entry_key, page, host, via_url, utcnow()])
        types = self.__dict__.setdefault("_source_types", {})
        if source not in types:
            types[source] = (self._source_row(source) or {}).get("type")
        if types[source] == "search":
            self.__dict__["_search_seen"] = True

    def sightings(self, mention_id: int) -> list[dict]:
        """Who saw mention `mention_id`: source, its type, seen_at and via_url, oldest first."""
        return list(self.db.query(
            "select s.name as source, s.type as source_type, g.seen_at, g.via_url"
            " from sightings g join sources s on s.id = g.source_id"
            " join mentions m on m.key = g.mention_key where m.id = ?"
            " order by g.seen_at, g.rowid", [mention_id]))

    def mention_exists(self, key: str) -> bool:
        return self.db.execute("select 1 from mentions where key = ?",
                               [key]).fetchone() is not None

    def sighted_mention_key(self, entry_key: str) -> str | None:
        """The stored mention an entry with identity `entry_key` was merged into, if any."""
        row = self.db.execute(
            "select g.mention_key from sightings g join mentions m on m.key = g.mention_key"
            " where g.entry_key = ? limit 1", [entry_key]).fetchone()
        return row[0] if row else None

    def page_mention(self, url: str, *, found_by_search: bool = False) -> dict | None:
        """The stored mention of the page at canonical `url` (a post or entry, not a comment
        or review): its key and page_note; with `found_by_search`, only one a search source
        saw."""
        sql = ("select m.key, m.page_note from mentions m where m.url = ?"
               " and m.kind in ('entry', 'post', 'search')")
        if found_by_search:
            sql += (" and exists (select 1 from sightings g join sources s"
                    " on s.id = g.source_id where g.mention_key = m.key and s.type = 'search')")
        rows = list(self.db.query(sql + " order by m.id limit 1", [url]))
        return rows[0] if rows else None

    def search_sightings_exist(self) -> bool:
        """Whether a search source has seen any mention (cheap; asked once per entry)."""
        if "_search_seen" not in self.__dict__:
            self.__dict__["_search_seen"] = self.db.execute(
                "select 1 from sightings g join sources s on s.id = g.source_id"
                " where s.type = 'search' limit 1").fetchone() is not None
        return self.__dict__["_search_seen"]

    def hosts_found_by_search(self, min_pages: int) -> list[dict]:
        """Sites on which search sources found at least `min_pages` pages naming the brand:
        host, pages, an example page and when it was first seen; most pages first."""
        return list(self.db.query(
            "select g.host, count(distinct g.page) as pages, min(g.page) as example,"
            " min(g.seen_at) as first_seen_at from sightings g"
            " join sources s on s.id = g.source_id"
            " where s.type = 'search' and coalesce(g.host, '') != ''"
            " group by g.host having pages >= ? order by pages desc, g.host", [min_pages]))

    def each_mention(self) -> Iterator[dict]:
        """Every stored mention with its source's name, oldest first, one at a time."""
        sql = ("select m.*, s.name as source, s.type as source_type from mentions m"
               " join sources s on s.id = m.source_id order by m.id")
        for row in self.db.query(sql):
            yield _decode(row)


def _encode(mention: dict) -> dict:
    values = dict(mention)
    for column in JSON_COLUMNS:
        if column in values and not isinstance(values[column], str):
            values[column] = json.dumps(list(values[column]), ensure_ascii=False)
    if "negative" in values and values["negative"] is not None:
        values["negative"] = int(values["negative"])
    return values


def _decode(row: dict) -> dict:
    for column in JSON_COLUMNS:
        if column in row:
            row[column] = json.loads(row[column]) if row[column] else []
    for column in ("negative", "human_negative"):
        if column in row and row[column] is not None:
            row[column] = bool(row[column])
    return row


# --- Delivery of digests and alerts (issue 5) -------------------------------------------
# A digest or alert row is written as 'sending', with the ids of its mentions, BEFORE the
# SMTP conversation; it becomes 'sent' and its mentions are marked in ONE transaction after
# the server accepted the message, or 'failed' with the server's reply. A 'sending' row
# found later means the process died in between: see monitor/delivery.py for what follows.

SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


@MIGRATIONS()
def m020_delivery(db: sqlite_utils.Database) -> None:
    db["digests"].add_column("mention_ids", str)
    db["digests"].add_column("subject", str)
    db["digests"].add_column("message_id", str)
    db["digests"].add_column("resend_of", int)
    db["mentions"].add_column("alerted_at", str)
    db["alerts"].create(
        {
            "id": int, "mention_id": int, "created_at": str, "sent_at": str, "status": str,
            "recipients": str, "subject": str, "message_id": str, "error": str,
        },
        pk="id", foreign_keys=[("mention_id", "mentions", "id")],
    )
    db["alerts"].create_index(["status"])
    db["digests"].create_index(["status"])


# --- Discovery (issue 8) ----------------------------------------------------------------
# A sighting is one source seeing one mention (a search engine's result, the blog's own
# feed): the same post found three ways is one mention with three sightings.


@MIGRATIONS()
def m050_discovery(db: sqlite_utils.Database) -> None:
    db["sightings"].create(
        {"mention_key": str, "source_id": int, "entry_key": str, "page": str, "host": str,
         "via_url": str, "seen_at": str},
        pk=("mention_key", "source_id"), foreign_keys=[("source_id", "sources", "id")],
    )
    db["sightings"].create_index(["entry_key"])
    db["sightings"].create_index(["host"])
    # Why a mention's text is the search result's snippet and not the page's own text.
    db["mentions"].add_column("page_note", str)
    db["mentions"].create_index(["url"])
