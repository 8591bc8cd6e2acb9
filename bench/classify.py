"""Benchmark the detector: F1 on the measuring sets, false alarms on neutral text, speed.

Run from the project root: ``python bench/classify.py``. Prints, for the shipped stacked
detector (the sentence encoder) and for the fast detector alone (what decides when the
encoder cannot run; measured in a child process with MONITOR_ENCODER=off):
- negative-class precision, recall and F1, text only, on the English development set
  (../shared/eval, real Amazon review sentences), the Italian sets in tests/detect/data (all
  written by the team; writer B's varied reviews are held out of training) and the German,
  French and Spanish reviews the team wrote (no target); and the English and two Italian
  review sets again with the shop named in each text, as real mentions name it (NAMED);
- the share of neutral texts flagged (false alarms) and the critical ones: real neutral text
  (recipe pages of real food blogs) and the team's held-out written neutral mentions;
- speed on one core (the process pinned to one CPU, one OpenMP thread): encoder tokens/s,
  mentions/s with and without the encoder, on mentions of about 100 tokens; and the wall time
  of 1,000 such mentions through `monitor classify` (JSON lines in, verdicts out) using every
  core; and bench/scan.py's first scan of 300 feeds on 40 hosts with and without the encoder.
The encoder's vectors of the measuring texts are read from tools/embedding_cache.py's cache
when there (the encoder's own output, keyed by encoder and text), else computed; --no-cache
computes them all. How many verdicts the float16 storage of vectors changes is printed too.

Usage: python bench/classify.py [--no-cache] [--skip-speed] [--mentions 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.detect.classify import Scores, classify, evaluate_pairs  # noqa: E402
from monitor.detect.encoder import (  # noqa: E402
    embed,
    encoder_problem,
    vector_from_bytes,
    vector_to_bytes,
)

DATA = ROOT / "tests" / "detect" / "data"
LABELLED = {
    "English dev (real Amazon sentences)": ROOT.parent / "shared/eval/en_amazon_dev.jsonl",
    "Italian, the team's first set": DATA / "it_reviews.jsonl",
    "Italian marketplace style (independent writer)": DATA / "it_reviews_market.jsonl",
    "Italian varied, writer B (held out)": DATA / "it_reviews_varied_b.jsonl",
    "German (written)": DATA / "de_reviews_written.jsonl",
    "French (written)": DATA / "fr_reviews_written.jsonl",
    "Spanish (written)": DATA / "es_reviews_written.jsonl",
}
NEUTRAL = {
    "English real neutral (recipes)": DATA / "en_realworld_neutral.jsonl",
    "Italian real neutral (recipes)": DATA / "it_realworld_neutral.jsonl",
    "English news (written, held out)": DATA / "en_neutral_news_written.jsonl",
    "Italian neutral varied (written, held out)": DATA / "it_neutral_varied_written.jsonl",
    "German neutral (written)": DATA / "de_neutral_written.jsonl",
    "French neutral (written)": DATA / "fr_neutral_written.jsonl",
    "Spanish neutral (written)": DATA / "es_neutral_written.jsonl",
}
# Real mentions name the shop (the scan keeps only those that do), often in a title or an
# opening line, while the measuring sets' reviews do not: the review sets again, each text
# with "Bottega Aurora" named around it (a name no training text uses), in turn in the forms
# below.
NAMED = {
    "English dev, the shop named": ("English dev (real Amazon sentences)", "en"),
    "Italian marketplace style, the shop named":
        ("Italian marketplace style (independent writer)", "it"),
    "Italian varied, writer B, the shop named": ("Italian varied, writer B (held out)", "it"),
}
SHOP = "Bottega Aurora"
NAMING = {  # none of these forms is one that training uses (training_sources.CONTEXTS)
    "en": (f"{SHOP}, order #4411: {{t}}", f"Re: {SHOP}\n{{t}}", f"About {SHOP}. {{t}}",
           f"{{t}} That's my {SHOP} story."),
    "it": (f"{SHOP}, ordine n. 4411: {{t}}", f"Re: {SHOP}\n{{t}}", f"Parlo di {SHOP}. {{t}}",
           f"{{t}} Questa la mia storia con {SHOP}."),
}
MENTION_TOKENS = 100
SPEED_MENTIONS = 200  # per one-core figure


def rows_of(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def all_sets() -> dict[str, list[dict]]:
    found = {**LABELLED, **NEUTRAL}
    sets = {name: rows_of(path) for name, path in found.items() if path.exists()}
    for name, (plain, language) in NAMED.items():
        if plain in sets:
            forms = NAMING[language]
            sets[name] = [row | {"text": forms[index % len(forms)].format(t=row["text"])}
                          for index, row in enumerate(sets[plain])]
    return sets


def vectors_for(texts: list[str], cached: bool):
    if cached:
        sys.path.insert(0, str(ROOT / "tools"))
        from embedding_cache import EmbeddingCache

        return EmbeddingCache().embeddings(texts, "measuring texts: ")
    return embed(texts)


def verdicts(rows: list[dict], vectors=None) -> list:
    if vectors is None:
        return [classify(row["text"]) for row in rows]
    return [classify(row["text"], embedding=vector)
            for row, vector in zip(rows, vectors, strict=True)]


def figures(sets: dict, results: dict) -> list[str]:
    lines = []
    for name, rows in sets.items():
        found = results[name]
        if name in LABELLED or name in NAMED:
            s = evaluate_pairs((v.negative, r["negative"]) for v, r in
                               zip(found, rows, strict=True))
            lines.append(f"  {name}: {_scores(s)}")
        else:
            flagged = sum(v.negative for v in found)
            critical = sum(v.severity == "critical" for v in found)
            lines.append(f"  {name}: {flagged} of {len(rows)} flagged ({flagged / len(rows):.1%}),"
                         f" {critical} critical")
    return lines


def _scores(s: Scores) -> str:
    return (f"F1 {s.f1:.3f} (precision {s.precision:.3f}, recall {s.recall:.3f}; n={s.count}, "
            f"tp={s.tp} fp={s.fp} fn={s.fn} tn={s.tn})")


def fast_part() -> None:
    """In a child process with MONITOR_ENCODER=off: the fast detector's figures."""
    sets = all_sets()
    for line in figures(sets, {name: verdicts(rows) for name, rows in sets.items()}):
        print(line, flush=True)


