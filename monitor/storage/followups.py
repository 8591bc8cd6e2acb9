"""Storage of follow-ups, their history, staff passwords and the web inbox's secrets.

Part of `monitor.storage.Storage`; the schema is migration m040_followups in schema.py.
The rules of the follow-up state machine live in monitor.followup (which comes later on
the path and calls this module); this module only applies the changes it plans, one
event row per change, in one transaction.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from monitor.i18n import gettext as _
from monitor.storage.schema import FOLLOWUP_STATUSES as STATUSES
from monitor.storage.schema import OPEN_FOLLOWUP_STATUSES as OPEN_STATUSES
from monitor.storage.schema import SEVERITY_RANK

OPENED_BY = "monitor"
FOLLOWUP_COLUMNS = ("f.id, f.mention_id, f.status, f.assignee, f.opened_at, f.first_contact_at,"
                    " f.resolved_at, f.closed_at, f.dismiss_reason, f.updated_at")
MENTION_COLUMNS = ("m.title, m.snippet, m.text, m.url, m.author, m.severity, m.categories,"
                   " m.reasons, m.rating, m.best_rating, m.language, m.published_at,"
                   " m.found_at, m.digest_id, s.name as source, s.type as source_type")
# The orders of a listing. "need": most severe first, then those nobody answered yet (not
# contacted), then the oldest: the index followups_by_need (migration m080) in its order.
ORDERS = {
    "need": "f.severity_rank desc, f.status = 'contacted', f.opened_at, f.id",
    "oldest": "f.opened_at asc, f.id asc",
    "newest": "f.opened_at desc, f.id desc",
}
# CROSS JOIN fixes the join order (SQLite's rule): from the follow-ups out, so that
# listings walk the follow-ups' indexes and stop at the page's end.
FOLLOWUP_JOIN = (" from followups f cross join mentions m on m.id = f.mention_id"
                 " cross join sources s on s.id = m.source_id")


class FollowupNotFound(LookupError):
    """No follow-up has that id."""


class FollowupChanged(RuntimeError):
    """The follow-up changed between reading it and applying a change planned on it."""


def _iso(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def fts_query(text: str) -> str | None:
    """Words typed by a person as an FTS5 query matching all of them; None if no word.

    Each word is quoted, so that FTS5 operators and stray quotes are taken literally.
    """
    words = re.findall(r"\w+", text)
    return " ".join(f'"{word}"' for word in words) or None


def _decode_followup(row: dict) -> dict:
    for column in ("categories", "reasons"):
        if column in row:
            row[column] = json.loads(row[column]) if row[column] else []
    return row


class FollowupRecords:
    """Follow-up methods of Storage (which provides `self.db`)."""

    def open_followups_for_new_negatives(self, now: datetime | None = None) -> int:
        """Open a follow-up for every negative mention without one; return how many.

        Idempotent. A follow-up counts as opened when its mention was found. Mentions are
        negative by their effective label: a person's label if any, else the detector's.
        """
        at = _iso(now)
        with self.db.atomic():
            cursor = self.db.execute(
                "insert into followups (mention_id, status, opened_at, updated_at)"
                " select m.id, 'new', coalesce(m.found_at, :at), :at from mentions m"
                " where coalesce(m.human_negative, m.negative) = 1"
                " and not exists (select 1 from followups f where f.mention_id = m.id)",
                {"at": at})
            opened = cursor.rowcount
            if opened:
                self.db.execute(
                    "insert into followup_events (followup_id, at, by, action, to_status)"
                    " select f.id, f.opened_at, :by, 'open', 'new' from followups f"
                    " where not exists (select 1 from followup_events e"
                    " where e.followup_id = f.id)", {"by": OPENED_BY})
        return opened

    def followup(self, followup_id: int) -> dict | None:
        """A follow-up with its mention's fields and source, or None."""
        rows = list(self.db.query(f"select {FOLLOWUP_COLUMNS}, {MENTION_COLUMNS}"
                                  f"{FOLLOWUP_JOIN} where f.id = ?", [followup_id]))
        return _decode_followup(rows[0]) if rows else None

    def followup_ids_by_mention(self, mention_ids: list[int]) -> dict[int, int]:
        """The follow-up id of each of these mentions that has one (for links such as
        {base_url}/followups/ID in the digest)."""
        found = {}
        for start in range(0, len(mention_ids), 500):
            chunk = list(mention_ids[start:start + 500])
            found.update(self.db.execute(
                "select mention_id, id from followups where mention_id in"
                f" ({', '.join('?' * len(chunk))})", chunk).fetchall())
        return found

    def followup_events(self, followup_id: int) -> list[dict]:
        """The history of a follow-up, oldest first."""
        return list(self.db.query("select * from followup_events where followup_id = ?"
                                  " order by id", [followup_id]))

    def followup_state(self, followup_id: int) -> dict:
        """id, mention_id, status, assignee and dismiss_reason of a follow-up;
        FollowupNotFound if none."""
        rows = list(self.db.query("select id, mention_id, status, assignee, dismiss_reason"
                                  " from followups where id = ?", [followup_id]))
        if not rows:
            raise FollowupNotFound(_("no follow-up with id %(id)s") % {"id": followup_id})
        return rows[0]

    def apply_followup_change(self, current: dict, updates: dict, event: dict, *,
                              label_negative: bool | None = None) -> None:
        """Update the follow-up `current` (as `followup_state` read it) with `updates` and
        record `event`, in one transaction; with `label_negative`, also store that human
        label on its mention. FollowupChanged if it changed since it was read."""
        assignments = ", ".join(f"{column} = ?" for column in updates)
        with self.db.atomic():
            cursor = self.db.execute(
                f"update followups set {assignments} where id = ? and status = ?"
                " and coalesce(assignee, '') = ?",
                [*updates.values(), current["id"], current["status"],
                 current["assignee"] or ""])
            if cursor.rowcount != 1:
                raise FollowupChanged(_("follow-up %(id)s was changed by someone else "
                                        "meanwhile: reload it and try again")
                                      % {"id": current["id"]})
            self.db["followup_events"].insert({**event, "followup_id": current["id"]})
            if label_negative is not None:
                self.mark_mention(current["mention_id"], label_negative)

    def list_followups(self, *, status: str = "open", assignee: str | None = None,
                       severity: str | None = None, category: str | None = None,
                       source: str | None = None, search: str | None = None,
                       order: str = "newest", limit: int | None = 50,
                       offset: int = 0) -> list[dict]:
        """Follow-ups with their mentions, filtered, in `order` (see ORDERS); `status` may
        be "open" (new, assigned or contacted), "all", or one status. `search` is text typed
        by a person, matched against the mentions' title and text (every word must appear);
        its results come newest first ("oldest": oldest first), whatever the order."""
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r} (known: {', '.join(ORDERS)})")
        where, params = _status_condition(status)
        rank = SEVERITY_RANK.get(severity) if severity else None
        for condition, value in (("f.assignee = ?", assignee), ("f.severity_rank = ?", rank),
                                 ("s.name = ?", source)):
            if value:
                where.append(condition)
                params.append(value)
        if category:
            where.append("exists (select 1 from json_each(m.categories) where value = ?)")
            params.append(category)
        if search is not None and search.strip():
            query = fts_query(search)
            if query is None:
                return []
            # Walk the matches newest mention first and stop at the page's end: fast for
            # common words too (mention ids grow with the time a mention is found).
            sql = (f"select {FOLLOWUP_COLUMNS}, {MENTION_COLUMNS} from mentions_fts x"
                   " cross join followups f on f.mention_id = x.rowid"
                   " cross join mentions m on m.id = x.rowid"
                   " cross join sources s on s.id = m.source_id"
                   f" where mentions_fts match ? {''.join(' and ' + w for w in where)}"
                   f" order by x.rowid {'asc' if order == 'oldest' else 'desc'}")
            params.insert(0, query)
        else:
            sql = (f"select {FOLLOWUP_COLUMNS}, {MENTION_COLUMNS}{FOLLOWUP_JOIN}"
                   f" where {' and '.join(where) or '1'}"
                   f" order by {ORDERS[order]}")
        if limit is not None:
            sql += " limit ? offset ?"
            params += [limit, offset]
        return [_decode_followup(row) for row in self.db.query(sql, params)]

    def followup_times(self, since: str) -> list[dict]:
        """id, status, opened_at, first_contact_at and resolved_at of every open follow-up
        and of every one opened since `since` (ISO time)."""
        columns = "select id, status, opened_at, first_contact_at, resolved_at from followups"
        return list(self.db.query(  # a union, so that each half uses its index
            f"{columns} where status in ({', '.join('?' * len(OPEN_STATUSES))})"
            f" union {columns} where opened_at >= ?", [*OPEN_STATUSES, since]))

    def complaints_per_day(self, now: datetime | None = None, days: int = 30) -> list[dict]:
        """Follow-ups opened on each of the last `days` days (UTC), oldest first, with 0s."""
        today = (now or datetime.now(UTC)).astimezone(UTC).date()
        first = today - timedelta(days=days - 1)
        counts = {row["day"]: row["count"] for row in self.db.query(
            "select substr(opened_at, 1, 10) as day, count(*) as count from followups"
            " where opened_at >= ? group by day", [first.isoformat()])}
        return [{"day": day, "count": counts.get(day, 0)} for day in
                ((first + timedelta(days=i)).isoformat() for i in range(days))]

    def followup_counts(self) -> dict[str, dict[str, int]]:
        """How many follow-ups are in each status ("status") and how many open ones have
        each severity ("severity": critical, high, medium, low and "" for none)."""
        counts = {"status": dict.fromkeys(STATUSES, 0),
                  "severity": dict.fromkeys([*SEVERITY_RANK, ""], 0)}
        severity_of = {rank: name for name, rank in SEVERITY_RANK.items()}
        for row in self.db.query("select status, severity_rank, count(*) as n from followups"
                                 " group by status, severity_rank"):
            counts["status"][row["status"]] = counts["status"].get(row["status"], 0) + row["n"]
            if row["status"] in OPEN_STATUSES:
                counts["severity"][severity_of.get(row["severity_rank"], "")] += row["n"]
        return counts

    # Staff passwords and web secrets -------------------------------------------------

    def set_staff_password_hash(self, name: str, password_hash: str) -> None:
        """Store the password hash of staff member `name` (replacing any earlier one)."""
        self.db["staff_passwords"].upsert(
            {"name": name, "password_hash": password_hash, "set_at": _iso(None)}, pk="name")

    def staff_password_hash(self, name: str) -> str | None:
        """The stored password hash of `name`, or None if none was set."""
        row = self.db.execute("select password_hash from staff_passwords where name = ?",
                              [name]).fetchone()
        return row[0] if row else None

    def set_staff_language(self, name: str, language: str | None) -> bool:
        """Keep `language` as the inbox language of `name` (None: the inbox's default);
        False when `name` has no account (no password set)."""
        with self.db.atomic():
            cursor = self.db.execute("update staff_passwords set language = ? where name = ?",
                                     [language, name])
        return cursor.rowcount == 1

    def staff_language(self, name: str) -> str | None:
        """The inbox language `name` chose, or None."""
        row = self.db.execute("select language from staff_passwords where name = ?",
                              [name]).fetchone()
        return row[0] if row else None
    def remove_staff_password(self, name: str) -> bool:
        """Delete the password of `name` (their sessions end; their history stays); False
        when they had none."""
        return self.db.execute("delete from staff_passwords where name = ?",
                               [name]).rowcount > 0

    def open_followup_count(self, assignee: str) -> int:
        """How many open follow-ups are assigned to `assignee`."""
        return self.db.execute(
            "select count(*) from followups where assignee = ?"
            " and status in ('new', 'assigned', 'contacted')", [assignee]).fetchone()[0]

    def web_secret(self, name: str, make) -> str:
        """The secret called `name`, created with `make()` and stored on first use."""
        with self.db.atomic():
            self.db.execute("insert or ignore into web_secrets (name, value, created_at)"
                            " values (?, ?, ?)", [name, make(), _iso(None)])
        return self.db.execute("select value from web_secrets where name = ?",
                               [name]).fetchone()[0]

    # Bulk loading (benchmarks) -------------------------------------------------------

    def bulk_insert_mentions(self, rows: list[dict]) -> None:
        """Insert many mention rows at once (no identity checks: for benchmarks and imports
        of data known to be new)."""
        self.db["mentions"].insert_all(rows, batch_size=5000)

    def bulk_insert_followups(self, rows: list[dict]) -> None:
        """Insert many follow-ups in any state, and flag their mentions negative (for
        benchmarks and imports; only the opening is recorded in their history)."""
        with self.db.atomic():
            self.db["followups"].insert_all(rows, batch_size=5000)
            self.db.conn.executemany("update mentions set negative = 1 where id = ?",
                                    [(row["mention_id"],) for row in rows])


def _status_condition(status: str) -> tuple[list[str], list]:
    # "+f.status": the unary plus keeps SQLite from using the status index, so that a page
    # walks follow-ups in opened_at order and stops at its end, instead of sorting every
    # open follow-up with its mention (60 ms -> 11 ms on 10,000 open of 50,000).
    if status == "all":
        return [], []
    if status == "open":
        return [f"+f.status in ({', '.join('?' * len(OPEN_STATUSES))})"], list(OPEN_STATUSES)
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r} (known: open, all, {', '.join(STATUSES)})")
    return ["+f.status = ?"], [status]
