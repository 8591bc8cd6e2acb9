"""Fixtures of the detector's tests: the measuring sets' verdicts (computed once a session,
with the real encoder), and a stand-in encoder for tests of the wiring only."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from monitor.detect import core
from monitor.detect.classify import classify_many
from monitor.detect.encoder import DIMENSIONS


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


DATA = Path(__file__).parent / "data"
DEV_SET = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "en_amazon_dev.jsonl"
MEASURED = (DEV_SET, DATA / "it_reviews.jsonl", DATA / "it_reviews_market.jsonl",
            DATA / "en_realworld_neutral.jsonl", DATA / "it_realworld_neutral.jsonl")


@pytest.fixture(scope="session")
def measured():
    """measured(path) -> [(row, verdict)] for one of MEASURED, text only, classified by the
    detector as shipped (the real encoder when it can run): all of them once a session, on
    every core as `monitor classify` does."""
    done: dict[Path, list] = {}

    def verdicts(path: Path) -> list:
        if not done:
            files = {name: read_rows(name) for name in MEASURED if name.exists()}
            texts = [row["text"] for rows in files.values() for row in rows]
            found = iter(classify_many(texts, workers=os.cpu_count() or 1))
            for name, rows in files.items():
                done[name] = [(row, next(found)) for row in rows]
        return done[path]

    return verdicts


def stand_in_vector(text: str) -> np.ndarray:
    """A deterministic unit vector per text (its words hashed into the 384 dimensions)."""
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    for word in text.lower().split():
        digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
        vector[int.from_bytes(digest, "little") % DIMENSIONS] += 1.0
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


@pytest.fixture
def stand_in_encoder(monkeypatch):
    """Replaces the encoder the detector calls with stand_in_vector; returns the list of the
    texts it was asked to encode."""
    asked: list[str] = []

    def embed(texts):
        asked.extend(texts)
        return np.array([stand_in_vector(text) for text in texts])

    monkeypatch.setattr(core, "embed", embed)
    monkeypatch.setattr(core, "encoder_problem", lambda: None)
    return asked
