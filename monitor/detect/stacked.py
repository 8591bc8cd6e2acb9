"""The shipped stacked detector: a logistic head on the sentence encoder's embedding, stacked
with the fast detector's small model by a second small logistic model; the complaint rules
and reassurances then move its log-odds as they move the fast detector's (a matched rule is
a complaint that needs a follow-up even when said calmly: the training texts hold too few of
them for their weight to be learnt).

Its weights are in data/encoder_head.json, made by tools/train_encoder_head.py (which calls
``stack_features`` too, so training and run time compute the same inputs). Languages
without rules (German, French, Spanish, ...) are decided by the language-independent head
alone, its log-odds rescaled by a fitted calibration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np

from monitor.detect.evidence import FastEvidence, rules_logit
from monitor.detect.lexicons import DATA_DIR

SHIPPED_FILE = DATA_DIR / "encoder_head.json"
ANY_LANGUAGE = "any"  # the head trained on every language, for languages without their own
# The inputs of the stacker, by name (the training script chooses a set by cross-validation).
FEATURE_SETS = {
    "head+model": ("head", "model"),
    "head+model+language": ("head", "model", "italian", "italian*head", "italian*model"),
}


def stack_features(kind: str, head, model, italian) -> np.ndarray:
    """The stacker's input rows (one per text; arguments are numbers or equal-length arrays)."""
    head, model = np.asarray(head, float), np.asarray(model, float)
    italian = np.asarray(italian, float)
    columns = {"head": head, "model": model, "italian": italian,
               "italian*head": italian * head, "italian*model": italian * model}
    return np.column_stack([np.atleast_1d(columns[name]) for name in FEATURE_SETS[kind]])


@dataclass(frozen=True)
class Linear:
    """A logistic model's bias and weights."""

    bias: float
    weights: np.ndarray

    @classmethod
    def from_json(cls, data: dict) -> Linear:
        return cls(float(data["bias"]), np.asarray(data["weights"], dtype=np.float32))

    def logit(self, rows: np.ndarray) -> np.ndarray:
        return rows @ self.weights + self.bias


@dataclass(frozen=True)
class ShippedModel:
    """The encoder heads (per language, and one for any language), the stacker over their
    log-odds and the fast detector's evidence, and the calibration used without rules."""

    name: str
    heads: dict[str, Linear]
    features: str
    stacker: Linear
    calibration: Linear

    def head_logit(self, embedding: np.ndarray, language: str) -> float:
        """The encoder head's log-odds that the text is a complaint."""
        head = self.heads.get(language) or self.heads[ANY_LANGUAGE]
        return float(head.logit(np.asarray(embedding, dtype=np.float32)))

    def logit(self, embedding: np.ndarray, evidence: FastEvidence) -> float:
        """The stacked log-odds, moved by the complaint rules and reassurances (critical
        rules not included: see evidence.with_critical)."""
        if not evidence.has_rules:
            head = self.head_logit(embedding, ANY_LANGUAGE)
            return float(self.calibration.logit(np.array([[head]]))[0])
        row = stack_features(self.features, self.head_logit(embedding, evidence.language),
                             evidence.model_logit, evidence.language == "it")
        stacked = float(self.stacker.logit(row)[0])
        return rules_logit(stacked, evidence.complaints, evidence.reassurances)


@cache
def shipped_model() -> ShippedModel:
    """The shipped stacked detector (data/encoder_head.json), loaded once."""
    data = json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    return ShippedModel(
        name=data["model"],
        heads={language: Linear.from_json(head) for language, head in data["heads"].items()},
        features=data["stacker"]["features"],
        stacker=Linear.from_json(data["stacker"]),
        calibration=Linear.from_json(data["calibration"]),
    )
