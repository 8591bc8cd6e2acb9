"""Learning from the shop's own labels: a head of the shop's own on top of the shipped one.

A shop head adds to the shipped detector's log-odds s a correction learnt from the labels
people gave (`monitor mentions mark`, the inbox's "not a complaint" and "is a complaint"):

    log-odds = bias + scale * s + weights . embedding

fitted by penalised logistic regression that pulls (bias, scale, weights) towards (0, 1, 0),
so with a few labels it stays the shipped detector and with many it learns the shop's own
sense of a complaint (the words of its trade, what its customers call a problem). It is
adopted only when 5-fold cross-validation on the shop's labels (the same folds for both)
finds its F1 no worse than the shipped detector's, with at least MIN_PER_CLASS labels of
each kind. A head corrects one shipped model (its `base`): when a release ships another
one, the old head is no longer applied (`current_head`) and the next `monitor run` refits
it. Only numpy: nothing heavier is loaded where the scan runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from monitor.detect.classify import evaluate_pairs
from monitor.detect.core import classify
from monitor.detect.encoder import DIMENSIONS, embed
from monitor.detect.evidence import fast_evidence
from monitor.detect.language import detect_language, normalize_language_code
from monitor.detect.stacked import shipped_model

MIN_PER_CLASS = 10  # labels of each kind (complaint, not) before a shop head may be adopted
FOLDS = 5
# How hard the fit pulls each part towards the shipped detector (L2 penalties on the
# distance from bias 0, scale 1, weights 0). The embedding weights are held tightest: 384 of
# them against tens of labels would learn the labels by heart.
BIAS_PENALTY = 0.1
SCALE_PENALTY = 1.0
WEIGHT_PENALTY = 4.0
NEWTON_STEPS = 50


@dataclass
class ShopHead:
    """A shop's own correction to the shipped detector (see the module docstring)."""

    name: str
    bias: float = 0.0
    scale: float = 1.0
    weights: np.ndarray = field(default_factory=lambda: np.zeros(DIMENSIONS, np.float32))
    base: str = field(default_factory=lambda: shipped_model().name)  # the model it corrects

    def logit(self, embedding, shipped_logit: float) -> float:
        """The text's log-odds of being a complaint, for this shop."""
        correction = float(np.dot(self.weights, np.asarray(embedding, np.float32)))
        return self.bias + self.scale * shipped_logit + correction

    def to_json(self) -> str:
        return json.dumps({"name": self.name, "base": self.base, "bias": round(self.bias, 6),
                           "scale": round(self.scale, 6),
                           "weights": [round(float(w), 6) for w in self.weights]})

    @classmethod
    def from_json(cls, text: str) -> ShopHead:
        data = json.loads(text)
        return cls(data["name"], float(data["bias"]), float(data["scale"]),
                   np.asarray(data["weights"], dtype=np.float32),
                   data.get("base", "e5-1"))  # heads from before "base" corrected e5-1


def current_head(head_json: str | None) -> ShopHead | None:
    """The stored head, or None when there is none or it corrects another shipped model
    than this release's (its weights were fitted on another encoder's embeddings)."""
    if not head_json:
        return None
    head = ShopHead.from_json(head_json)
    return head if head.base == shipped_model().name else None


@dataclass
class AdaptResult:
    """A refit: the head, both cross-validated F1 figures, whether to adopt it, and why."""

    head: ShopHead
    shipped_f1: float | None
    adapted_f1: float | None
    adopt: bool
    note: str
    labels: int = 0
    negatives: int = 0


@dataclass(frozen=True)
class _Example:
    text: str
    rating: float | None
    best_rating: float | None
    language: str
    embedding: np.ndarray
    negative: bool
    shipped_logit: float


