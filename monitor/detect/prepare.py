"""Match brand -> classify: everything about an entry that needs no database.

A scan with worker processes runs this there (`prepare_entries`, through
SourcesSpider.run_parser), so that matching, encoding and the detector use every core and
the scan's own process only stores; otherwise the pipeline runs it. This module stays free
of Scrapy and Twisted so that the workers start quickly.

Only entries that mention the brand are encoded, and only once per text content: a
`Preparer` looks the embeddings up among the stored ones first (`vectors`, given by the
scan: read-only in a worker), encodes the others in one batch, and hands the new ones to
the pipeline, which stores them with their mentions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from monitor.detect.matching import BrandMatcher
from spiders.identity import canonical_url, content_hash, mention_key
from spiders.items import Entry

# Columns of entry.prepared that are not the mention's: the pipeline stores them apart.
NEW_EMBEDDING = "new_embedding"


def mention_text(title: str | None, text: str | None) -> str:
    """What is matched, encoded and classified for a mention: its title and text joined
    (an embedding's key is made from it, so it must be the same wherever it is computed)."""
    return f"{title}\n{text or ''}" if title else (text or "")


def entry_text(entry: Entry) -> str:
    return mention_text(entry.title, entry.text)


@dataclass(frozen=True)
class Embedding:
    key: str
    vector: object  # numpy array
    new: tuple[str, bytes] | None  # (encoder, vector bytes) to store, when encoded now


@dataclass
class Preparer:
    """What preparing entries needs besides the entries: the brand matcher, the stored
    embeddings (`vectors(keys) -> {key: bytes}`) and the shop's adopted head (JSON)."""

    matcher: BrandMatcher
    vectors: Callable[[list[str]], dict[str, bytes]] | None = None
    head_json: str | None = None

    @functools.cached_property
    def head(self):
        from monitor.detect.adapt import current_head

        return current_head(self.head_json)

    def prepare(self, entries: list) -> None:
        """Match every entry not yet matched; for those that mention the brand, put their
        mention's columns (the verdict among them) on `entry.prepared`."""
        todo = [(entry, entry_text(entry)) for entry in entries
                if isinstance(entry, Entry) and entry.matched is None]
        for entry, text in todo:
            entry.matched = bool(entry.always_mention or self.matcher.find(text))
        matched = [(entry, text) for entry, text in todo if entry.matched]
        if not matched:
            return
        embeddings = self.embeddings([text for _, text in matched])
        for entry, text in matched:
            entry.prepared = mention_columns(entry, self, text, embeddings.get(text))

    def embeddings(self, texts: list[str]) -> dict[str, Embedding]:
        """{text: Embedding} for `texts`: stored ones looked up, the others encoded in one
        batch. Empty when the encoder cannot be used here (the fast detector decides)."""
        # Imported on first use: a scan that finds nothing new never loads the detector.
        from monitor.detect import encoder

        if encoder.encoder_problem() is not None:
            return {}
        keys = {text: encoder.embedding_key(text) for text in texts}
        stored = self.vectors(list(set(keys.values()))) if self.vectors else {}
        found = {text: Embedding(key, encoder.vector_from_bytes(stored[key]), None)
                 for text, key in keys.items() if key in stored}
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            try:
                vectors = encoder.embed(missing)
            except encoder.EncoderUnavailable:
                return found
            for text, vector in zip(missing, vectors, strict=True):
                found[text] = Embedding(keys[text], vector,
                                        (encoder.ENCODER, encoder.vector_to_bytes(vector)))
        return found


def prepare(entry: Entry, preparer: Preparer) -> bool:
    """Does `entry` mention the brand? When it does, its mention's columns that need no
    database go on `entry.prepared` (the verdict among them). Done once per entry."""
    preparer.prepare([entry])
    return entry.matched


def mention_columns(entry: Entry, preparer: Preparer, text: str,
                    embedding: Embedding | None) -> dict:
    from monitor.detect.classify import classify

    verdict = classify(text, rating=entry.rating, best_rating=entry.best_rating,
                       embedding=embedding.vector if embedding else None, head=preparer.head)
    return {
        "key": mention_key(entry.url, entry.entry_id),  # the entry's own key
        "kind": entry.kind,
        "url": canonical_url(entry.url),
        "entry_id": entry.entry_id,
        "title": entry.title,
        "text": entry.text,
        "snippet": preparer.matcher.snippet(entry.text or entry.title),
        "author": entry.author,
        "published_at": entry.published_at,
        "rating": entry.rating,
        "best_rating": entry.best_rating,
        "content_hash": content_hash(entry.title, entry.text, entry.author,
                                     str(entry.rating)),
        "language": verdict.language,
        "negative": verdict.negative,
        "score": round(verdict.score, 4),
        "severity": verdict.severity,
        "categories": list(verdict.categories),
        "reasons": list(verdict.reasons),
        "page_note": entry.page_note or None,
        "model": verdict.model,
        "embedding_key": embedding.key if embedding else None,
        NEW_EMBEDDING: embedding.new if embedding else None,
    }


def prepare_entries(brand_names: list[str], exclude: list[str], entries: list,
                    vectors: Callable | None = None, head_json: str | None = None) -> list:
    """`prepare` the entries of `entries`; runs in the scan's worker processes, so that
    matching, encoding and the detector use every core. An entry the reader follows to its
    page (spiders.follow) is left alone: its text is not the one it will be stored with."""
    preparer = _worker_preparer(tuple(brand_names), tuple(exclude), vectors, head_json)
    preparer.prepare([entry for entry in entries
                      if isinstance(entry, Entry) and not entry.follow])
    return entries


@functools.lru_cache(maxsize=4)
def _worker_preparer(names: tuple[str, ...], exclude: tuple[str, ...], vectors,
                     head_json: str | None) -> Preparer:
    return Preparer(BrandMatcher(list(names), list(exclude)), vectors, head_json)
