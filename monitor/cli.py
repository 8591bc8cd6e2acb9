"""The `monitor` command line.

Exit codes, for every command: 0 success; 1 the work was done in part (a source failed,
a message could not be sent) and what was done is stored; 2 usage or configuration
error; 3 another scan is already running.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import click

from monitor.config import ConfigError, config_path, load_settings

EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


class UsageProblem(click.ClickException):
    """A configuration or usage error: exit code 2."""

    exit_code = EXIT_USAGE


class Context:
    def __init__(self, config: str | None):
        self.config = config
        self._settings = None

    @property
    def settings(self):
        if self._settings is None:
            try:
                self._settings = load_settings(config_path(self.config))
            except ConfigError as exc:
                raise UsageProblem(str(exc)) from None
        return self._settings

    def storage(self):
        from monitor.storage import Storage

        return Storage(self.settings.database_path)


pass_context = click.make_pass_decorator(Context)


def configure_logging(level: str, log_file: str | None = None) -> None:
    """One line per event on stderr (and in `log_file`), at `level` and above.

    The level is set on the handlers, not only on the root logger, because Scrapy sets
    its own loggers to DEBUG.
    """
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=handlers, force=True)


@click.group()
@click.version_option(package_name="monitor")
@click.option("--config", "config", metavar="PATH", envvar="MONITOR_CONFIG",
              help="Settings file (default ./settings.toml, or $MONITOR_CONFIG).")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Least important log messages shown on stderr.")
@click.pass_context
def main(ctx, config, log_level):
    """Watch feeds, review sites and blogs for mentions of your brand, flag complaints,
    and mail a daily digest of what to follow up personally."""
    configure_logging(log_level.upper())
    ctx.obj = Context(config)


@main.command()
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
        raise UsageProblem(f"{target} already exists (use --force to overwrite it)")
    example = example_settings().read_text(encoding="utf-8")
    quoted = json.dumps(brand, ensure_ascii=False)
    text = example.replace('name = "Bottega Aurora"', f"name = {quoted}", 1)
    # The example's aliases and exclusions are Bottega Aurora's, not the new brand's: they
    # would be matched, and put in every search query.
    if brand != "Bottega Aurora":
        text = re.sub(r"(?m)^aliases = \[.*\]$", "aliases = []", text, count=1)
        text = re.sub(r"(?m)^exclude = \[.*\]$", "exclude = []", text, count=1)
    if search:
        from monitor.search_engines import commented_search_sources

        text += commented_search_sources(brand)
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {target}. Add your sources, then run: monitor --config {target} scan")


def example_settings() -> Path:
    packaged = Path(__file__).parent / "settings.example.toml"
    return packaged if packaged.exists() else Path(__file__).resolve().parent.parent / (
        "settings.toml")


@main.command()
@pass_context
def scan(obj: Context):
    """Read every enabled source once and store the mentions of the brand.

    Exit code 0: every source was read; 1: some source failed (the others are stored,
    the errors are listed); 3: another scan is running.

    Example: monitor --config settings.toml scan
    """
    from monitor.scan import ScanLocked, run_scan

    settings = obj.settings
    try:
        result = run_scan(settings)
    except ScanLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(f"Scan {result.scan_id}: {result.new_mentions} new mentions, "
               f"{result.updated_mentions} updated, {result.sources_ok} sources read, "
               f"{len(result.errors)} failed.")
    for name, error in result.errors.items():
        click.echo(f"  source {name!r} failed: {error}", err=True)
    from monitor.cli_mail import alerts_after_scan

    alerts_ok = alerts_after_scan(settings)  # urgent alerts; never undoes the scan
    sys.exit(0 if result.ok and alerts_ok else EXIT_PARTIAL)


MENTION_FIELDS = ("id", "source", "kind", "url", "title", "text", "author", "language",
                  "rating", "best_rating", "negative", "human_negative", "score", "severity",
                  "categories", "reasons", "published_at", "found_at", "page_note")


@main.group(invoke_without_command=True)
@click.option("--negative", is_flag=True, help="Only complaints (negative mentions).")
@click.option("--since", metavar="DATE", help="Only mentions published on or after DATE "
              "(YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.pass_context
def mentions(ctx, negative: bool, since: str | None, as_json: bool):
    """List stored mentions, newest first.

    Example: monitor mentions --negative --since 2026-11-01 --json
    """
    if ctx.invoked_subcommand:
        return
    if since:
        try:
            datetime.fromisoformat(since)
        except ValueError:
            raise UsageProblem(f"--since: not a date (YYYY-MM-DD): {since!r}") from None
    with ctx.obj.storage() as storage:
        rows = storage.mentions(negative=True if negative else None, since=since)
    if as_json:
        for row in rows:
            click.echo(json.dumps({k: row.get(k) for k in MENTION_FIELDS}, ensure_ascii=False))
        return
    for row in rows:
        flag = "NEG" if (row["human_negative"] if row["human_negative"] is not None
                         else row["negative"]) else "   "
        when = (row["published_at"] or row["found_at"] or "")[:10]
        title = " ".join((row["title"] or row["snippet"] or "").split())[:60]
        click.echo(f"{row['id']:>6} {flag} {row['severity'] or '':<8} {when:<10} "
                   f"{row['source'][:16]:<16} {title}")
    click.echo(f"{len(rows)} mentions", err=True)


@mentions.command("mark")
@click.argument("mention_id", type=int)
@click.option("--negative/--not-negative", required=True,
              help="Your label: it needs a follow-up, or it does not.")
@pass_context
def mentions_mark(obj: Context, mention_id: int, negative: bool):
    """Store your label for a mention; re-classification never overrides it.

    Example: monitor mentions mark 42 --not-negative
    """
    with obj.storage() as storage:
        if storage.mention(mention_id) is None:
            raise UsageProblem(f"no mention with id {mention_id}")
        storage.mark_mention(mention_id, negative)
    click.echo(f"Mention {mention_id} marked {'negative' if negative else 'not negative'}.")


@main.command()
@click.option("--suggested", is_flag=True,
              help="Sites found by search sources often, proposed as new sources.")
@pass_context
def sources(obj: Context, suggested: bool):
    """List the sources with their health.

    A source is BROKEN after 3 failed scans in a row. With --suggested: the sites that
    search sources found at least [discovery] suggest_after times and no source reads,
    each with the settings.toml lines that add it.

    Example: monitor sources
    """
    settings = obj.settings
    if suggested:
        return print_suggested_sites(obj)
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


@main.command()
def classify():
    """Classify JSON lines from stdin; write one JSON verdict a line to stdout.

    Each input line: {"text": ..., "rating": optional, "best_rating": optional,
    "language": optional}. A bad line gets {"error": ...} on its output line.

    Example: echo '{"text": "il pacco non è mai arrivato"}' | monitor classify
    """
    from monitor.classify import classify_json_lines

    for line in classify_json_lines(sys.stdin):
        click.echo(line)


@main.command()
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON lines with text and negative (true/false).")
@pass_context
def evaluate(obj: Context, path: Path | None):
    """Precision, recall and F1 of the detector on the negative class: against the labels
    staff stored (`monitor mentions mark`), or against a JSON-lines file.

    Example: monitor evaluate --file ../shared/eval/en_amazon_dev.jsonl
    """
    from monitor.classify import classify as run_classifier
    from monitor.classify import evaluate_file, evaluate_pairs

    if path is not None:
        try:
            scores = evaluate_file(path)
        except ValueError as exc:
            raise UsageProblem(str(exc)) from None
        label = str(path)
    else:
        with obj.storage() as storage:
            pairs = [(run_classifier(f"{m['title'] or ''}\n{m['text'] or ''}",
                                     rating=m["rating"], best_rating=m["best_rating"]).negative,
                      m["human_negative"]) for m in storage.labelled_mentions()]
        if not pairs:
            raise UsageProblem("no mention has a stored label yet: mark some with "
                               "`monitor mentions mark ID --negative|--not-negative`, "
                               "or pass --file")
        scores = evaluate_pairs(pairs)
        label = "stored human labels"
    click.echo(f"{label}: {scores.count} texts; negative class precision "
               f"{scores.precision:.3f}, recall {scores.recall:.3f}, F1 {scores.f1:.3f} "
               f"(tp {scores.tp}, fp {scores.fp}, fn {scores.fn}, tn {scores.tn})")


@main.command()
@click.option("--out", "out_dir", default="demo-output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo's database and digest go.")
def demo(out_dir: Path):
    """Serve the bundled sample sites on 127.0.0.1, scan them, and write the digest.

    Offline; takes a few seconds. Example: monitor demo --out /tmp/demo
    """
    from monitor.demo import run_demo

    if out_dir.exists():
        shutil.rmtree(out_dir)
    report = run_demo(out_dir)
    click.echo(report)


# --- mentions seen by several sources (issue 8) ---


@mentions.command("sightings")
@click.argument("mention_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@pass_context
def mentions_sightings(obj: Context, mention_id: int, as_json: bool):
    """List the sources that saw a mention: each source once, when it first saw it, and
    the link it gave (a search engine's redirect, say).

    Example: monitor mentions sightings 42
    """
    with obj.storage() as storage:
        if storage.mention(mention_id) is None:
            raise UsageProblem(f"no mention with id {mention_id}")
        rows = storage.sightings(mention_id)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{row['seen_at']}  {row['source'][:20]:<20} {row['source_type']:<8} "
                       f"{row['via_url'] or ''}")
    click.echo(f"{len(rows)} sightings", err=True)


def print_suggested_sites(obj: Context) -> None:
    """`monitor sources --suggested`: each suggested site with the lines that add it."""
    from monitor.discovery import suggested_sites

    settings = obj.settings
    with obj.storage() as storage:
        storage.sync_sources(settings.sources)
        suggestions = suggested_sites(storage, settings)
    if not suggestions:
        click.echo(f"No site found by search at least {settings.discovery.suggest_after} "
                   "times that no source reads yet.")
        return
    for suggestion in suggestions:
        click.echo(f"# {suggestion.host}: {suggestion.pages} pages naming the brand found by "
                   f"search since {suggestion.first_seen_at[:10]}, e.g. {suggestion.example}")
        click.echo(f"# To watch it, add to {settings.path}:")
        click.echo(suggestion.toml())


# Commands of the other concerns register themselves on `main` when imported.
from monitor import cli_mail, cli_service  # noqa: E402, F401
from monitor.cli_followups import followup, staff, web  # noqa: E402

main.add_command(followup)
main.add_command(staff)
main.add_command(web)
