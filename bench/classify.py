"""Benchmark the detector: throughput on one core and negative-class F1 on the eval sets.

Run from the project root: ``python bench/classify.py``. The English development set is
read from ../shared/eval; the two Italian sets (written by the team; the marketplace-style one
independently, by another team member) from tests/detect/data. The false-alarm figures are
on real neutral text nobody here wrote (recipe descriptions and steps from real food blogs,
tests/detect/data/*_realworld_neutral.jsonl): a monitor sees far more neutral mentions than
complaints, and every one flagged is a false alarm in the digest.
"""

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.detect.classify import classify, evaluate_file  # noqa: E402

SHARED_EVAL = ROOT.parent / "shared" / "eval"
CLASSIFY_DATA = ROOT / "tests" / "detect" / "data"
EVAL_SETS = {
    "English dev (real Amazon sentences)": SHARED_EVAL / "en_amazon_dev.jsonl",
    "Italian (written by the team)": CLASSIFY_DATA / "it_reviews.jsonl",
    "Italian marketplace style (written by the team, independently)": (
        CLASSIFY_DATA / "it_reviews_market.jsonl"
    ),
}
NEUTRAL_SETS = {
    "English real neutral text": CLASSIFY_DATA / "en_realworld_neutral.jsonl",
    "Italian real neutral text": CLASSIFY_DATA / "it_realworld_neutral.jsonl",
}
ROUNDS = 5


def load_texts() -> list[str]:
    """Texts of every available eval set, the mix used for the throughput figure."""
    texts = []
    for path in EVAL_SETS.values():
        if path.exists():
            with path.open(encoding="utf-8") as lines:
                texts += [json.loads(line)["text"] for line in lines if line.strip()]
    return texts


def measure_throughput(texts: list[str]) -> float:
    """Mentions per second of CPU time on one core (best of a few rounds, so that other
    processes on the machine disturb the figure less), language detection included."""
    best = 0.0
    for _ in range(ROUNDS):
        start = time.process_time()
        for text in texts:
            classify(text)
        best = max(best, len(texts) / (time.process_time() - start))
    return best


def main() -> None:
    """Print throughput, the F1, precision and recall on each eval set, and the false alarms
    on real neutral text."""
    texts = load_texts()
    if texts:
        classify(texts[0])  # load lexicons and models outside the timing
        rate = measure_throughput(texts)
        print(f"throughput: {rate:,.0f} mentions/s on one core ({len(texts)} texts)")
    for name, path in EVAL_SETS.items():
        if not path.exists():
            print(f"{name}: skipped, {path} not found")
            continue
        s = evaluate_file(path)
        print(
            f"{name}: F1 {s.f1:.3f} (precision {s.precision:.3f}, recall {s.recall:.3f}; "
            f"n={s.count}, tp={s.tp} fp={s.fp} fn={s.fn} tn={s.tn})"
        )
    for name, path in NEUTRAL_SETS.items():
        s = evaluate_file(path)
        print(f"{name}: {s.fp} of {s.count} flagged negative (false alarms {s.fp / s.count:.1%})")


if __name__ == "__main__":
    main()
