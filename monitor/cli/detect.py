"""`monitor classify`, `monitor evaluate` and `monitor demo`."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from monitor.cli.context import Context, UsageProblem, pass_context


@click.command()
def classify():
    """Classify JSON lines from stdin; write one JSON verdict a line to stdout, in order.

    Each input line: {"text": ..., "rating": optional, "best_rating": optional,
    "language": optional}. A bad line gets {"error": ..., "line": N} on its output line.
    Each verdict says which model decided ("model": "e5-2" with the sentence encoder,
    "fast-2" without it). With the encoder, every core works (one process each).

    Example: echo '{"text": "il pacco non è mai arrivato"}' | monitor classify
    """
    from monitor.detect.classify import classify_json_lines

    for line in classify_json_lines(sys.stdin, workers=_workers()):
        click.echo(line)


def _workers() -> int:
    """Every core when the encoder runs (the fast detector alone needs no more than one)."""
    from monitor.detect.encoder import encoder_problem

    return (os.cpu_count() or 1) if encoder_problem() is None else 1


@click.command()
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON lines with text and negative (true/false).")
@pass_context
def evaluate(obj: Context, path: Path | None):
    """Precision, recall and F1 of the detector on the negative class: against the labels
    staff stored (`monitor mentions mark`), or against a JSON-lines file.

    Example: monitor evaluate --file ../shared/eval/en_amazon_dev.jsonl
    """
    from monitor.detect.classify import evaluate_file

    if path is not None:
        try:
            scores = evaluate_file(path, workers=_workers())
        except ValueError as exc:
            raise UsageProblem(str(exc)) from None
        click.echo(f"{path}: {scores.count} texts; negative class {_figures(scores)}")
        return
    from monitor.service.detector import compare_on_labels

    with obj.storage() as storage:
        compared = compare_on_labels(storage)
    if not compared["count"]:
        raise UsageProblem("no mention has a stored label yet: mark some with "
                           "`monitor mentions mark ID --negative|--not-negative`, "
                           "or pass --file")
    click.echo(f"stored human labels: {compared['count']} texts; negative class")
    click.echo(f"  shipped detector:  {_figures(compared['shipped'])}")
    head = compared["head"]
    if compared["adapted"] is None:
        why = "no refit yet (monitor detector retrain)" if head is None else \
            "not usable here (the sentence encoder cannot be loaded)"
        click.echo(f"  shop's own head:   {why}")
        return
    state = "adopted" if head["adopted"] else "not adopted"
    click.echo(f"  shop's own head:   {_figures(compared['adapted'])}  "
               f"({head['model']}, {state}; it learnt from these labels, so this is "
               "optimistic)")
    if head["shipped_f1"] is not None and head["adapted_f1"] is not None:
        click.echo(f"  cross-validated at its refit ({head['labels']} labels): shipped F1 "
                   f"{head['shipped_f1']:.3f}, shop's own F1 {head['adapted_f1']:.3f}")


def _figures(scores) -> str:
    return (f"precision {scores.precision:.3f}, recall {scores.recall:.3f}, "
            f"F1 {scores.f1:.3f} (tp {scores.tp}, fp {scores.fp}, fn {scores.fn}, "
            f"tn {scores.tn})")


@click.command()
@click.option("--out", "out_dir", default="demo-output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo's database and digest go.")
def demo(out_dir: Path):
    """Serve the bundled sample sites on 127.0.0.1, scan them, and write the digest.

    Offline; takes a few seconds. Example: monitor demo --out /tmp/demo
    """
    from monitor.demo.run import run_demo

    if out_dir.exists():
        shutil.rmtree(out_dir)
    report = run_demo(out_dir)
    click.echo(report)


