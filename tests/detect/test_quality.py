"""How well the detector does on the measuring sets (never used in training): floors just
under the figures measured when the shipped models were made, so a drop fails the build.

The shipped detector (the sentence encoder) is measured in this process; the fast detector,
which decides when the encoder cannot run, through `monitor evaluate` with
MONITOR_ENCODER=off. Full figures: python bench/classify.py (see
monitor/detect/data/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.detect.classify import classify_many, evaluate_pairs
from monitor.detect.encoder import encoder_problem

DATA = Path(__file__).parent / "data"
DEV_SET = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "en_amazon_dev.jsonl"
# (the `measured` fixture classifies these files, and only these, all at once)
# Measured on 2026-12-02 (bench/classify.py), model e5-2: dev F1 0.860, the team's Italian
# set 0.992, the marketplace-style set 0.899; real neutral text flagged 0.7% (en), 2.1% (it).
# The fast detector (fast-2): dev 0.770, marketplace-style 0.859.
FLOORS = {
    DEV_SET: 0.85,  # the target of issue 14
    DATA / "it_reviews.jsonl": 0.97,
    DATA / "it_reviews_market.jsonl": 0.88,
}
FALSE_ALARM_CEILING = 0.05  # real neutral text, each language: the target of issue 14
FAST_FLOORS = {DEV_SET: 0.76, DATA / "it_reviews_market.jsonl": 0.85}

needs_encoder = pytest.mark.skipif(encoder_problem() is not None,
                                   reason="the encoder cannot run here")


def _f1(pairs) -> float:
    return evaluate_pairs((verdict.negative, row["negative"]) for row, verdict in pairs).f1


@needs_encoder
@pytest.mark.parametrize("path", list(FLOORS), ids=lambda path: path.stem)
def test_f1_of_the_shipped_detector_does_not_regress(path, measured):
    if not path.exists():
        pytest.skip(f"{path} not found (../shared/eval is missing)")
    pairs = measured(path)
    assert all(verdict.model == "e5-2" for _, verdict in pairs)
    assert _f1(pairs) >= FLOORS[path]


@needs_encoder
@pytest.mark.parametrize("language", ["en", "it"])
def test_real_neutral_text_is_rarely_flagged(language, measured):
    pairs = measured(DATA / f"{language}_realworld_neutral.jsonl")
    flagged = [row["text"] for row, verdict in pairs if verdict.negative]
    assert len(flagged) / len(pairs) <= FALSE_ALARM_CEILING, flagged


@pytest.mark.parametrize("path", list(FAST_FLOORS), ids=lambda path: path.stem)
def test_f1_of_the_fast_detector_does_not_regress(path, monitor_cli):
    if not path.exists():
        pytest.skip(f"{path} not found (../shared/eval is missing)")
    result = monitor_cli("evaluate", "--file", str(path), env={"MONITOR_ENCODER": "off"})
    assert result.returncode == 0, result.stderr
    f1 = float(result.stdout.split("F1 ")[1].split()[0])
    assert f1 >= FAST_FLOORS[path], result.stdout


NAMING = ("Bottega Aurora, ordine n. 4411: {t}", "Re: Bottega Aurora\n{t}",
          "Parlo di Bottega Aurora. {t}", "{t} Questa la mia storia con Bottega Aurora.")
NAMED_SHORTFALL = 0.05  # at most this much F1 lost when the text names the shop


@needs_encoder
def test_naming_the_shop_does_not_hide_complaints(measured):
    """Every real mention names the brand (the scan keeps only those), in a title or an
    opening line: the marketplace-style reviews so named must score about as they do plain."""
    plain = measured(DATA / "it_reviews_market.jsonl")
    texts = [NAMING[index % len(NAMING)].format(t=row["text"])
             for index, (row, _) in enumerate(plain)]
    named = list(zip((row for row, _ in plain),
                     classify_many(texts, workers=os.cpu_count() or 1), strict=True))
    assert _f1(named) >= _f1(plain) - NAMED_SHORTFALL, (_f1(named), _f1(plain))
