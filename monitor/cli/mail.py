"""`monitor digest` and `monitor alerts`: mail that is marked sent only once the server
accepted it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor.cli.context import EXIT_PARTIAL, Context, UsageProblem, _, pass_context


@click.command()
@click.option("--dry-run", is_flag=True,
              help="Write the digest to files (--out), send nothing, mark nothing.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="With --dry-run: the folder for digest.html, digest.txt and digest.eml.")
@click.option("--force", is_flag=True,
              help="Send the last sent digest again, with the same mentions.")
@pass_context
def digest(obj: Context, dry_run: bool, out_dir: Path | None, force: bool):
    """Mail the digest of every mention not yet in a sent digest.

    The mentions are marked as digested only once the SMTP server accepted the message:
    when sending fails nothing is marked and the next run sends it all. A second run
    with nothing new sends nothing (unless [digest] send_when_empty = true).

    Exit code 0: sent, or nothing new to send; 1: the server did not accept the message
    (nothing marked); 2: configuration error (no recipients, password variable unset).

    Example: monitor digest            (or: monitor digest --dry-run --out /tmp/digest)
    """
    from monitor.notify.delivery import NothingToResend, render_digest, send_digest
    from monitor.notify.digest import write_digest
    from monitor.notify.mailer import MailConfigError, MailError

    settings = obj.settings
    if dry_run:
        if out_dir is None:
            raise UsageProblem(_("--dry-run needs --out DIR"))
        with obj.storage() as storage:
            try:
                result, _last = render_digest(storage, settings, force=force)
            except NothingToResend as exc:
                raise UsageProblem(str(exc)) from None
        paths = write_digest(result, out_dir, settings.digest.sender,
                             settings.digest.recipients)
        click.echo(result.subject)
        click.echo(_("Wrote %(files)s") % {"files": ", ".join(str(p) for p in paths)})
        return
    if out_dir is not None:
        raise UsageProblem(_("--out is for --dry-run only"))
    try:
        outcome = send_digest(settings, force=force)
    except (MailConfigError, NothingToResend) as exc:
        raise UsageProblem(str(exc)) from None
    except MailError as exc:
        click.echo(_("Error: digest not sent, nothing marked (the next run includes it "
                     "all): %(error)s") % {"error": exc}, err=True)
        sys.exit(EXIT_PARTIAL)
    for row in outcome.interrupted:
        click.echo(_("Warning: digest %(id)s of %(when)s was cut off while sending, so it "
                     "may or may not have arrived; its mentions are sent again, marked as "
                     "maybe already received.") % {"id": row["id"], "when": row["created_at"]},
                   err=True)
    if not outcome.sent:
        click.echo(_("Nothing new since the last digest: no mail sent "
                     "([digest] send_when_empty = false)."))
        return
    digest_result = outcome.digest
    message = (_("Sent digest %(id)s again to %(to)s: %(subject)s (%(count)s mentions).")
               if force else
               _("Sent digest %(id)s to %(to)s: %(subject)s (%(count)s mentions)."))
    click.echo(message % {"id": outcome.digest_id, "to": ", ".join(settings.digest.recipients),
                          "subject": digest_result.subject,
                          "count": len(digest_result.mention_ids)})
    _report_refused(outcome.refused)
    sys.exit(EXIT_PARTIAL if outcome.refused else 0)


def _report_refused(refused: dict[str, str]) -> None:
    for address, reply in refused.items():
        click.echo(_("Warning: the server refused the recipient %(address)s: %(reply)s")
                   % {"address": address, "reply": reply}, err=True)


@click.command()
@pass_context
def alerts(obj: Context):
    """Send each new complaint at or above [alerts] min_severity at once, one message each,
    once only: by e-mail, and to each Apprise URL of [alerts] notify (Telegram, Slack,
    Teams, Matrix, ntfy, ...). Does nothing when [alerts] enabled = false. `monitor scan`
    runs it too.

    Exit code 0: every alert sent (or none due); 1: a channel did not accept one (it is
    tried again there next time; `monitor run` retries after 5, 15, 30, 60 minutes, then
    hourly); 2: configuration error.

    Example: monitor alerts
    """
    from monitor.notify.mailer import MailConfigError

    settings = obj.settings
    if not settings.alerts.enabled:
        click.echo(_("Alerts are off ([alerts] enabled = false): nothing sent."))
        return
    try:
        ok = _send_alerts(settings)
    except MailConfigError as exc:
        raise UsageProblem(str(exc)) from None
    sys.exit(0 if ok else EXIT_PARTIAL)


def _send_alerts(settings) -> bool:
    """Send the due alerts and report them; True when all went well."""
    from monitor.notify.alerts import send_alerts

    outcome = send_alerts(settings)
    for row in outcome.interrupted:
        click.echo(_("Warning: alert %(id)s was cut off while sending; it is sent again, "
                     "marked as maybe already received.") % {"id": row["id"]}, err=True)
    for sent in outcome.sent:
        click.echo(_("Alert sent: %(subject)s") % {"subject": sent})
    _report_refused(outcome.refused)
    for error in outcome.errors.values():
        click.echo(_("Error: alert not sent (it is tried again next time): %(error)s")
                   % {"error": error}, err=True)
    return not outcome.errors and not outcome.refused


def alerts_after_scan(settings) -> bool:
    """Send the urgent alerts at the end of a scan when [alerts] enabled; True when fine.

    Whatever goes wrong here is reported and turns the exit code to 1; the scan's
    mentions are already stored and stay so.
    """
    if not settings.alerts.enabled:
        return True
    try:
        return _send_alerts(settings)
    except Exception as exc:  # noqa: BLE001 - an alert failure must not fail the scan
        click.echo(_("Error: urgent alerts not sent: %(error)s") % {"error": exc}, err=True)
        return False
