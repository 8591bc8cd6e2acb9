"""What each source last read of each page: validators, body hash, the requests the page
led to and how many comments it gave, or why it could not be read and the entry waiting
for it (migrations m070_pages, m110_page_comments).

Part of `monitor.storage.Storage`."""

from __future__ import annotations

import json

from monitor.storage.schema import utcnow

# A page that could not be read is tried again on each scan, this many times at most.
MAX_PAGE_TRIES = 10


class PageRecords:
    def page_rows(self) -> dict[tuple[str, str], dict]:
        """Every stored page, by (source name, url), with `links` and `waiting` decoded."""
        rows = {}
        for row in self.db.query("select s.name as source, p.* from pages p"
                                 " join sources s on s.id = p.source_id"):
            row["links"] = json.loads(row["links"]) if row["links"] else []
            row["waiting"] = json.loads(row["waiting"]) if row["waiting"] else None
            rows[row["source"], row["url"]] = row
        return rows

    def waiting_pages(self, source: str) -> list[dict]:
        """The pages of `source` that could not be read and still have an entry waiting
        for them (tried fewer than MAX_PAGE_TRIES times), oldest first."""
        rows = list(self.db.query(
            "select url, error, failures, waiting from pages where source_id = ?"
            " and waiting is not null and failures < ? order by read_at, url",
            [self.source_id(source), MAX_PAGE_TRIES]))
        for row in rows:
            row["waiting"] = json.loads(row["waiting"])
        return rows

    def record_page(self, source: str, url: str, *, etag: str | None,
                    last_modified: str | None, body_hash: str | None,
                    links: list | None, comments: int | None = None) -> None:
        """`source` read the page at `url`: keep its validators, body hash, links and
        comment count, and forget any failure (in the caller's transaction: the scan's
        group commit)."""
        self.db.conn.execute(
            "insert or replace into pages (source_id, url, etag, last_modified, body_hash,"
            " links, comments, read_at, error, failures, waiting) values (?, ?, ?, ?, ?, ?,"
            " ?, ?, null, 0, null)", [self.source_id(source), url, etag, last_modified,
                                      body_hash, json.dumps(links or []), comments, utcnow()])

    def forget_reads(self, source: str) -> int:
        """Forget what `source` last read (its own and its pages' validators, body hashes
        and comment counts), so that its next scan reads every page in full, as if new.
        Its mentions, and the entries still waiting for a page, are kept: the mentions'
        keys keep a re-read from adding them twice. Returns how many pages it had."""
        source_id = self.source_id(source)
        with self.db.atomic():
            self.db.conn.execute("update sources set etag = null, last_modified = null"
                                 " where id = ?", [source_id])
            return self.db.conn.execute(
                "update pages set etag = null, last_modified = null, body_hash = null,"
                " comments = null where source_id = ?", [source_id]).rowcount

    def record_page_failure(self, source: str, url: str, error: str,
                            waiting: dict | None) -> None:
        """`source` could not read the page at `url`: count the failure, keep why, and
        the entry waiting for the page; validators of an earlier read are kept."""
        self.db.conn.execute(
            "insert into pages (source_id, url, read_at, error, failures, waiting)"
            " values (?, ?, ?, ?, 1, ?) on conflict (source_id, url) do update set"
            " error = excluded.error, failures = failures + 1, read_at = excluded.read_at,"
            " waiting = excluded.waiting",
            [self.source_id(source), url, utcnow(), error,
             json.dumps(waiting, ensure_ascii=False) if waiting else None])
