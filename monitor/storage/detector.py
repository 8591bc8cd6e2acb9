"""The detector's records: embeddings by text content, the shop's own heads, and what the
labels and the models that decided say about it.

Part of `monitor.storage.Storage`; the schema is migration m100_detector in schema.py.
`EmbeddingReader` reads embeddings from the scan's worker processes, read-only, on a
connection of their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from monitor.storage.schema import BUSY_TIMEOUT_MS, utcnow

CHUNK = 500


def _stored_vectors(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, bytes]:
    keys = list(dict.fromkeys(keys))
    found = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        found.update(conn.execute(
            f"select key, vector from embeddings where key in ({', '.join('?' * len(chunk))})",
            chunk).fetchall())
    return found


class EmbeddingReader:
    """Read-only access to stored embeddings, for processes that never write (the scan's
    workers). Opens its connection on first use, so that it can be pickled to a worker."""

    def __init__(self, path: str | Path):
        self.path = str(Path(path).resolve())
        self._conn = None

    def __getstate__(self) -> dict:
        return {"path": self.path, "_conn": None}

    # Equal by path: a worker keeps one reader (and its connection) for all of a scan's tasks.
    def __eq__(self, other) -> bool:
        return isinstance(other, EmbeddingReader) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __call__(self, keys: Iterable[str]) -> dict[str, bytes]:
        return self.vectors(keys)

    def vectors(self, keys: Iterable[str]) -> dict[str, bytes]:
        """{key: vector bytes} of the stored embeddings among `keys`."""
        if self._conn is None:
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                         check_same_thread=False)
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            return _stored_vectors(self._conn, keys)
        except sqlite3.OperationalError:  # no table yet, or the file went away: encode
            return {}


class DetectorRecords:
    """Detector methods of Storage (which provides `self.db`)."""

    def embedding_vectors(self, keys: Iterable[str]) -> dict[str, bytes]:
        """{key: vector bytes} of the stored embeddings among `keys`."""
        return _stored_vectors(self.db.conn, keys)

    def save_embeddings(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Store (key, encoder, vector bytes) rows; a key already stored is kept as it is."""
        now = utcnow()
        with self.db.atomic():
            self.db.conn.executemany(
                "insert or ignore into embeddings (key, encoder, vector, created_at)"
                " values (?, ?, ?, ?)", [(key, encoder, vector, now)
                                         for key, encoder, vector in rows])

    def labelled_for_training(self) -> list[dict]:
        """Every mention a person labelled: id, title, text, rating, best_rating, language,
        embedding_key and the label (`negative`), oldest label first."""
        return [dict(row) | {"negative": bool(row["negative"])} for row in self.db.query(
            "select id, title, text, rating, best_rating, language, embedding_key,"
            " human_negative as negative from mentions where human_negative is not null"
            " order by id")]

    def label_count(self) -> int:
        """How many mentions carry a person's label."""
        return self.db.execute(
            "select count(*) from mentions where human_negative is not null").fetchone()[0]

    def save_head(self, *, labels: int, shipped_f1: float | None, adapted_f1: float | None,
                  adopted: bool, model: str, weights: str, note: str) -> int:
        """Record a refit of the shop's own head (adopted or not); return its id."""
        return self.db["detector_heads"].insert({
            "created_at": utcnow(), "labels": labels, "shipped_f1": shipped_f1,
            "adapted_f1": adapted_f1, "adopted": int(adopted), "model": model,
            "weights": weights, "note": note}).last_pk

    def last_head(self) -> dict | None:
        """The last refit, adopted or not."""
        rows = list(self.db["detector_heads"].rows_where(order_by="id desc", limit=1))
        return rows[0] if rows else None

    def adopted_head(self) -> dict | None:
        """The newest adopted head of this shop, or None (the shipped one decides)."""
        rows = list(self.db["detector_heads"].rows_where("adopted = 1", order_by="id desc",
                                                         limit=1))
        return rows[0] if rows else None

    def models_since(self, since: str) -> dict[str, int]:
        """How many mentions found since `since` each model decided."""
        return dict(self.db.execute(
            "select coalesce(model, 'unknown'), count(*) from mentions where found_at >= ?"
            " group by 1 order by 2 desc", [since]).fetchall())
