"""`monitor init`, `monitor scan` and `monitor sources`: what is watched, and reading it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from monitor.cli.context import EXIT_LOCKED, EXIT_PARTIAL, Context, UsageProblem, _, pass_context
from monitor.resources import example_settings


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--brand", prompt="Brand name", help="The brand to watch.")
@click.option("--force", is_flag=True, help="Overwrite an existing settings.toml.")
@click.option("--search/--no-search", default=True, show_default=True,
              help="Add commented-out search feeds (Google News, Reddit...) for BRAND.")
def init(directory: Path, brand: str, force: bool, search: bool):
    """Write a commented settings.toml for BRAND into DIRECTORY.

    Example: monitor init --brand "Bottega Aurora" ~/monitor
    """
    target = directory / "settings.toml"
    if target.exists() and not force:
        raise UsageProblem(_("%(file)s already exists (use --force to overwrite it)")
                           % {"file": target})
    example = example_settings().read_text(encoding="utf-8")
    quoted = json.dumps(brand, ensure_ascii=False)
    text = example.replace('name = "Bottega Aurora"', f"name = {quoted}", 1)
    # The example's aliases and exclusions are Bottega Aurora's, not the new brand's: they
    # would be matched, and put in every search query.
    if brand != "Bottega Aurora":
        text = re.sub(r"(?m)^aliases = \[.*\]$", "aliases = []", text, count=1)
        text = re.sub(r"(?m)^exclude = \[.*\]$", "exclude = []", text, count=1)
    if search:
        from spiders.search_engines import commented_search_sources

        text += commented_search_sources(brand)
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(_("Wrote %(file)s. Add your sources, then run: %(command)s")
               % {"file": target, "command": f"monitor --config {target} scan"})


@click.command()
@pass_context
def scan(obj: Context):
    """Read every enabled source once and store the mentions of the brand.

    Exit code 0: every source was read; 1: some source failed (the others are stored,
    the errors are listed); 3: another scan is running.

    Example: monitor --config settings.toml scan
    """
    from monitor.collect.scan import ScanLocked, run_scan

    settings = obj.settings
    try:
        result = run_scan(settings)
    except ScanLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(_("Scan %(id)s: %(new)s new mentions, %(updated)s updated, %(ok)s sources "
                 "read, %(failed)s failed.")
               % {"id": result.scan_id, "new": result.new_mentions,
                  "updated": result.updated_mentions, "ok": result.sources_ok,
                  "failed": len(result.errors)})
    for name, error in result.errors.items():
        click.echo("  " + _("source %(name)r failed: %(error)s") % {"name": name,
                                                                   "error": error}, err=True)
    from monitor.cli.mail import alerts_after_scan

    alerts_ok = alerts_after_scan(settings)  # urgent alerts; never undoes the scan
    sys.exit(0 if result.ok and alerts_ok else EXIT_PARTIAL)


@click.command()
@click.option("--suggested", is_flag=True,
              help="Sites found by search sources often, proposed as new sources.")
@click.option("--reread", metavar="NAME",
              help="Forget what source NAME last read, so that its next scan reads every "
                   "page in full (its mentions are kept, none is added twice).")
@pass_context
def sources(obj: Context, suggested: bool, reread: str | None):
    """List the sources with their health.

    A source is BROKEN after 3 failed scans in a row. With --suggested: the sites that
    search sources found at least [discovery] suggest_after times and no source reads,
    each with the settings.toml lines that add it. With --reread NAME: the next scan reads
    every page of source NAME in full, as if new (e.g. after its comments were really
    deleted on several posts, which the scan takes for a changed page layout).

    Example: monitor sources --reread forum
    """
    settings = obj.settings
    if suggested:
        return print_suggested_sites(obj)
    if reread is not None:
        return reread_source(obj, reread)
    with obj.storage() as storage:
        storage.sync_sources(settings.sources)
        rows = storage.sources_health()
    click.echo(f"{'name':<20} {'type':<8} {'last success':<26} {'fails':>5} {'mentions':>8}"
               "  last error")
    for row in rows:
        state = " BROKEN" if (row["consecutive_failures"] or 0) >= 3 else ""
        click.echo(f"{row['name'][:20]:<20} {row['type']:<8} "
                   f"{row['last_success_at'] or 'never':<26} "
                   f"{row['consecutive_failures'] or 0:>5} {row['mentions']:>8}  "
                   f"{row['last_error'] or ''}{state}")


def reread_source(obj: Context, name: str) -> None:
    """`monitor sources --reread NAME`."""
    settings = obj.settings
    if name not in {source.name for source in settings.sources}:
        raise UsageProblem(f"--reread: no source called {name!r} in the settings "
                           f"({', '.join(sorted(s.name for s in settings.sources))})")
    with obj.storage() as storage:
        storage.sync_sources(settings.sources)
        pages = storage.forget_reads(name)
    click.echo(f"Source {name!r}: its next scan reads every page in full ({pages} pages "
               "known); its mentions are kept.")


def print_suggested_sites(obj: Context) -> None:
    """`monitor sources --suggested`: each suggested site with the lines that add it."""
    from monitor.collect.discovery import suggested_sites

    settings = obj.settings
    with obj.storage() as storage:
        storage.sync_sources(settings.sources)
        suggestions = suggested_sites(storage, settings)
    if not suggestions:
        click.echo(_("No site found by search at least %(count)s times that no source "
                     "reads yet.") % {"count": settings.discovery.suggest_after})
        return
    for suggestion in suggestions:
        click.echo("# " + _("%(host)s: %(count)s pages naming the brand found by search "
                            "since %(since)s, e.g. %(example)s")
                   % {"host": suggestion.host, "count": suggestion.pages,
                      "since": suggestion.first_seen_at[:10], "example": suggestion.example})
        click.echo("# " + _("To watch it, add to %(file)s:") % {"file": settings.path})
        click.echo(suggestion.toml())


