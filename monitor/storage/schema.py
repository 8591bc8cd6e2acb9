"""The database schema, as versioned migrations applied in order, and the codecs of
the JSON columns. Every table monitor uses is created or changed here."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("monitor")
BUSY_TIMEOUT_MS = 30_000
JSON_COLUMNS = ("categories", "reasons")
# The values of followups.status; monitor.followup says how one leads to another.
FOLLOWUP_STATUSES = ("new", "assigned", "contacted", "resolved", "dismissed")
OPEN_FOLLOWUP_STATUSES = ("new", "assigned", "contacted")


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


# --- Delivery of digests and alerts (issue 5) -------------------------------------------
# A digest or alert row is written as 'sending', with the ids of its mentions, BEFORE the
# SMTP conversation; it becomes 'sent' and its mentions are marked in ONE transaction after
# the server accepted the message, or 'failed' with the server's reply. A 'sending' row
# found later means the process died in between: see monitor/notify/delivery.py for what follows.

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


# --- Whole posts and rescans by what changed (issue 15) ----------------------------------
# What each source last read of each page it fetches besides its feed (a blog's pages, the
# page a feed entry or search result links to): the page's cache validators and a hash of
# its body, so that a rescan asks for it conditionally and skips it when it is unchanged;
# the requests it led to (JSON), made again when it is unchanged; or why it could not be
# read, with the entry waiting for its whole text (JSON), tried again on the next scans.
# A mention already sent in a digest as not negative that becomes negative (its whole
# text came, or it was edited) goes into the next digest: its digest_id is cleared.
REDIGEST_TRIGGER = """
CREATE TRIGGER mentions_redigest_au AFTER UPDATE OF negative ON mentions
WHEN new.digest_id IS NOT NULL AND coalesce(old.human_negative, old.negative, 0) = 0
AND coalesce(new.human_negative, new.negative) = 1 BEGIN
  UPDATE mentions SET digest_id = NULL WHERE id = new.id;
END;
"""


@MIGRATIONS()
def m070_pages(db: sqlite_utils.Database) -> None:
    db["pages"].create(
        {"source_id": int, "url": str, "etag": str, "last_modified": str, "body_hash": str,
         "links": str, "read_at": str, "error": str, "failures": int, "waiting": str},
        pk=("source_id", "url"), foreign_keys=[("source_id", "sources", "id")],
        defaults={"failures": 0},
    )
    db.executescript(REDIGEST_TRIGGER)


# --- The inbox in each person's language, most severe first (issue 16) -------------------
# Each follow-up carries its mention's severity as a rank (4 critical ... 1 low, 0 none),
# kept by triggers whoever inserts the follow-up or re-classifies the mention, so that the
# inbox walks one index in the order a person should answer: most severe first, then the
# ones nobody answered yet, then the oldest.


def severity_rank_sql(column: str) -> str:
    """SQL for the rank of the severity in `column` (SEVERITY_RANK; 0 when none)."""
    cases = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in SEVERITY_RANK.items())
    return f"CASE {column} {cases} ELSE 0 END"


MENTION_SEVERITY_RANK = (f"coalesce((SELECT {severity_rank_sql('m.severity')} FROM mentions m"
                         " WHERE m.id = {mention_id}), 0)")
FOLLOWUP_SEVERITY_TRIGGERS = f"""
CREATE TRIGGER followups_severity_ai AFTER INSERT ON followups BEGIN
  UPDATE followups SET severity_rank = {MENTION_SEVERITY_RANK.format(mention_id="new.mention_id")}
    WHERE id = new.id;
END;
CREATE TRIGGER followups_severity_au AFTER UPDATE OF severity ON mentions BEGIN
  UPDATE followups SET severity_rank = {severity_rank_sql("new.severity")}
    WHERE mention_id = new.id;
END;
"""


@MIGRATIONS()
def m080_inbox_language_and_order(db: sqlite_utils.Database) -> None:
    # The inbox language each staff member chose, kept with their account.
    db["staff_passwords"].add_column("language", str)
    db["followups"].add_column("severity_rank", int, not_null_default=0)
    db.execute("UPDATE followups SET severity_rank = "
               + MENTION_SEVERITY_RANK.format(mention_id="followups.mention_id"))
    db.executescript(FOLLOWUP_SEVERITY_TRIGGERS)
    db.execute("CREATE INDEX followups_by_need ON followups"
               " (severity_rank DESC, status = 'contacted', opened_at, id)")
    db["followups"].create_index(["status", "severity_rank"])


# --- Alerts on several channels, retries with backoff (issue 16) -------------------------
# An alert row is one mention on one channel: 'email', or 'notify:<hash of the Apprise URL>'.
# A mention's alerted_at is set once every channel has a 'sent' row for it. `retries`
# holds what `monitor run` plans after a refused digest or alert: when it tries again.


@MIGRATIONS()
def m090_alert_channels_and_retries(db: sqlite_utils.Database) -> None:
    db["alerts"].add_column("channel", str)
    db.execute("update alerts set channel = 'email' where channel is null")
    db["alerts"].create_index(["mention_id", "channel"])
    db["retries"].create({"kind": str, "at": str, "attempt": int, "error": str,
                          "planned_at": str}, pk="kind")


# --- Detector v2 (issue 14) --------------------------------------------------------------
# An embedding is stored once per text content (its key hashes the encoder and the text it
# encoded), so a re-classification, a retrain or an unchanged rescan never encodes again.
# Each mention records which model decided it; a shop's own labels refit a head of its own.


@MIGRATIONS()
def m100_detector(db: sqlite_utils.Database) -> None:
    db["embeddings"].create({"key": str, "encoder": str, "vector": bytes, "created_at": str},
                            pk="key")
    db["mentions"].add_column("model", str)
    db["mentions"].add_column("embedding_key", str)
    db["mentions"].create_index(["embedding_key"])  # retention drops unused embeddings
    db["scans"].add_column("encoded", int)  # texts the scan had to encode
    db["detector_heads"].create(
        {"id": int, "created_at": str, "labels": int, "shipped_f1": float,
         "adapted_f1": float, "adopted": int, "model": str, "weights": str, "note": str},
        pk="id")


# --- Blog comments that stop matching fail their source ----------------------------------
# How many comments each blog page gave when last read (null: not a page read for them).
# A scan in which 2 or more re-read pages that gave some give none, and none still gives
# some, fails the source: its comment markup or comment selector changed. The pages of
# blog sources lose their validators and body hash, so each is read once in full and its
# count recorded (one full read of each blog page, once); else a page never re-read has
# no count, and a new theme would go unnoticed.
@MIGRATIONS()
def m110_page_comments(db: sqlite_utils.Database) -> None:
    db["pages"].add_column("comments", int)
    db.execute("update pages set etag = null, last_modified = null, body_hash = null"
               " where source_id in (select id from sources where type = 'blog')")
