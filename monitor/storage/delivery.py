"""Digests and urgent alerts: what was sent, when, and which mentions it held.

Part of `monitor.storage.Storage`."""

from __future__ import annotations

import json
from collections.abc import Iterable

from monitor.storage.schema import SEVERITY_RANK, _decode, utcnow


class DeliveryRecords:
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

    def begin_alert(self, mention_id: int, *, channel: str, recipients: list[str],
                    subject: str) -> int:
        """Record an alert about to be sent on `channel` ('sending'); return its id."""
        return self.db["alerts"].insert({
            "mention_id": mention_id, "channel": channel, "created_at": utcnow(),
            "status": "sending", "recipients": json.dumps(recipients), "subject": subject,
        }).last_pk

    def alert_sent(self, alert_id: int, message_id: str) -> None:
        """The channel accepted alert `alert_id`: never send it there again."""
        self.db["alerts"].update(alert_id, {"status": "sent", "sent_at": utcnow(),
                                            "message_id": message_id, "error": None})

    def alert_failed(self, alert_id: int, error: str) -> None:
        """Sending alert `alert_id` failed: its mention stays due on that channel."""
        self.db["alerts"].update(alert_id, {"status": "failed", "error": error})

    def alerted_channels(self, mention_id: int) -> set[str]:
        """The channels that accepted the alert of `mention_id`."""
        return {row[0] for row in self.db.execute(
            "select channel from alerts where mention_id = ? and status = 'sent'",
            [mention_id])}

    def mark_alerted(self, mention_id: int) -> None:
        """Every channel accepted the alert of `mention_id`: it is no longer due."""
        self.db["mentions"].update(mention_id, {"alerted_at": utcnow()})

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

    def maybe_alerted(self) -> set[tuple[int, str]]:
        """(mention id, channel) of alerts interrupted while sending and not sent since:
        they may have arrived."""
        return {(row[0], row[1]) for row in self.db.execute(
            "select a.mention_id, a.channel from alerts a"
            " join mentions m on m.id = a.mention_id"
            " where a.status in ('sending', 'interrupted') and m.alerted_at is null"
            " and not exists (select 1 from alerts b where b.mention_id = a.mention_id"
            " and b.channel = a.channel and b.status = 'sent')")}
