"""Train the detector's small logistic models and write monitor/detect/data/<lang>_model.json.

English learns from: the movie-review, tweet and NYT-editorial ground truth of the
vaderSentiment 3.3.2 source archive (MIT; its Amazon file is left out on purpose, since the
development set comes from it), the UCI "Sentiment Labelled Sentences" (Amazon, Yelp and IMDb
review sentences, Kotzias et al. 2015, CC BY 4.0) as shipped in the test fixtures of the npm
package sentiment 5.0.2 (MIT), the sentences the team wrote in tools/training/en_examples.jsonl
and the 1,600 review sentences the team wrote in tools/training/en_reviews_written.jsonl.
Italian learns from the team's tools/training/it_examples.jsonl, the 1,400 marketplace-style
reviews in tools/training/it_reviews_written.jsonl and one writer's 1,315 varied reviews in
tools/training/it_reviews_varied_a.jsonl (text only; their stars are not used; the varied
reviews count as written reviews). Both languages learn from the neutral mentions in
tools/training/<language>_neutral*_written.jsonl. See tools/training_sources.py. The
development set (../shared/eval) and tests/detect/data are never read here.

How the weights are chosen, by 5-fold cross-validation (folds stratified by source and label)
that trains on four folds and scores the held-out fold with the detector's whole text
decision, as monitor.detect.core makes it at run time: the pruned, rounded model plus the
complaint rules and reassurances, threshold 0.5.
1. Without the neutral mentions, the pair (weight of the written reviews, regularisation C) in
   WRITTEN_WEIGHTS x REGULARISATION with the best held-out F1 (negative class) on the
   REVIEW_SOURCES of the language: for English the real UCI review sentences (the detector is
   judged on real review sentences; scoring the team's written sentences too favoured a
   heavier weight for them, which the development set did not confirm), for Italian the
   written reviews (there are no real Italian reviews to train on).
2. With that pair, the weight of the neutral mentions in NEUTRAL_WEIGHTS: neutral examples
   cut false alarms on the neutral mentions a monitor mostly sees, but teach the model that
   calm, factual wording is not a complaint, which costs recall on calm complaints. So among
   the weights whose held-out F1 on the REVIEW_SOURCES stays within REVIEW_F1_TOLERANCE of the
   figure without them, the one with the best held-out F1 on the review sources and the
   neutral mentions together wins (a false alarm on a neutral mention costs precision there).
The final model is then trained on all the training data with the chosen weights and C, and
the choice is written into the model file ("training"; tools/train_encoder_head.py refits
the small model without each fold with it).
MIN_DOCUMENT_FREQUENCY and keeping Italian function words were chosen by the same kind of
cross-validation, run by hand once; SOURCE_WEIGHTS are earlier choices (the vader and Italian
team weights rechecked so; see monitor/detect/data/README.md).

Usage (needs scikit-learn, from the optional "train" extra):
    python tools/train_detector.py                 # downloads the two archives below
    python tools/train_detector.py --vader-sdist vaderSentiment-3.3.2.tar.gz \
        --sentiment-npm sentiment-5.0.2.tgz          # (pip download / npm pack sentiment@5.0.2)
"""

import argparse
import itertools
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training_sources import Example, examples_for  # noqa: E402

from monitor.detect.classify import evaluate_pairs  # noqa: E402
from monitor.detect.complaints import Complaint, find_complaints  # noqa: E402
from monitor.detect.core import THRESHOLD  # noqa: E402
from monitor.detect.evidence import rules_logit, voice, with_critical  # noqa: E402
from monitor.detect.lexicons import DATA_DIR, lexicon_for  # noqa: E402
from monitor.detect.model import Model, word_features  # noqa: E402
from monitor.detect.text import normalize, tokenize  # noqa: E402
from monitor.detect.valence import score_tokens  # noqa: E402

