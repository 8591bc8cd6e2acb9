"""A small logistic model over words and lexicon sums, trained by tools/train_detector.py.

The weights live in data/<language>_model.json. Without a model file the model
falls back to lexicon sums only, with the default weights below.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from itertools import repeat

from monitor.detect.lexicons import DATA_DIR
from monitor.detect.text import CLAUSE_BREAKS

STRONG_WORD_WEIGHT = 1.0  # word features at least this strong are shown as reasons (weaker
# ones are mostly topic words a training source happened to use, like "minutes" or "il")
STRONG_WORDS_SHOWN = 2
_DEFAULT = {"bias": -0.3, "positive": -0.55, "negative": 0.6, "weights": {}}


@dataclass(frozen=True)
class Model:
    """Logistic weights: ``bias``, one per lexicon sum, one per word feature."""

    bias: float
    positive: float
    negative: float
    weights: dict[str, float]

    def score(
        self, features: set[str], positive: float, negative: float
    ) -> tuple[float, list[str]]:
        """Log-odds that the text is negative and, when it leans negative, the words that
        pushed hardest that way."""
        get = self.weights.get
        logit = self.bias + self.positive * positive + self.negative * negative
        logit += sum(map(get, features, repeat(0.0)))
        if logit <= 0:
            return logit, []
        pushing = [(get(f), f) for f in features if get(f, 0.0) >= STRONG_WORD_WEIGHT]
        pushing.sort(reverse=True)
        return logit, [feature for _, feature in pushing[:STRONG_WORDS_SHOWN]]


def word_features(tokens: list[str], negators: frozenset[str]) -> set[str]:
    """Unigrams (marked ``NOT_`` after a negator, up to the clause end) and bigrams."""
    features = set()
    negated = False
    previous = None
    for token in tokens:
        if token in CLAUSE_BREAKS:
            negated = False
            previous = None
            if token in "!?":
                features.add(token)
            continue
        features.add("NOT_" + token if negated else token)
        if previous is not None:
            features.add(previous + " " + token)
        if token in negators:
            negated = True
        previous = token
    return features


@cache
def model_for(language: str) -> Model:
    """The (cached) model for ``language``; lexicon-only defaults if none was trained."""
    path = DATA_DIR / f"{language}_model.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else _DEFAULT
    return Model(data["bias"], data["positive"], data["negative"], data["weights"])


def sigmoid(value: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)
