"""Sightings of mentions by sources, and the sites that search finds often.

Part of `monitor.storage.Storage`."""

from __future__ import annotations

from monitor.storage.schema import utcnow


class DiscoveryRecords:
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
