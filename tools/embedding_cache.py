"""Embeddings of training and measuring texts, cached on disk outside the repository.

Encoding the ~30,000 training texts takes about half an hour on two cores, so
tools/train_encoder_head.py and bench/classify.py keep what they encoded in
``~/.cache/monitor/embeddings/`` (or ``$MONITOR_EMBEDDING_CACHE``), keyed like the
database's embeddings table by ``monitor.detect.encoder.embedding_key`` (the encoder's name
and the text it encodes): a later run, or another encoder version, never reads a stale
vector. The vectors are the encoder's own float32 output, computed by the same ``embed()``
the detector calls at run time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.detect.encoder import DIMENSIONS, ENCODER, embed, embedding_key  # noqa: E402
from monitor.detect.parallel import ordered_map  # noqa: E402

DEFAULT_FOLDER = Path.home() / ".cache" / "monitor" / "embeddings"
SAVE_EVERY = 1000  # texts encoded between saves, so an interrupted run loses little


class EmbeddingCache:
    """{embedding key: float32 vector} in two files: ``<ENCODER>.keys`` and ``.npy``."""

    def __init__(self, folder: Path | None = None):
        folder = folder or Path(os.environ.get("MONITOR_EMBEDDING_CACHE") or DEFAULT_FOLDER)
        folder.mkdir(parents=True, exist_ok=True)
        self.keys_path = folder / f"{ENCODER}.keys"
        self.vectors_path = folder / f"{ENCODER}.npy"
        self.keys: list[str] = []
        self.vectors = np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self.keys_path.exists() and self.vectors_path.exists():
            self.keys = self.keys_path.read_text(encoding="ascii").split()
            self.vectors = np.load(self.vectors_path)
            if len(self.keys) != len(self.vectors):  # a save cut short: start again
                self.keys, self.vectors = [], self.vectors[:0]
        self.row = {key: row for row, key in enumerate(self.keys)}

    def embeddings(self, texts: list[str], progress: str = "") -> np.ndarray:
        """(len(texts), 384) embeddings, encoding (and saving) those not cached yet."""
        keys = [embedding_key(text) for text in texts]
        missing = {key: text for key, text in zip(keys, texts, strict=True)
                   if key not in self.row}
        if missing:
            self._encode(list(missing.items()), progress)
        return self.vectors[[self.row[key] for key in keys]]

    def _encode(self, pending: list[tuple[str, str]], progress: str) -> None:
        start = time.time()
        for begin in range(0, len(pending), SAVE_EVERY):
            chunk = pending[begin:begin + SAVE_EVERY]
            # One process per core, one text at a time, as `monitor classify` encodes.
            vectors = np.concatenate(list(ordered_map(
                embed, [[text] for _, text in chunk], os.cpu_count() or 1)))
            for key, _ in chunk:
                self.row[key] = len(self.keys)
                self.keys.append(key)
            self.vectors = np.concatenate([self.vectors, vectors])
            self._save()
            done = begin + len(chunk)
            print(f"  {progress}encoded {done}/{len(pending)} texts in "
                  f"{time.time() - start:.0f} s", file=sys.stderr, flush=True)

    def _save(self) -> None:
        temporary = self.vectors_path.with_suffix(".tmp.npy")
        np.save(temporary, self.vectors)
        temporary.replace(self.vectors_path)
        self.keys_path.write_text("\n".join(self.keys) + "\n", encoding="ascii")
