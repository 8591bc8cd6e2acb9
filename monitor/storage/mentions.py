"""Sources and their health, the robots.txt cache, scans, and the mentions themselves.

Part of `monitor.storage.Storage`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from monitor.storage.schema import _decode, _encode, utcnow


class MentionRecords:
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
                    # A changed URL is a different resource: forget its cache validators,
                    # and what it read of each page.
                    table.update(existing["id"], {**values, "etag": None, "last_modified": None})
                    self.db.execute("delete from pages where source_id = ?", [existing["id"]])
        return self.source_rows()

    def _source_row(self, name: str) -> dict | None:
        # Plain SQL here and below: a scan asks several times per source, and
        # sqlite-utils' table objects query the schema on every use.
        return self._one("select * from sources where name = ?", [name])

    def _one(self, sql: str, params: list) -> dict | None:
        return next(_dicts(self.db.conn.execute(sql, params)), None)

    def source_rows(self) -> dict[str, dict]:
        """Every stored source's row, by name."""
        return {row["name"]: row
                for row in _dicts(self.db.conn.execute("select * from sources"))}

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
        values = {"last_success_at": utcnow(), "consecutive_failures": 0, "last_error": None,
                  "etag": etag, "last_modified": last_modified}
        if entry_count is not None:
            values["last_entry_count"] = entry_count
        with self.db.atomic():
            self.db.conn.execute(
                f"update sources set {', '.join(f'{c} = ?' for c in values)} where name = ?",
                [*values.values(), name])

    def record_source_failure(self, name: str, error: str) -> None:
        """A scan could not read the source: keep the error and count the failure."""
        with self.db.atomic():
            self.db.conn.execute(
                "update sources set last_error = ?, last_error_at = ?,"
                " consecutive_failures = coalesce(consecutive_failures, 0) + 1 where name = ?",
                [error, utcnow(), name])

    def sources_health(self) -> list[dict]:
        """Every source with its health and the number of mentions it gave."""
        return list(self.db.query(
            "select s.*, (select count(*) from mentions m where m.source_id = s.id) as mentions"
            " from sources s order by s.name"
        ))

    # Robots.txt cache ----------------------------------------------------------------

    def cached_robots(self, netloc: str) -> dict | None:
        return self._one("select * from robots_cache where netloc = ?", [netloc])

    def cache_robots(self, netloc: str, status: int, body: bytes) -> None:
        with self.db.atomic():
            self.db.conn.execute(
                "insert or replace into robots_cache (netloc, fetched_at, status, body)"
                " values (?, ?, ?, ?)", [netloc, utcnow(), status, body])

    # Scans ---------------------------------------------------------------------------

    def start_scan(self, pid: int) -> int:
        return self.db["scans"].insert(
            {"started_at": utcnow(), "status": "running", "pid": pid}
        ).last_pk

    def finish_scan(self, scan_id: int, *, status: str, sources_ok: int, sources_failed: int,
                    new_mentions: int, updated_mentions: int, errors: dict[str, str],
                    encoded: int = 0) -> dict:
        """Close the scan row with its counts; return it."""
        self.db["scans"].update(scan_id, {
            "finished_at": utcnow(), "status": status, "sources_ok": sources_ok,
            "sources_failed": sources_failed, "new_mentions": new_mentions,
            "updated_mentions": updated_mentions, "encoded": encoded,
            "errors": json.dumps(errors, ensure_ascii=False),
        })
        return self.db["scans"].get(scan_id)

    # Group commit ----------------------------------------------------------------------

    def begin_batch(self) -> None:
        """Open a transaction that the writes after it join, until `commit_batch`.

        A scan commits its mentions in groups (every fraction of a second) rather than one
        by one: each commit writes the WAL, and a scan writes thousands of rows. A crash
        loses only the uncommitted group, and with it the cache validators of its sources,
        so the next scan reads those sources again.
        """
        if not self.db.conn.in_transaction:
            self.db.execute("BEGIN")

    def commit_batch(self) -> None:
        self.db.commit()

    # Mentions ------------------------------------------------------------------------

    def save_mention(self, mention: dict, scan_id: int | None = None,
                     sighting: dict | None = None) -> str:
        """Insert a mention, or update it when its content changed.

        `mention` holds the columns of the mentions table, with `key` its stable identity
        and `content_hash` a hash of its text. Returns "new", "updated" or "unchanged".
        A stored human label (`human_negative`) is never overwritten. A mention deleted by
        retention (`prune_mentions`) is "unchanged": it is not stored, and not mailed, again.
        A text never gives way to a worse one (see `keeps_stored_text`): the mention is then
        "unchanged". `sighting` (the arguments of `record_sighting`) is recorded with it.
        """
        return self.save_mentions([(mention, sighting)], scan_id)[0]

    def save_mentions(self, mentions: list[tuple[dict, dict | None]],
                      scan_id: int | None = None) -> list[str]:
        """`save_mention` for each (mention, sighting) pair, in one transaction, looking
        the keys up together: a scan stores a feed's entries at once."""
        if not mentions:
            return []
        keys = list({mention["key"] for mention, _ in mentions})
        stored = self._stored_texts(keys)
        pruned = self._pruned_keys([key for key in keys if key not in stored])
        now = utcnow()
        results = []
        with self.db.atomic():
            for mention, sighting in mentions:
                key = mention["key"]
                values = _encode(mention)
                values.pop("human_negative", None)
                if key in stored:
                    old = stored[key]
                    if (old["content_hash"] == mention.get("content_hash")
                            or keeps_stored_text(old, mention)):
                        if sighting:
                            self.record_sighting(key, **sighting)
                        results.append("unchanged")
                        continue
                    mention_id = old["id"]
                    values.pop("key")
                    self._write_update({**values, "updated_at": now, "scan_id": scan_id},
                                       mention_id)
                    results.append("updated")
                elif key in pruned:
                    results.append("unchanged")
                    continue
                else:
                    mention_id = self._write_insert({**values, "found_at": now,
                                                     "updated_at": now, "scan_id": scan_id})
                    results.append("new")
                # A key twice in one batch: the second is an edit of the first.
                stored[key] = _text_facts(mention, mention_id)
                if sighting:
                    self._insert_sighting(key, **sighting)
        return results

    def _stored_texts(self, keys: list[str]) -> dict[str, dict]:
        """{key: {id, content_hash, source_id, text_length, page_note}} of the stored
        mentions among `keys`."""
        found = {}
        for chunk in _chunks(keys):
            marks = ", ".join("?" * len(chunk))
            cursor = self.db.conn.execute(
                "select key, id, content_hash, source_id, length(coalesce(text, '')) as"
                f" text_length, page_note from mentions where key in ({marks})", chunk)
            found.update((row["key"], row) for row in _dicts(cursor))
        return found

    def _pruned_keys(self, keys: list[str]) -> set[str]:
        found = set()
        for chunk in _chunks(keys):
            marks = ", ".join("?" * len(chunk))
            found.update(row[0] for row in self.db.conn.execute(
                f"select key from pruned_mentions where key in ({marks})", chunk))
        return found

    # Plain SQL: a scan writes thousands of rows, and sqlite-utils' insert()
    # introspects the table on every call.
    def _write_insert(self, values: dict) -> int:
        columns = list(values)
        return self.db.conn.execute(
            f"insert into mentions ({', '.join(columns)}) "
            f"values ({', '.join('?' for _ in columns)})", list(values.values())).lastrowid

    def _write_update(self, values: dict, mention_id: int) -> None:
        self.db.conn.execute(
            f"update mentions set {', '.join(f'{c} = ?' for c in values)} where id = ?",
            [*values.values(), mention_id])

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` that identify a stored mention (a reviews spider stops paging
        at a page of reviews it already has)."""
        return set(self._stored_texts(list(keys)))

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

    def unflagged_mentions(self, *, search: str | None = None, limit: int = 30,
                           offset: int = 0) -> list[dict]:
        """Mentions not flagged as complaints (by the detector or by a person), newest
        found first, with their source's name; `search` is text typed by a person (every
        word must appear in the title or text)."""
        from monitor.storage.followups import fts_query

        where, params = ["coalesce(m.human_negative, m.negative, 0) = 0"], []
        sql = ("select m.*, s.name as source from mentions m"
               " cross join sources s on s.id = m.source_id")
        newest = "m.id desc"
        if search is not None and search.strip():
            query = fts_query(search)
            if query is None:
                return []
            sql = ("select m.*, s.name as source from mentions_fts x"
                   " cross join mentions m on m.id = x.rowid"
                   " cross join sources s on s.id = m.source_id")
            where.insert(0, "mentions_fts match ?")
            params.append(query)
            # The same order, but FTS5 walks its index newest first and stops at the
            # page's end, instead of sorting every match (a common word: 400,000 of them).
            newest = "x.rowid desc"
        sql += f" where {' and '.join(where)} order by {newest} limit ? offset ?"
        return [_decode(row) for row in self.db.query(sql, [*params, limit, offset])]

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


def keeps_stored_text(stored: dict, new: dict) -> bool:
    """Whether the stored mention keeps its text rather than take `new`'s: an excerpt or
    a search snippet (a text with a page_note) never replaces a page's whole text, and a
    shorter text from another source never replaces a longer one. The same source
    reading its own entry again (an edit) always replaces it."""
    if new.get("page_note") and not stored["page_note"]:
        return True
    shorter = len(new.get("text") or "") < stored["text_length"]
    return shorter and new.get("source_id") != stored["source_id"]


def _text_facts(mention: dict, mention_id: int) -> dict:
    """What `keeps_stored_text` needs to know of a mention just written."""
    return {"id": mention_id, "content_hash": mention.get("content_hash"),
            "source_id": mention.get("source_id"), "text_length": len(mention.get("text") or ""),
            "page_note": mention.get("page_note")}


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _dicts(cursor) -> Iterator[dict]:
    """The rows of `cursor` as dicts."""
    columns = [d[0] for d in cursor.description]
    return (dict(zip(columns, values, strict=True)) for values in cursor)
