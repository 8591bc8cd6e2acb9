"""Train the stacked detector: monitor/detect/data/encoder_head.json.

What it learns from: the labelled texts of tools/train_detector.py and more (see
tools/training_sources.py): English real sentences (the vaderSentiment 3.3.2 tweet, movie and
NYT ground truth; the UCI review sentences), the team's written English and Italian reviews,
the varied Italian reviews of one writer, the team's varied English review sentences (whose
weight, 0 included, is one of the choices below), and the neutral mentions. Half of the
texts of each language, drawn at random, get a shop named around them
(training_sources.with_shop_named), as real mentions name the brand. Nothing under
../shared/eval or tests/detect/data is read here.

What it makes, each part chosen by 5-fold cross-validation on those texts (folds stratified
by language, source and label), never on the development set or any measuring set:
1. Heads: logistic regressions on the encoder's embeddings (monitor.detect.encoder, cached
   on disk by tools/embedding_cache.py). HEAD_STAGES covers one head for both languages or
   one per language, C, balanced classes or not (first), then the weight of the neutral
   mentions and the weights of the English sources (second). A head for any language (both
   languages together) is always trained too: it decides languages without rules.
2. The stacker: a logistic regression over the head's log-odds and the fast detector's small
   model's log-odds (monitor.detect.stacked.FEATURE_SETS), trained on out-of-fold values of
   both (the small model is refitted without each fold, with the weights and C that
   tools/train_detector.py chose and wrote into its model files), so it never learns from
   in-sample scores. The complaint rules and reassurances then add to its log-odds what they
   add in the fast detector (monitor.detect.evidence.rules_logit): their weights are part
   of the rules' design. (Learnt as stacker inputs, they got small weights, about 0.4 for a
   matched rule, because the training texts hold few of the calm complaints they are for:
   with them, "Nessuna risposta dall'assistenza clienti." scored 0.48, not a complaint.
   Held-out F1 was the same either way: 0.875 on the reviews of both languages.)
   Which feature set, and the weight of the neutral mentions: see STACKER_NEUTRAL.
3. The calibration of the any-language head's log-odds, for languages without rules.

The heads' criterion: per language, the negative-class F1 on the held-out folds of its real
or review sentences pooled with its neutral mentions, averaged over English and Italian.
English counts all its real, human-labelled sentences (UCI and vaderSentiment's, pooled);
Italian, the team's written and varied reviews (there are no real Italian labelled texts to
be had). Decisions are made as at run time: threshold 0.5, critical rules only in a
complaint context.

Usage (needs scikit-learn, from the optional "train" extra; the first run encodes ~30,000
texts, about half an hour on two cores, later runs reuse the cache):
    python tools/train_encoder_head.py --vader-sdist vaderSentiment-3.3.2.tar.gz \\
        --sentiment-npm sentiment-5.0.2.tgz          # or without them: downloaded
    python tools/train_encoder_head.py --quick       # the chosen configuration only
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import train_detector  # noqa: E402
from embedding_cache import EmbeddingCache  # noqa: E402
from training_sources import examples_for, with_shop_named  # noqa: E402

from monitor.detect.encoder import ENCODER  # noqa: E402
from monitor.detect.evidence import rules_logit, with_critical  # noqa: E402
from monitor.detect.lexicons import DATA_DIR  # noqa: E402
from monitor.detect.stacked import (  # noqa: E402
    ANY_LANGUAGE,
    FEATURE_SETS,
    SHIPPED_FILE,
    stack_features,  # noqa: E402
)

MODEL_NAME = "e5-2"  # bump when the shipped model changes
LANGUAGES = ("en", "it")
FOLDS = 5
# Held-out F1 is measured on these sources (and the neutral mentions) of each language.
SCORED_SOURCES = {"en": ("uci", "vader"), "it": ("written", "varied")}
# Weights of the English sources, relative to the rest: "flat", or the fast detector's.
ENGLISH_WEIGHTS = {
    "flat": {},
    "detector": {"uci": 3.0, "team": 3.0, "written": 0.5},
    "real": {"team": 0.5, "written": 0.5},
    "real, no varied": {"team": 0.5, "written": 0.5, "varied": 0.0},
    "real, varied x2": {"team": 0.5, "written": 0.5, "varied": 2.0},
}
# Searched in two stages (the full product, 108 configurations of 5 fits each, would take
# hours here): the model's shape first, then the weights of the data, from the best so far.
HEAD_STAGES = (
    {"scope": ("joint", "language"), "c": (1.0, 4.0, 16.0), "balanced": (True, False)},
    {"neutral": (1.0, 2.0, 4.0), "english": tuple(ENGLISH_WEIGHTS)},
)
STACKER_C = 1.0
# The stacker is chosen among FEATURE_SETS x these weights of the neutral mentions, as
# tools/train_detector.py chooses the neutral weight: among the candidates whose held-out F1
# on the scored review sentences (mean of both languages) is within REVIEW_F1_TOLERANCE of
# the best one's, the one that flags the fewest held-out neutral mentions (the worse of the
# two languages). A monitor sees many more neutral mentions than complaints, and in a pooled
# F1 the 16,000 vaderSentiment sentences would drown them.
STACKER_NEUTRAL = (1.0, 2.0, 4.0, 8.0)
REVIEW_F1_TOLERANCE = 0.01


@dataclass(frozen=True)
class HeadConfig:
    """One head configuration of the grid."""

    scope: str = "language"  # "joint": one head for both languages; "language": one each
    c: float = 4.0
    balanced: bool = True  # class_weight="balanced"
    neutral: float = 2.0  # weight of the neutral mentions
    english: str = "flat"  # key of ENGLISH_WEIGHTS


class Data:
    """The training texts with their embeddings and the fast detector's out-of-fold
    evidence, as arrays."""

    def __init__(self, vader: Path | None, sentiment: Path | None):
        rng = random.Random(1)  # half the texts with a shop named, as real mentions are
        rows = [(language, with_shop_named(example, language, rng) if rng.random() < 0.5
                 else example) for language in LANGUAGES
                for example in examples_for(language, vader, sentiment)]
        self.texts = [example.text for _, example in rows]
        self.language = np.array([language for language, _ in rows])
        self.source = np.array([example.source for _, example in rows])
        self.y = np.array([example.negative for _, example in rows])
        self.item_weight = np.array([example.weight for _, example in rows])
        strata = [f"{lang}/{src}/{neg}" for lang, src, neg in
                  zip(self.language, self.source, self.y, strict=True)]
        self.fold = np.zeros(len(rows), dtype=int)
        splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
        for fold, (_, held) in enumerate(splitter.split(strata, strata)):
            self.fold[held] = fold
        self.X = EmbeddingCache().embeddings(self.texts, "training texts: ")
        self.model_logit = np.zeros(len(rows))
        self.complaints = np.zeros(len(rows))
        self.critical: list[tuple] = [()] * len(rows)  # the critical rules that matched
        self.reassurances = np.zeros(len(rows))
        self.personal = np.zeros(len(rows), dtype=bool)
        self.short = np.zeros(len(rows), dtype=bool)
        for language in LANGUAGES:
            self._fast_evidence(language, [e for lang, e in rows if lang == language])
        self.italian = (self.language == "it").astype(float)

    def _fast_evidence(self, language: str, examples: list) -> None:
        """Rule counts, and the small model's out-of-fold log-odds (refitted without each
        fold with the choice tools/train_detector.py made)."""
        index = np.flatnonzero(self.language == language)
        prepared = [train_detector.prepare(example.text, language) for example in examples]
        for row, evidence in zip(index, prepared, strict=True):
            critical = tuple(c for c in evidence.complaints if c.severity == "critical")
            self.complaints[row] = len(evidence.complaints) - len(critical)
            self.critical[row] = critical
            self.reassurances[row] = len(evidence.reassurances)
            self.personal[row] = evidence.personal
            self.short[row] = evidence.short
        choice = json.loads((DATA_DIR / f"{language}_model.json").read_text())["training"]
        weights = train_detector._weights(
            examples, language, {"written": choice["written"], "neutral": choice["neutral"]})
        folds = self.fold[index]
        learnt = np.array([example.source not in train_detector.LEFT_OUT_SOURCES[language]
                           for example in examples])  # what the small model learns from
        for fold in range(FOLDS):
            fitted = train_detector.fit(language, prepared, examples, weights, choice["c"],
                                        np.flatnonzero((folds != fold) & learnt))
            model = train_detector.as_model(fitted)
            for position in np.flatnonzero(folds == fold):
                evidence = prepared[position]
                self.model_logit[index[position]] = model.score(
                    evidence.features, evidence.positive, evidence.negative)[0]
        print(f"  {language}: {len(examples)} texts, fast detector out-of-fold", flush=True)

    def weights(self, config: HeadConfig) -> np.ndarray:
        weights = self.item_weight.copy()
        weights[self.source == "neutral"] *= config.neutral
        for source, factor in ENGLISH_WEIGHTS[config.english].items():
            weights[(self.language == "en") & (self.source == source)] *= factor
        return weights


# ------------------------------------------------------------------------------- fitting
def fit_linear(X, y, weights, c: float, balanced: bool = False) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    return model.fit(X, y, sample_weight=weights)


def fit_heads(data: Data, config: HeadConfig, mask: np.ndarray) -> dict:
    """{language or "any": fitted head} on the texts in ``mask``."""
    weights = data.weights(config)
    groups = {ANY_LANGUAGE: mask}
    if config.scope == "language":
        groups = {language: mask & (data.language == language) for language in LANGUAGES}
    return {name: fit_linear(data.X[rows], data.y[rows], weights[rows], config.c,
                             config.balanced) for name, rows in groups.items()}


def out_of_fold_heads(data: Data, config: HeadConfig) -> np.ndarray:
    """Each text's head log-odds from heads fitted without its fold."""
    out = np.zeros(len(data.y))
    for fold in range(FOLDS):
        heads = fit_heads(data, config, data.fold != fold)
        held = np.flatnonzero(data.fold == fold)
        for name, head in heads.items():
            rows = held if name == ANY_LANGUAGE else held[data.language[held] == name]
            out[rows] = head.decision_function(data.X[rows])
    return out


