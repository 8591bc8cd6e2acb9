"""`monitor mentions`: list stored mentions, label them, see who saw them."""

from __future__ import annotations

import json
from datetime import datetime

import click

from monitor.cli.context import Context, UsageProblem, _, ngettext, pass_context

MENTION_FIELDS = ("id", "source", "kind", "url", "title", "text", "author", "language",
                  "rating", "best_rating", "negative", "human_negative", "score", "severity",
                  "categories", "reasons", "published_at", "found_at", "page_note", "model")


@click.group(invoke_without_command=True)
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
            raise UsageProblem(_("--since: not a date (YYYY-MM-DD): %(value)r")
                               % {"value": since}) from None
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
    click.echo(ngettext("%(num)s mention", "%(num)s mentions", len(rows))
               % {"num": len(rows)}, err=True)


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
            raise UsageProblem(_("no mention with id %(id)s") % {"id": mention_id})
        storage.mark_mention(mention_id, negative)
    click.echo((_("Mention %(id)s marked negative.") if negative else
                _("Mention %(id)s marked not negative.")) % {"id": mention_id})


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
            raise UsageProblem(_("no mention with id %(id)s") % {"id": mention_id})
        rows = storage.sightings(mention_id)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{row['seen_at']}  {row['source'][:20]:<20} {row['source_type']:<8} "
                       f"{row['via_url'] or ''}")
    click.echo(ngettext("%(num)s sighting", "%(num)s sightings", len(rows))
               % {"num": len(rows)}, err=True)


