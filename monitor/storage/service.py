"""The service's and operator's records: stale scans, status, retention and export.

Part of `monitor.storage.Storage`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from monitor.storage.schema import _decode, utcnow


class ServiceRecords:
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

    # Retries planned by `monitor run` after a refused digest or alert (m090) ----------

    def plan_retry(self, kind: str, at: str, attempt: int, error: str) -> None:
        """Record that `kind` ("digest" or "alerts") is tried again at `at` (UTC ISO), its
        `attempt`-th try since it was due, after `error`."""
        self.db["retries"].upsert({"kind": kind, "at": at, "attempt": attempt,
                                   "error": error, "planned_at": utcnow()}, pk="kind")

    def clear_retry(self, kind: str) -> None:
        """No retry of `kind` is planned any more."""
        self.db.execute("delete from retries where kind = ?", [kind])

    def planned_retries(self) -> dict[str, dict]:
        """The planned retries by kind: {"digest": {"at", "attempt", "error", ...}}."""
        return {row["kind"]: row for row in self.db["retries"].rows}

    def last_alert_error(self) -> str | None:
        """The error of the most recent alert that failed, if any."""
        row = self.db.execute("select error from alerts where status = 'failed'"
                              " order by id desc limit 1").fetchone()
        return row[0] if row else None

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
        by the detector nor by a person's label, and the embeddings no mention uses any
        more; remember their keys so that no scan stores them again. Returns how many
        mentions were deleted."""
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
            # Their embeddings too, unless another mention has the same text.
            self.db.execute("delete from embeddings where not exists (select 1 from mentions m"
                            " where m.embedding_key = embeddings.key)")
        return cursor.rowcount

    # Discovery: sightings of mentions, sites found by search (issue 8; m050_discovery) -

    def each_mention(self) -> Iterator[dict]:
        """Every stored mention with its source's name, oldest first, one at a time."""
        sql = ("select m.*, s.name as source, s.type as source_type from mentions m"
               " join sources s on s.id = m.source_id order by m.id")
        for row in self.db.query(sql):
            yield _decode(row)