def stacked_inputs(data: Data, kind: str, head: np.ndarray) -> np.ndarray:
    return stack_features(kind, head, data.model_logit, data.italian)


def with_rules(data: Data, logits: np.ndarray) -> np.ndarray:
    """``logits`` moved by the complaint rules and reassurances, as at run time."""
    return np.array([rules_logit(logit, [None] * int(count), [None] * int(reassurances))
                     for logit, count, reassurances in
                     zip(logits, data.complaints, data.reassurances, strict=True)])


def out_of_fold_stacked(data: Data, config: HeadConfig, kind: str, head: np.ndarray):
    """Each text's stacked log-odds (before the rules) from a stacker fitted without its
    fold (``config`` gives the weights of the texts)."""
    inputs, weights = stacked_inputs(data, kind, head), data.weights(config)
    out = np.zeros(len(data.y))
    for fold in range(FOLDS):
        train, held = data.fold != fold, data.fold == fold
        stacker = fit_linear(inputs[train], data.y[train], weights[train], STACKER_C)
        out[held] = stacker.decision_function(inputs[held])
    return out


# ------------------------------------------------------------------------------- scoring
def decisions(data: Data, logits: np.ndarray) -> np.ndarray:
    """The run-time decision: threshold 0.5, critical rules only in a complaint context."""
    return np.array([
        with_critical(logit, [None] * int(count), critical, personal, short)[0] >= 0
        for logit, count, critical, personal, short in
        zip(logits, data.complaints, data.critical, data.personal, data.short, strict=True)])


