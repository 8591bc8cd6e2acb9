"""Learning from the shop's own labels (monitor.detect.adapt): a head of the shop's own,
adopted only when cross-validation on its labels finds it no worse than the shipped one."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from monitor.detect import core
from monitor.detect.adapt import MIN_PER_CLASS, ShopHead, fit_shop_head
from monitor.detect.classify import classify
from monitor.detect.encoder import embed, encoder_problem

# A shop selling Halloween props: its customers praise in horror words ("terrifying",
# "disgusting"), which the shipped detector reads as complaints; 60 labels written for this
# test (25 such praises, 25 complaints, 10 neutral), in English and Italian.
LABELS = Path(__file__).parent / "data" / "shop_labels_horror.jsonl"

needs_encoder = pytest.mark.skipif(encoder_problem() is not None,
                                   reason="the encoder cannot run here")


@pytest.fixture(scope="module")
def horror_shop():
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    vectors = embed([row["text"] for row in rows])
    examples = [SimpleNamespace(text=row["text"], rating=None, best_rating=None, language=None,
                                embedding=vector, negative=row["negative"])
                for row, vector in zip(rows, vectors, strict=True)]
    return examples, fit_shop_head(examples, "shop-1")


@needs_encoder
def test_a_shop_head_learns_what_the_shop_calls_a_complaint(horror_shop):
    _, result = horror_shop
    assert result.adopt and result.adapted_f1 > result.shipped_f1, result.note
    assert result.note.startswith("adopted: F1 ") and "60 labels (25 complaints)" in result.note
    praises = ["The werewolf mask is hideous and horrifying, my son screamed and cried all night.",
               "Disgusting, gruesome werewolf mask. My son screamed and hid under the bed.",
               "La maschera da lupo mannaro è orrenda e spaventosa, mio figlio ha urlato tutta "
               "la notte."]
    complaints = ["The werewolf mask arrived ripped and the shop never answered my email.",
                  "La maschera è arrivata scolorita, chiedo il reso."]
    shipped = [classify(text) for text in praises]
    assert all(verdict.model == "e5-2" for verdict in shipped)
    assert any(verdict.negative for verdict in shipped)  # what the shop's labels correct
    for text in praises + complaints:
        verdict = classify(text, head=result.head)
        assert (verdict.negative, verdict.model) == (text in complaints, "shop-1"), verdict
        assert any(reason.startswith("this shop's own model (shop-1)")
                   for reason in verdict.reasons)


@needs_encoder
def test_the_head_is_stored_as_json_and_read_back(horror_shop):
    examples, result = horror_shop
    again = ShopHead.from_json(result.head.to_json())
    assert again.name == "shop-1"
    for example in examples[:5]:
        assert again.logit(example.embedding, 1.5) == pytest.approx(
            result.head.logit(example.embedding, 1.5), abs=1e-4)


@needs_encoder
def test_a_few_labels_are_not_enough(horror_shop):
    examples, _ = horror_shop
    few = [e for e in examples if e.negative][:MIN_PER_CLASS - 1] + \
          [e for e in examples if not e.negative][:20]
    result = fit_shop_head(few, "shop-2")
    assert not result.adopt and result.shipped_f1 is None
    assert result.note == (f"not adopted: needs at least {MIN_PER_CLASS} labels of each kind, "
                           f"has {MIN_PER_CLASS - 1} complaints and 20 others")


def test_examples_without_a_vector_are_encoded_and_dicts_are_accepted(stand_in_encoder,
                                                                       monkeypatch):
    from monitor.detect import adapt

    monkeypatch.setattr(adapt, "embed", core.embed)
    rows = [{"text": f"Ordine {n} mai arrivato, nessuna risposta.", "negative": True}
            for n in range(3)]
    rows += [{"text": "Tutto perfetto, grazie.", "negative": False, "rating": 5,
              "best_rating": 5, "language": "it", "embedding": np.full(384, 0.05, np.float32)}]
    result = fit_shop_head(rows, "shop-3")
    assert stand_in_encoder == [row["text"] for row in rows[:3]]
    assert result.labels == 4 and result.negatives == 3 and not result.adopt


def test_without_the_encoder_the_fast_detector_decides_even_with_a_head(monkeypatch):
    monkeypatch.setattr(core, "encoder_problem", lambda: "MONITOR_ENCODER=off")
    verdict = classify("My order never arrived.", head=ShopHead("shop-4"))
    assert verdict.model == "fast-2" and verdict.negative