def quality(cached: bool) -> None:
    sets = all_sets()
    print(f"with the encoder (the shipped stacked detector), vectors "
          f"{'from the cache where there' if cached else 'computed now'}:", flush=True)
    texts = [row["text"] for rows in sets.values() for row in rows]
    vectors = iter(vectors_for(texts, cached))
    stored = {}
    results = {}
    for name, rows in sets.items():
        mine = [next(vectors) for _ in rows]
        results[name] = verdicts(rows, mine)
        stored[name] = verdicts(rows, [vector_from_bytes(vector_to_bytes(v)) for v in mine])
    model = next(iter(results.values()))[0].model
    print(f"  (model {model})")
    for line in figures(sets, results):
        print(line, flush=True)
    changed = sum(a.negative != b.negative or a.severity != b.severity
                  for name in sets for a, b in zip(results[name], stored[name], strict=True))
    print(f"  verdicts changed by storing vectors as float16: {changed} of {len(texts)}")
    print("fast detector alone (MONITOR_ENCODER=off):", flush=True)
    env = {**os.environ, "MONITOR_ENCODER": "off"}
    subprocess.run([sys.executable, __file__, "--part", "fast"], env=env, check=True)


def mentions(count: int, seed: int = 0) -> list[str]:
    """Mentions of about MENTION_TOKENS tokens: measuring texts of several languages, joined."""
    from monitor.detect.encoder import _loaded

    model = _loaded()[0]
    pieces = [row["text"] for path in (*LABELLED.values(), *NEUTRAL.values())
              if path.exists() for row in rows_of(path)]
    random.Random(seed).shuffle(pieces)
    out, current = [], ""
    for piece in pieces * 3:
        current = f"{current} {piece}".strip()
        if model.token_count(current, True) >= MENTION_TOKENS:
            out.append(current)
            current = ""
            if len(out) == count:
                break
    return out


def one_core_part() -> None:
    """In a child process pinned to one CPU with one OpenMP thread: speed figures."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from monitor.detect.encoder import _loaded, cleaned_text

    texts = mentions(SPEED_MENTIONS, seed=1)
    model = _loaded()[0]
    tokens = sum(model.token_count(cleaned_text(text), True) for text in texts)
    classify("warm up")
    start = time.process_time()
    vectors = embed(texts)
    encoding = time.process_time() - start
    start = time.process_time()
    for text, vector in zip(texts, vectors, strict=True):
        classify(text, embedding=vector)
    rest = time.process_time() - start
    print(f"  encoder: {tokens / encoding:,.0f} tokens/s, {len(texts) / encoding:.1f} mentions/s "
          f"({len(texts)} mentions, {tokens / len(texts):.0f} tokens each on average)")
    print(f"  whole detector with the encoder: {len(texts) / (encoding + rest):.1f} mentions/s")


def fast_speed_part() -> None:
    """With MONITOR_ENCODER=off, pinned to one CPU: the fast detector's speed."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    texts = json.loads(sys.stdin.read())
    classify("warm up")
    start = time.process_time()
    for text in texts:
        classify(text)
    elapsed = time.process_time() - start
    print(f"  fast detector alone: {len(texts) / elapsed:,.0f} mentions/s")


def speed(count: int) -> None:
    print("speed on one core (one CPU, one OpenMP thread; CPU time):", flush=True)
    one = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, __file__, "--part", "one-core"], env=one, check=True)
    texts = mentions(count, seed=2)
    off = {**one, "MONITOR_ENCODER": "off"}
    subprocess.run([sys.executable, __file__, "--part", "fast-speed"], env=off, check=True,
                   input=json.dumps(texts), text=True)
    lines = "".join(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in texts)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "monitor", "classify"], input=lines,
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    errors = sum("error" in answer for answer in answers)
    models = sorted({answer.get("model", "-") for answer in answers})
    print(f"`monitor classify`, {len(texts)} mentions of ~{MENTION_TOKENS} tokens, every core "
          f"({os.cpu_count()}): {wall:.1f} s wall ({len(answers)} verdicts, {errors} errors, "
          f"model {', '.join(models)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cache", action="store_true", help="encode every measuring text")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--mentions", type=int, default=1000)
    parser.add_argument("--part", choices=("fast", "one-core", "fast-speed"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = {"fast": fast_part, "one-core": one_core_part, "fast-speed": fast_speed_part}
    if args.part:
        parts[args.part]()
        return
    problem = encoder_problem()
    if problem:
        sys.exit(f"the encoder cannot run here ({problem}): nothing to measure")
    quality(cached=not args.no_cache)
    if not args.skip_speed:
        speed(args.mentions)
        scan()


def scan() -> None:
    """What the encoder costs a scan: bench/scan.py's shop-sized first scan with and
    without it (its own output)."""
    print("\nbench/scan.py (a scan with and without the encoder):", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "scan.py")], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