def f1(predicted: np.ndarray, actual: np.ndarray) -> float:
    tp = int((predicted & actual).sum())
    fp, fn = int((predicted & ~actual).sum()), int((~predicted & actual).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def scores(data: Data, predicted: np.ndarray) -> dict:
    """Held-out figures per language; "score" is the criterion (see the docstring)."""
    result = {}
    for language in LANGUAGES:
        mine = data.language == language
        scored = mine & np.isin(data.source, SCORED_SOURCES[language])
        neutral = mine & (data.source == "neutral")
        for source in SCORED_SOURCES[language]:
            rows = mine & (data.source == source)
            result[f"{language} {source} F1"] = f1(predicted[rows], data.y[rows])
        result[f"{language} neutral flagged"] = float(predicted[neutral].mean())
        result[f"{language} pooled F1"] = f1(predicted[scored | neutral], data.y[scored | neutral])
        result[f"{language} reviews F1"] = f1(predicted[scored], data.y[scored])
    result["score"] = float(np.mean([result[f"{lang} pooled F1"] for lang in LANGUAGES]))
    return result


def reviews_f1(figures: dict) -> float:
    return float(np.mean([figures[f"{language} reviews F1"] for language in LANGUAGES]))


def false_alarms(figures: dict) -> float:
    return max(figures[f"{language} neutral flagged"] for language in LANGUAGES)


def shown(figures: dict) -> str:
    return " | ".join(f"{name} {value:.3f}" if "flagged" not in name else f"{name} {value:.1%}"
                      for name, value in figures.items())


# ------------------------------------------------------------------------------- choosing
def choose_head(data: Data, quick: bool) -> tuple[HeadConfig, np.ndarray, dict]:
    """The head configuration with the best held-out criterion, stage by stage, and its
    out-of-fold log-odds."""
    config = HeadConfig()
    if quick and SHIPPED_FILE.exists():  # the configuration chosen last time
        config = HeadConfig(**json.loads(SHIPPED_FILE.read_text())["training"]["head"])
    logits = out_of_fold_heads(data, config)
    best = (config, logits, scores(data, decisions(data, logits)))
    print(f"head {asdict(config)}\n    {shown(best[2])}", flush=True)
    for stage in () if quick else HEAD_STAGES:
        start = best[0]
        for values in itertools.product(*stage.values()):
            config = replace(start, **dict(zip(stage, values, strict=True)))
            if config == start:
                continue
            logits = out_of_fold_heads(data, config)
            figures = scores(data, decisions(data, logits))
            print(f"head {asdict(config)}\n    {shown(figures)}", flush=True)
            if figures["score"] > best[2]["score"]:
                best = (config, logits, figures)
    return best


def choose_stacker(data: Data, config: HeadConfig, head: np.ndarray, kinds=FEATURE_SETS):
    """(feature set, weight of the neutral mentions, held-out figures) of the stacker chosen
    as the comment on STACKER_NEUTRAL says."""
    candidates = []
    for kind, neutral in itertools.product(kinds, STACKER_NEUTRAL):
        weighting = replace(config, neutral=neutral)
        logits = with_rules(data, out_of_fold_stacked(data, weighting, kind, head))
        figures = scores(data, decisions(data, logits))
        print(f"stacker {kind}, neutral x{neutral:g}\n    {shown(figures)}", flush=True)
        candidates.append((kind, neutral, figures))
    floor = max(reviews_f1(figures) for _, _, figures in candidates) - REVIEW_F1_TOLERANCE
    kept = [candidate for candidate in candidates if reviews_f1(candidate[2]) >= floor]
    return min(kept, key=lambda c: (false_alarms(c[2]), -reviews_f1(c[2])))


def as_json(model: LogisticRegression, digits: int = 5) -> dict:
    return {"bias": round(float(model.intercept_[0]), digits),
            "weights": [round(float(w), digits) for w in model.coef_[0]]}


def main() -> None:
    """Choose, fit on all the training texts, and write data/encoder_head.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vader-sdist", type=Path, help="vaderSentiment-3.3.2.tar.gz")
    parser.add_argument("--sentiment-npm", type=Path, help="sentiment-5.0.2.tgz (npm pack)")
    parser.add_argument("--quick", action="store_true",
                        help="only the head configuration chosen last time (for trying "
                             "things)")
    parser.add_argument("--stacker", choices=FEATURE_SETS, help="only this feature set")
    args = parser.parse_args()
    data = Data(args.vader_sdist, args.sentiment_npm)
    fast = decisions(data, with_rules(data, data.model_logit))
    print(f"fast detector alone (out-of-fold)\n    {shown(scores(data, fast))}", flush=True)

    config, head, head_figures = choose_head(data, args.quick)
    print(f"\nchosen head: {config}", flush=True)
    kinds = [args.stacker] if args.stacker else FEATURE_SETS
    kind, neutral, stacked_figures = choose_stacker(data, config, head, kinds)
    print(f"chosen stacker: {kind}, neutral x{neutral:g}", flush=True)

    everything = np.ones(len(data.y), dtype=bool)
    heads = fit_heads(data, config, everything)
    any_config = replace(config, scope="joint")
    if ANY_LANGUAGE not in heads:
        heads[ANY_LANGUAGE] = fit_heads(data, any_config, everything)[ANY_LANGUAGE]
    weights = data.weights(replace(config, neutral=neutral))
    stacker = fit_linear(stacked_inputs(data, kind, head), data.y, weights, STACKER_C)
    any_head = out_of_fold_heads(data, any_config)
    calibration = fit_linear(any_head[:, None], data.y, weights, STACKER_C)
    calibrated = calibration.decision_function(any_head[:, None])
    other_figures = scores(data, calibrated >= 0)
    print(f"any-language head, calibrated, no rules (as for languages without them)\n"
          f"    {shown(other_figures)}", flush=True)
    result = {
        "model": MODEL_NAME,
        "encoder": ENCODER,
        "heads": {name: as_json(head) for name, head in heads.items()},
        "stacker": {"features": kind, **as_json(stacker)},
        "calibration": as_json(calibration),
        "training": {"head": asdict(config), "stacker_c": STACKER_C,
                     "stacker_neutral": neutral,
                     "cross_validated": {"head": head_figures, "stacked": stacked_figures,
                                         "any language, no rules": other_figures}},
    }
    SHIPPED_FILE.write_text(json.dumps(result, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {SHIPPED_FILE} ({SHIPPED_FILE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
