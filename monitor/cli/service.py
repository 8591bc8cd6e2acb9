"""Commands for running monitor unattended: `run`, `status`, `prune` and `export`."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from monitor.cli.context import EXIT_LOCKED, EXIT_PARTIAL, Context, configure_logging, pass_context


@click.command()
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the log to this file (it is appended to).")
@pass_context
def run(obj: Context, log_file: Path | None):
    """Run as a service: scan every [schedule] scan_every, mail alerts after each scan,
    send the digest daily at [digest] time; stop cleanly on SIGTERM or Ctrl-C.

    Each scan runs in a child process, killed after [schedule] scan_timeout. A digest
    missed while the service was down is sent once when it starts. Exit code 0 after a
    clean stop; 2 configuration error; 3 another `monitor run` serves this database.

    Example: monitor --config /etc/monitor/settings.toml --log-level INFO run
    """
    from monitor.service.scheduler import Service, ServiceRunning

    settings = obj.settings
    level = logging.getLevelName(logging.getLogger().level)
    if log_file:
        configure_logging(level, str(log_file))
    service = Service(settings, log_level=level)
    try:
        sys.exit(service.run())
    except ServiceRunning as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for monitoring.")
@pass_context
def status(obj: Context, as_json: bool):
    """Show the last scan, the last digest, open complaints and the database size.

    Exit code 1 when the last scan started more than twice [schedule] scan_every ago
    (6 hours when not set) or the last digest failed; 0 otherwise.

    Example: monitor status --json
    """
    from monitor.service.status import build_status, format_status

    settings = obj.settings
    with obj.storage() as storage:
        report = build_status(storage, settings)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else format_status(report))
    sys.exit(0 if report["healthy"] else EXIT_PARTIAL)


@click.command()
@pass_context
def prune(obj: Context):
    """Delete non-negative mentions found more than [storage] keep_days ago.

    Complaints (negative by the detector or by your label) are always kept. Exit code
    0 done (or keep_days = 0: nothing to do); 3 a scan is running, try later.

    Example: monitor prune
    """
    from monitor.collect.scan import ScanLocked
    from monitor.service.retention import prune_old_mentions

    settings = obj.settings
    if settings.storage.keep_days == 0:
        click.echo("storage.keep_days is 0: mentions are kept forever, nothing to prune.")
        return
    try:
        deleted = prune_old_mentions(settings)
    except ScanLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(f"Deleted {deleted} non-negative mentions found more than "
               f"{settings.storage.keep_days} days ago.")


@click.command()
@click.option("--format", "form", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="CSV with a header row, or one JSON array.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@pass_context
def export(obj: Context, form: str, out_file: Path | None):
    """Write every stored mention, oldest first, as CSV or JSON.

    Example: monitor export --format csv --out mentions.csv
    """
    from monitor.service.retention import export_mentions

    with obj.storage() as storage:
        if out_file is None:
            count = export_mentions(storage.each_mention(), sys.stdout, form)
        else:
            with open(out_file, "w", encoding="utf-8", newline="") as out:
                count = export_mentions(storage.each_mention(), out, form)
    click.echo(f"{count} mentions exported", err=True)