MIN_DOCUMENT_FREQUENCY = {"en": 3, "it": 2}
# Weight of each source's examples; "written" and "neutral" are chosen per language.
SOURCE_WEIGHTS = {"team": {"en": 3.0, "it": 1.0}, "vader": {"en": 1.0}, "uci": {"en": 3.0}}
WRITTEN_WEIGHTS = (0.5, 1.0, 2.0)
REGULARISATION = (0.3, 1.0)
NEUTRAL_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
REVIEW_F1_TOLERANCE = 0.01
# Scored on held-out folds: the real review sentences (English), the written reviews (Italian).
REVIEW_SOURCES = {"en": ("uci",), "it": ("written", "varied")}
# Not learnt from: the team's 2,297 varied English review sentences (2026-12-02). With them
# (counted as written reviews, weight and C chosen as below: x0.5, C=1) the English model's
# held-out F1 on the UCI sentences stayed the same (0.893), but on the development set it fell
# from 0.770 to 0.753 and real neutral text flagged rose from 7.5% to 9.8%: the word features
# learn the team's phrasing. The stacked detector's head may use them (its own choice).
LEFT_OUT_SOURCES = {"en": ("varied",), "it": ()}
FOLDS = 5
MIN_WEIGHT = 0.02
POSITIVE_KEY, NEGATIVE_KEY = "__lexicon_positive", "__lexicon_negative"
DECISION_LOGIT = math.log(THRESHOLD / (1.0 - THRESHOLD))


@dataclass(frozen=True)
class Prepared:
    """An example's run-time evidence: word features, lexicon sums, rule matches."""

    features: frozenset[str]
    positive: float
    negative: float
    complaints: tuple[Complaint, ...]
    reassurances: tuple[str, ...]
    personal: bool  # first or second person (monitor.detect.evidence.voice)
    short: bool

    def row(self) -> dict[str, float]:
        """The model's input row (word features at 1, the two lexicon sums)."""
        row = dict.fromkeys(self.features, 1.0)
        row[POSITIVE_KEY] = self.positive
        row[NEGATIVE_KEY] = self.negative
        return row


def prepare(text: str, language: str) -> Prepared:
    """The same evidence ``monitor.detect.core`` computes at run time."""
    lexicon = lexicon_for(language)
    normalized = normalize(text, language)
    tokens = tokenize(normalized, language)
    valence = score_tokens(tokens, lexicon)
    complaints, reassurances = find_complaints(normalized, language)
    features = frozenset(word_features(tokens, lexicon.negators))
    return Prepared(features, valence.positive, valence.negative, tuple(complaints),
                    tuple(reassurances), *voice(tokens, language))


def train(language: str, examples: list[Example]) -> dict:
    """Choose the source weights and C by cross-validation (see the module docstring), then
    fit on everything."""
    prepared = [prepare(example.text, language) for example in examples]
    folds = _folds(examples)
    reviews = REVIEW_SOURCES[language]
    review_f1, held_out = {}, {}
    for written, c in itertools.product(WRITTEN_WEIGHTS, REGULARISATION):
        weights = _weights(examples, language, {"written": written, "neutral": 0.0})
        held_out[written, c] = _cross_validated(language, examples, prepared, weights, c, folds)
        review_f1[written, c] = _f1(examples, held_out[written, c], reviews)
        print(f"  written x{written:g}, C={c:g}: held-out F1 {review_f1[written, c]:.3f}")
    written, c = max(review_f1, key=review_f1.get)
    floor = review_f1[written, c] - REVIEW_F1_TOLERANCE
    together = {}
    for neutral in NEUTRAL_WEIGHTS:
        if neutral:
            weights = _weights(examples, language, {"written": written, "neutral": neutral})
            predicted = _cross_validated(language, examples, prepared, weights, c, folds)
        else:  # step 1 has cross-validated exactly this already
            predicted = held_out[written, c]
        alone = _f1(examples, predicted, reviews)
        pooled = _f1(examples, predicted, reviews + ("neutral",))
        alarms = _false_alarms(examples, predicted)
        print(
            f"  neutral x{neutral:g}: held-out F1 {alone:.3f} on reviews, {pooled:.3f} with the "
            f"neutral mentions, {alarms:.1%} of neutral mentions flagged"
        )
        if alone >= floor:
            together[neutral] = pooled
    neutral = max(together, key=together.get)
    weights = _weights(examples, language, {"written": written, "neutral": neutral})
    model = fit(language, prepared, examples, weights, c, range(len(examples)))
    model["training"] = {"written": written, "neutral": neutral, "c": c}
    chosen = f"written x{written:g}, neutral x{neutral:g}, C={c:g}"
    print(f"{language}: {len(examples)} examples, {chosen}")
    return model


def _folds(examples: list[Example]) -> list[tuple[list[int], list[int]]]:
    strata = [f"{example.source}/{example.negative}" for example in examples]
    splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    return [(list(a), list(b)) for a, b in splitter.split(strata, strata)]