def fit_shop_head(examples, name: str) -> AdaptResult:
    """Fit a shop head on labelled examples (objects or dicts with text, rating,
    best_rating, language, embedding, negative) and decide whether to adopt it. Examples
    without an embedding are encoded here (raises EncoderUnavailable if that cannot be)."""
    prepared = _prepare([_fields(example) for example in examples])
    labels = np.array([example.negative for example in prepared], dtype=bool)
    count, negatives = len(prepared), int(labels.sum())
    if min(negatives, count - negatives) < MIN_PER_CLASS:
        head = _fit(prepared, name)
        note = (f"not adopted: needs at least {MIN_PER_CLASS} labels of each kind, has "
                f"{negatives} complaints and {count - negatives} others")
        return AdaptResult(head, None, None, False, note, count, negatives)
    folds = _stratified_folds(labels)
    shipped = [classify(**_call(example)).negative for example in prepared]
    adapted = [False] * count
    for fold in range(FOLDS):
        head = _fit([e for e, f in zip(prepared, folds, strict=True) if f != fold], name)
        for index in np.flatnonzero(folds == fold):
            adapted[index] = classify(**_call(prepared[index]), head=head).negative
    shipped_f1, adapted_f1 = _f1(shipped, labels), _f1(adapted, labels)
    adopt = adapted_f1 >= shipped_f1
    verb = "adopted" if adopt else "not adopted"
    note = (f"{verb}: F1 {adapted_f1:.3f} against the shipped {shipped_f1:.3f} on "
            f"{count} labels ({negatives} complaints), cross-validated")
    return AdaptResult(_fit(prepared, name), shipped_f1, adapted_f1, adopt, note, count,
                       negatives)


def _fields(example) -> dict:
    if isinstance(example, dict):
        return example
    names = ("text", "rating", "best_rating", "language", "embedding", "negative")
    return {key: getattr(example, key, None) for key in names}


def _prepare(rows: list[dict]) -> list[_Example]:
    missing = [row["text"] or "" for row in rows if row.get("embedding") is None]
    encoded = iter(embed(missing)) if missing else iter(())
    model = shipped_model()
    prepared = []
    for row in rows:
        text = row["text"] or ""
        code = row.get("language")
        language = normalize_language_code(code) if code else detect_language(text)
        vector = row.get("embedding")
        vector = next(encoded) if vector is None else np.asarray(vector, np.float32)
        logit = model.logit(vector, fast_evidence(text, language))
        prepared.append(_Example(text, row.get("rating"), row.get("best_rating"), language,
                                 vector, bool(row["negative"]), logit))
    return prepared


def _call(example: _Example) -> dict:
    return {"text": example.text, "rating": example.rating, "best_rating": example.best_rating,
            "language": example.language, "embedding": example.embedding}


def _fit(examples: list[_Example], name: str) -> ShopHead:
    """Penalised logistic regression pulled towards the shipped detector, by Newton's
    method with a backtracking line search (the objective is convex: it converges)."""
    X = np.column_stack([np.ones(len(examples)),
                         [example.shipped_logit for example in examples],
                         np.array([example.embedding for example in examples]).reshape(
                             len(examples), DIMENSIONS)])
    y = np.array([example.negative for example in examples], dtype=float)
    prior = np.zeros(X.shape[1])
    prior[1] = 1.0
    penalty = np.full(X.shape[1], WEIGHT_PENALTY)
    penalty[0], penalty[1] = BIAS_PENALTY, SCALE_PENALTY

    def objective(w: np.ndarray) -> float:
        z = X @ w
        return float(np.sum(np.logaddexp(0.0, z) - y * z)
                     + 0.5 * np.sum(penalty * (w - prior) ** 2))

    w = prior.copy()
    current = objective(w)
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(X @ w)))
        gradient = X.T @ (p - y) + penalty * (w - prior)
        hessian = (X.T * (p * (1 - p))) @ X + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while objective(w - size * step) > current - 1e-4 * size * (gradient @ step):
            size /= 2
            if size < 1e-8:
                break
        w -= size * step
        previous, current = current, objective(w)
        if previous - current < 1e-9:
            break
    return ShopHead(name, float(w[0]), float(w[1]), w[2:].astype(np.float32))


def _stratified_folds(labels: np.ndarray) -> np.ndarray:
    """Fold numbers, each class spread evenly over the folds in a fixed shuffled order."""
    folds = np.zeros(len(labels), dtype=int)
    rng = np.random.default_rng(0)
    for value in (True, False):
        rows = np.flatnonzero(labels == value)
        folds[rng.permutation(rows)] = np.arange(len(rows)) % FOLDS
    return folds


def _f1(predicted, labels: np.ndarray) -> float:
    return evaluate_pairs(zip(predicted, labels.tolist(), strict=True)).f1
