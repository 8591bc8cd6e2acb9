"""`monitor detector retrain`: refit the detector's head on the shop's own labels."""

from __future__ import annotations

import click

from monitor.cli.context import EXIT_PARTIAL, Context, pass_context


@click.group()
def detector():
    """The detector: learn from the labels your staff gave.

    Example: monitor detector retrain
    """


@detector.command("retrain")
@pass_context
def detector_retrain(obj: Context):
    """Refit the detector on the labels your staff gave (`monitor mentions mark`, "not a
    complaint" in the inbox) and adopt the result only when cross-validation on those
    labels finds it no worse than the shipped detector. `monitor run` does it after every
    20 new labels.

    Exit code 0: refit (adopted or not, the output says which and why); 1: the sentence
    encoder cannot be used on this machine (the shipped detector keeps deciding).

    Example: monitor detector retrain
    """
    from monitor.service.detector import RetrainImpossible, retrain

    with obj.storage() as storage:
        try:
            result = retrain(storage)
        except RetrainImpossible as exc:
            click.echo(f"Error: {exc}", err=True)
            raise SystemExit(EXIT_PARTIAL) from None
    figures = ""
    if result.shipped_f1 is not None and result.adapted_f1 is not None:
        figures = (f"; cross-validated F1 on them: shipped {result.shipped_f1:.3f}, "
                   f"adapted {result.adapted_f1:.3f}")
    verdict = f"adopted: {result.model} decides from now on" if result.adopted \
        else "not adopted: the shipped detector keeps deciding"
    click.echo(f"Refit on {result.labels} labels{figures}. {verdict}. {result.note}")