def _weights(examples: list[Example], language: str, tuned: dict[str, float]) -> list[float]:
    def source_weight(source: str) -> float:
        source = "written" if source == "varied" else source  # written reviews, both sets
        return tuned[source] if source in tuned else SOURCE_WEIGHTS[source][language]

    return [example.weight * source_weight(example.source) for example in examples]


def _cross_validated(language, examples, prepared, weights, c, folds) -> list[bool]:
    """Each example's held-out decision: the whole text decision of a model fitted on the
    other folds."""
    predicted = [False] * len(examples)
    for training, held_out in folds:
        model = as_model(fit(language, prepared, examples, weights, c, training))
        for index in held_out:
            predicted[index] = decide(model, prepared[index])
    return predicted


def _false_alarms(examples: list[Example], predicted: list[bool]) -> float:
    pairs = zip(predicted, examples, strict=True)
    flags = [flag for flag, example in pairs if example.source == "neutral"]
    return sum(flags) / len(flags)


def _f1(examples: list[Example], predicted: list[bool], sources: tuple[str, ...]) -> float:
    pairs = zip(predicted, (example.negative for example in examples), strict=True)
    scored = (example.source in sources for example in examples)
    return evaluate_pairs(pair for pair, keep in zip(pairs, scored, strict=True) if keep).f1


def decide(model: Model, evidence: Prepared) -> bool:
    """The run-time text decision (monitor.detect.core) for prepared evidence."""
    return decision_logit(model, evidence) >= DECISION_LOGIT


def decision_logit(model: Model, evidence: Prepared) -> float:
    """The run-time text log-odds (monitor.detect.evidence): model, rules, critical context."""
    logit, _ = model.score(evidence.features, evidence.positive, evidence.negative)
    ordinary = [c for c in evidence.complaints if c.severity != "critical"]
    critical = [c for c in evidence.complaints if c.severity == "critical"]
    logit = rules_logit(logit, ordinary, evidence.reassurances)
    return with_critical(logit, ordinary, critical, evidence.personal, evidence.short)[0]


def fit(language, prepared, examples, weights, c, indices) -> dict:
    """Fit a logistic regression on the examples at ``indices``; return the model's JSON."""
    indices = list(indices)
    rows = _drop_rare([prepared[i].row() for i in indices], MIN_DOCUMENT_FREQUENCY[language])
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(
        matrix,
        [examples[i].negative for i in indices],
        sample_weight=[weights[i] for i in indices],
    )
    return _to_json(vectorizer.get_feature_names_out(), model)


def as_model(data: dict) -> Model:
    """The run-time model for a model's JSON."""
    return Model(data["bias"], data["positive"], data["negative"], data["weights"])


def _drop_rare(rows: list[dict], min_frequency: int) -> list[dict]:
    counts: dict[str, int] = {}
    for row in rows:
        for key in row:
            counts[key] = counts.get(key, 0) + 1
    keep = {key for key, count in counts.items() if count >= min_frequency}
    keep |= {POSITIVE_KEY, NEGATIVE_KEY}
    return [{key: value for key, value in row.items() if key in keep} for row in rows]


def _to_json(names, model: LogisticRegression) -> dict:
    """The model's JSON (the choice of weights and C is added by train())."""
    coefficients = dict(zip(names, model.coef_[0], strict=True))
    words = {
        name: round(float(weight), 3)
        for name, weight in sorted(coefficients.items())
        if abs(weight) >= MIN_WEIGHT and name not in (POSITIVE_KEY, NEGATIVE_KEY)
    }
    return {
        "bias": round(float(model.intercept_[0]), 4),
        "positive": round(float(coefficients.get(POSITIVE_KEY, 0.0)), 4),
        "negative": round(float(coefficients.get(NEGATIVE_KEY, 0.0)), 4),
        "weights": words,
    }


def main() -> None:
    """Train both models and write them to monitor/detect/data/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vader-sdist", type=Path, help="vaderSentiment-3.3.2.tar.gz")
    parser.add_argument("--sentiment-npm", type=Path, help="sentiment-5.0.2.tgz (npm pack)")
    parser.add_argument("--languages", default="en,it")
    args = parser.parse_args()
    for language in args.languages.split(","):
        examples = [example for example in
                    examples_for(language, args.vader_sdist, args.sentiment_npm)
                    if example.source not in LEFT_OUT_SOURCES[language]]
        model = train(language, examples)
        path = DATA_DIR / f"{language}_model.json"
        path.write_text(json.dumps(model, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"  wrote {path} ({len(model['weights'])} word weights)")


if __name__ == "__main__":
    main()
