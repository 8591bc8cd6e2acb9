"""Negative-mention and complaint detection for Italian and English mentions.

``classify`` is the one function the scan calls. ``classify_json_lines`` backs the
``monitor classify`` command and ``evaluate_file`` backs ``monitor evaluate --file``.
The work is done in ``monitor.detect``; see ``monitor/detect/data/README.md``.
"""

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from monitor.detect.core import CATEGORIES, SEVERITIES, Verdict, classify

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "Scores",
    "Verdict",
    "classify",
    "classify_json_lines",
    "classify_many",
    "evaluate_file",
    "evaluate_pairs",
]


class BadLine(ValueError):
    """A JSON line that cannot be classified; the message says what is wrong with it."""


def classify_json_lines(lines: Iterable[str], workers: int = 1) -> Iterator[str]:
    """Classify JSON lines, yielding one JSON line per input line, in order.

    Each input is ``{"text": ..., "rating": ..., "best_rating": ..., "language": ...}``
    (all but text optional). A bad or blank line yields ``{"error": ..., "line": N}``.
    With ``workers`` > 1 the lines are classified in that many processes (see parallel.py).
    """
    yield from _mapped(_classify_numbered, enumerate(lines, start=1), workers)


def classify_many(texts: Iterable[str], workers: int = 1) -> Iterator[Verdict]:
    """``classify(text)`` for each of ``texts``, in order, in ``workers`` processes."""
    return _mapped(classify, texts, workers)


def _mapped(function, items: Iterable, workers: int) -> Iterator:
    """``function(item)`` for each item, in order: in ``workers`` processes when more than
    one (see parallel.py), else here."""
    if workers > 1:
        from monitor.detect.parallel import ordered_map

        return ordered_map(function, items, workers)
    return map(function, items)


def _classify_numbered(numbered: tuple[int, str]) -> str:
    return classify_line(*numbered)


def classify_line(number: int, line: str) -> str:
    """The JSON verdict for one input line, or ``{"error": ..., "line": number}``: a bad line
    or a text the detector cannot handle never stops the lines after it."""
    try:
        verdict = classify(**_parse_line(line))
    except BadLine as problem:
        return json.dumps({"error": str(problem), "line": number}, ensure_ascii=False)
    except Exception as error:  # noqa: BLE001 - one odd text must not end the stream
        problem = f"could not classify this text: {type(error).__name__}: {error}"
        return json.dumps({"error": problem, "line": number}, ensure_ascii=False)
    return json.dumps(asdict(verdict), ensure_ascii=False)


def _parse_line(line: str) -> dict:
    if not line.strip():
        raise BadLine('blank line: expected a JSON object with a "text" field')
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"not valid JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(data, dict):
        raise BadLine(f"expected a JSON object, got {type(data).__name__}")
    return _fields_of(data)


def _fields_of(data: dict) -> dict:
    text = data.get("text")
    if not isinstance(text, str):
        problem = "missing" if text is None else f"a {type(text).__name__}, not a string"
        raise BadLine(f'"text" is {problem}')
    fields = {"text": text}
    for key in ("rating", "best_rating"):
        value = data.get(key)
        if value is None:
            continue
        if not _is_number(value):
            raise BadLine(f'"{key}" must be a number, got {json.dumps(value)}')
        fields[key] = float(value)
    if fields.get("best_rating") is not None and fields["best_rating"] <= 0:
        raise BadLine(f'"best_rating" must be positive, got {fields["best_rating"]:g}')
    language = data.get("language")
    if language is not None:
        if not isinstance(language, str) or not language.strip():
            shown = json.dumps(language)
            raise BadLine(f'"language" must be a language code such as "it", got {shown}')
        fields["language"] = language
    return fields


def _is_number(value: object) -> bool:
    real = isinstance(value, int | float) and not isinstance(value, bool)
    return real and math.isfinite(value)


@dataclass
class Scores:
    """Precision, recall and F1 of the negative class, with the confusion counts."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    tn: int
    count: int


def evaluate_pairs(pairs: Iterable[tuple[bool, bool]]) -> Scores:
    """Score ``(predicted, actual)`` pairs, negative being the positive class."""
    tp = fp = fn = tn = 0
    for predicted, actual in pairs:
        if predicted and actual:
            tp += 1
        elif predicted:
            fp += 1
        elif actual:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, fp, fn, tn, tp + fp + fn + tn)


def evaluate_file(path: str | Path, workers: int = 1) -> Scores:
    """Score the detector on a JSON-lines file of ``{"text", "negative", ...}`` objects.

    Optional ``rating``, ``best_rating`` and ``language`` are passed to ``classify``; with
    ``workers`` > 1 the texts are classified in that many processes. Raises ValueError
    naming the file and line for a line that cannot be used (before classifying any).
    """
    path = Path(path)
    examples = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                examples.append(_labelled_example(line))
            except BadLine as problem:
                raise ValueError(f"{path}, line {number}: {problem}") from None
    return evaluate_pairs(_mapped(_decide, examples, workers))


def _decide(example: tuple[dict, bool]) -> tuple[bool, bool]:
    fields, actual = example
    return classify(**fields).negative, actual


def _labelled_example(line: str) -> tuple[dict, bool]:
    fields = _parse_line(line)
    actual = json.loads(line).get("negative")
    if not isinstance(actual, bool):
        raise BadLine(f'"negative" must be true or false, got {json.dumps(actual)}')
    return fields, actual
