"""Keeping the detector fitted to the shop: `monitor detector retrain` refits a head of the
shop's own on the labels its staff gave (`monitor mentions mark`, "not a complaint" in the
inbox), and adopts it only when cross-validation on those labels finds it no worse than
the shipped one. `monitor run` retrains after every RETRAIN_EVERY new labels.

The embeddings of labelled mentions are taken from the database (stored once per text
content by the scan) and only the missing ones are encoded, then stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.storage import Storage

RETRAIN_EVERY = 20  # new labels


class RetrainImpossible(RuntimeError):
    """The shop's head cannot be refit here (the message says why)."""


@dataclass(frozen=True)
class Retrain:
    labels: int
    shipped_f1: float | None
    adapted_f1: float | None
    adopted: bool
    model: str
    note: str


def labelled_examples(storage: Storage, *, need_encoder: bool = True) -> list[dict]:
    """The labelled mentions with their embeddings (encoding and storing missing ones);
    without the encoder, with `need_encoder` False: their embedding is None."""
    from monitor.detect import encoder
    from monitor.detect.prepare import mention_text

    problem = encoder.encoder_problem()
    rows = storage.labelled_for_training()
    texts = [mention_text(row["title"], row["text"]) for row in rows]
    if problem is not None:
        if need_encoder:
            raise RetrainImpossible(f"the sentence encoder cannot be used here: {problem}")
        return [_example(row, text, None) for row, text in zip(rows, texts, strict=True)]
    keys = [encoder.embedding_key(text) for text in texts]
    stored = storage.embedding_vectors(keys)
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in stored}
    if missing:
        vectors = encoder.embed(list(missing.values()))
        new = [(key, encoder.ENCODER, encoder.vector_to_bytes(vector))
               for key, vector in zip(missing, vectors, strict=True)]
        storage.save_embeddings(new)
        stored.update({key: blob for key, _, blob in new})
    return [_example(row, text, encoder.vector_from_bytes(stored[key]))
            for row, text, key in zip(rows, texts, keys, strict=True)]


def _example(row: dict, text: str, embedding) -> dict:
    return {"text": text, "rating": row["rating"], "best_rating": row["best_rating"],
            "language": row["language"], "embedding": embedding, "negative": row["negative"]}


def retrain(storage: Storage) -> Retrain:
    """Refit the shop's head on every label; record it, adopted or not."""
    from monitor.detect.adapt import fit_shop_head

    examples = labelled_examples(storage)
    last = storage.last_head()
    name = f"shop-{(last['id'] if last else 0) + 1}"
    result = fit_shop_head(examples, name)
    storage.save_head(labels=len(examples), shipped_f1=result.shipped_f1,
                      adapted_f1=result.adapted_f1, adopted=result.adopt, model=name,
                      weights=result.head.to_json() if result.head else "", note=result.note)
    return Retrain(len(examples), result.shipped_f1, result.adapted_f1, result.adopt, name,
                   result.note)


def compare_on_labels(storage: Storage) -> dict:
    """The shipped detector and the shop's last refit head, scored on the stored labels:
    {"count", "shipped": Scores, "adapted": Scores or None, "head": its row or None}. The
    adapted head learnt from these very labels, so its figure here is optimistic: the
    cross-validated figures of its refit are in the head's row."""
    from monitor.detect.adapt import current_head
    from monitor.detect.classify import classify, evaluate_pairs

    examples = labelled_examples(storage, need_encoder=False)
    head_row = storage.last_head()
    head = current_head(head_row["weights"]) if head_row else None

    def scores(with_head):
        return evaluate_pairs([(classify(e["text"], rating=e["rating"],
                                         best_rating=e["best_rating"],
                                         embedding=e["embedding"], head=with_head).negative,
                                e["negative"]) for e in examples])

    usable = head is not None and all(e["embedding"] is not None for e in examples)
    return {"count": len(examples), "shipped": scores(None) if examples else None,
            "adapted": scores(head) if examples and usable else None, "head": head_row}


def retrain_due(storage: Storage) -> bool:
    """Have RETRAIN_EVERY labels been given since the last refit, or was the last refit
    made for another shipped model than this release's?"""
    from monitor.detect.adapt import current_head

    last = storage.last_head()
    if last and last["weights"] and current_head(last["weights"]) is None:
        return True
    return storage.label_count() - (last["labels"] if last else 0) >= RETRAIN_EVERY
