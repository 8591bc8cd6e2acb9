"""The `monitor followup`, `monitor staff` and `monitor web` commands.

Registered on the `main` group in monitor/cli/__init__.py.
"""

from __future__ import annotations

import json
import shlex
import sys

import click

from monitor.cli.context import Context, UsageProblem, _, ngettext, pass_context
from monitor.followup.actions import PasswordRefused, change_followup, set_staff_password
from monitor.followup.states import DISMISS_REASONS, STATUSES, TransitionRefused

LIST_FIELDS = ("id", "status", "assignee", "opened_at", "first_contact_at", "resolved_at",
               "dismiss_reason", "mention_id", "source", "severity", "categories", "title",
               "url", "author")


def check_staff(settings, name: str, option: str) -> str:
    """`name` if it is a [[staff]] name, else a usage error naming the option."""
    if name not in settings.staff_names:
        known = (", ".join(settings.staff_names)
                 or _("none: add [[staff]] entries to settings.toml"))
        raise UsageProblem(_("%(option)s: %(name)r is not a staff member (known: %(known)s)")
                           % {"option": option, "name": name, "known": known})
    return name


def opened_storage(obj: Context):
    """The storage, after opening follow-ups for negative mentions that have none."""
    storage = obj.storage()
    storage.open_followups_for_new_negatives()
    return storage


@click.group()
def followup():
    """Track each complaint from flagged to resolved.

    Example: monitor followup list --status open
    """


@followup.command("list")
@click.option("--status", default="open", show_default=True,
              type=click.Choice(["open", "all", *STATUSES]),
              help="open = new, assigned or contacted.")
@click.option("--assignee", metavar="NAME", help="Only those assigned to NAME.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@pass_context
def followup_list(obj: Context, status: str, assignee: str | None, as_json: bool):
    """List follow-ups, newest first.

    Example: monitor followup list --status assigned --assignee Anna --json
    """
    with opened_storage(obj) as storage:
        rows = storage.list_followups(status=status, assignee=assignee, limit=None)
    for row in rows:
        if as_json:
            click.echo(json.dumps({k: row[k] for k in LIST_FIELDS}, ensure_ascii=False))
        else:
            title = " ".join((row["title"] or row["snippet"] or "").split())[:50]
            click.echo(f"{row['id']:>6} {row['status']:<9} {row['assignee'] or '-':<12} "
                       f"{row['opened_at'][:10]} {row['severity'] or '':<8} "
                       f"{row['source'][:16]:<16} {title}")
    click.echo(ngettext("%(num)s follow-up", "%(num)s follow-ups", len(rows))
               % {"num": len(rows)}, err=True)


@followup.command("show")
@click.argument("followup_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The follow-up and its history as JSON.")
@pass_context
def followup_show(obj: Context, followup_id: int, as_json: bool):
    """Show a follow-up: the complaint, its state and its whole history.

    Example: monitor followup show 12
    """
    with opened_storage(obj) as storage:
        row = storage.followup(followup_id)
        if row is None:
            raise UsageProblem(_("no follow-up with id %(id)s") % {"id": followup_id})
        events = storage.followup_events(followup_id)
    if as_json:
        click.echo(json.dumps({**row, "history": events}, ensure_ascii=False, indent=2))
        return
    status = row["status"] + (f" ({row['dismiss_reason']})" if row["dismiss_reason"] else "")
    click.echo(_("Follow-up %(id)s: %(status)s, assigned to %(assignee)s, opened %(opened)s")
               % {"id": row["id"], "status": status, "assignee": row["assignee"] or _("nobody"),
                  "opened": row["opened_at"]})
    click.echo(_("Mention %(id)s from %(source)s (%(severity)s, %(categories)s): %(url)s")
               % {"id": row["mention_id"], "source": row["source"],
                  "severity": row["severity"],
                  "categories": ", ".join(row["categories"]) or _("no category"),
                  "url": row["url"] or ""})
    click.echo(f"  {' '.join((row['title'] or '').split())}")
    click.echo(f"  {' '.join((row['snippet'] or row['text'] or '').split())[:300]}")
    click.echo("  " + _("flagged: %(reasons)s") % {"reasons": "; ".join(row["reasons"])})
    click.echo(_("History:"))
    for event in events:
        detail = event["assignee"] or event["reason"] or ""
        click.echo(f"  {event['at']}  {event['by']:<12} {event['action']:<9} "
                   f"{event['from_status'] or '':>9} -> {event['to_status']:<9} {detail}"
                   f"{'  ' + event['note'] if event['note'] else ''}")


def apply_action(obj: Context, followup_id: int, action: str, by: str, **details) -> None:
    """Check who acts, apply `action`, print the new state; refusals exit 2 with the reason."""
    settings = obj.settings
    check_staff(settings, by, "--by")
    if details.get("assignee"):
        check_staff(settings, details["assignee"], "ASSIGNEE")
    with opened_storage(obj) as storage:
        from monitor.storage import FollowupNotFound

        try:
            row = change_followup(storage, followup_id, action, by=by, **details)
        except (FollowupNotFound, TransitionRefused) as exc:
            raise UsageProblem(str(exc)) from None
    click.echo(_("Follow-up %(id)s: %(status)s, assigned to %(assignee)s.")
               % {"id": followup_id, "status": row["status"],
                  "assignee": row["assignee"] or _("nobody")})


by_option = click.option("--by", "by", required=True, envvar="MONITOR_STAFF", metavar="NAME",
                         help="Who does it: a [[staff]] name (or $MONITOR_STAFF).")
note_option = click.option("--note", metavar="TEXT", help="A note kept in the history.")


@followup.command("assign")
@click.argument("followup_id", type=int)
@click.argument("assignee")
@by_option
@note_option
@pass_context
def followup_assign(obj: Context, followup_id: int, assignee: str, by: str, note: str | None):
    """Assign a follow-up to a staff member.

    Example: monitor followup assign 12 Anna --by Marco
    """
    apply_action(obj, followup_id, "assign", by, assignee=assignee, note=note)


@followup.command("note")
@click.argument("followup_id", type=int)
@click.argument("text")
@by_option
@pass_context
def followup_note(obj: Context, followup_id: int, text: str, by: str):
    """Add a note to a follow-up's history.

    Example: monitor followup note 12 "Left a voicemail" --by Anna
    """
    apply_action(obj, followup_id, "note", by, note=text)


@followup.command("contacted")
@click.argument("followup_id", type=int)
@by_option
@note_option
@pass_context
def followup_contacted(obj: Context, followup_id: int, by: str, note: str | None):
    """Record that the customer was contacted.

    Example: monitor followup contacted 12 --by Anna --note "Called, parcel re-sent"
    """
    apply_action(obj, followup_id, "contacted", by, note=note)


@followup.command("resolve")
@click.argument("followup_id", type=int)
@by_option
@note_option
@pass_context
def followup_resolve(obj: Context, followup_id: int, by: str, note: str | None):
    """Close a contacted follow-up as resolved.

    Example: monitor followup resolve 12 --by Anna --note "Parcel delivered"
    """
    apply_action(obj, followup_id, "resolve", by, note=note)


@followup.command("dismiss")
@click.argument("followup_id", type=int)
@click.option("--reason", required=True, type=click.Choice(DISMISS_REASONS),
              help='"not a complaint" also stores the label the detector learns from.')
@by_option
@note_option
@pass_context
def followup_dismiss(obj: Context, followup_id: int, reason: str, by: str, note: str | None):
    """Close a follow-up that needs no answer.

    Example: monitor followup dismiss 12 --reason "not ours" --by Anna
    """
    apply_action(obj, followup_id, "dismiss", by, reason=reason, note=note)


@followup.command("reopen")
@click.argument("followup_id", type=int)
@click.option("--reason", required=True, metavar="TEXT",
              help="Why it needs a person again; kept in the history.")
@by_option
@note_option
@pass_context
def followup_reopen(obj: Context, followup_id: int, reason: str, by: str, note: str | None):
    """Open a resolved or dismissed follow-up again (back to its assignee, or to be
    assigned). Reopening a "not a complaint" dismissal labels the mention negative again.

    Example: monitor followup reopen 12 --reason "The customer wrote again" --by Anna
    """
    apply_action(obj, followup_id, "reopen", by, reason=reason, note=note)


@click.group()
def staff():
    """Staff of the web inbox (listed as [[staff]] in settings.toml).

    Example: monitor staff set-password Anna
    """


@staff.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input "
              "(one line), for scripts.")
@pass_context
def staff_set_password(obj: Context, name: str, password_stdin: bool):
    """Set the web inbox password of staff member NAME (asked twice, not shown).

    Only a hash of it is stored (scrypt, by werkzeug.security). Every session NAME opened
    with the old password ends at its next page.

    Example: monitor staff set-password Anna
    """
    check_staff(obj.settings, name, "NAME")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with obj.storage() as storage:
        try:
            set_staff_password(storage, name, password)
        except PasswordRefused as exc:
            raise UsageProblem(str(exc)) from None
    click.echo(_("Password set for %(name)s; the sessions opened with the old one are ended.")
               % {"name": name})


@staff.command("remove")
@click.argument("name")
@pass_context
def staff_remove(obj: Context, name: str):
    """Stop NAME from logging in to the web inbox: their password is deleted and every
    session they have open ends at its next page. What they did stays in the history.

    Also delete their [[staff]] entry from settings.toml, so that nobody can assign
    complaints to them any more.

    Example: monitor staff remove Anna
    """
    settings = obj.settings
    with obj.storage() as storage:
        removed = storage.remove_staff_password(name)
        still_open = storage.open_followup_count(name)
    listed = name in settings.staff_names
    if not removed and not listed:
        known = ", ".join(settings.staff_names) or _("none")
        raise UsageProblem(_("NAME: %(name)r is neither a staff member nor has a password "
                             "(staff: %(known)s)") % {"name": name, "known": known})
    click.echo((_("%(name)s can no longer log in; their sessions are ended.") if removed
                else _("%(name)s had no password: nothing to end.")) % {"name": name})
    if listed:
        click.echo(_("Warning: %(name)s is still a [[staff]] entry in %(file)s: delete it so "
                     "that complaints can no longer be assigned to them.")
                   % {"name": name, "file": settings.path}, err=True)
    if still_open:
        click.echo(_("Warning: %(count)s open follow-ups are still assigned to %(name)s: see "
                     "%(command)s.") % {"count": still_open, "name": name,
                                        "command": "`monitor followup list --assignee "
                                                   f"{shlex.quote(name)}`"}, err=True)


@click.command()
@click.option("--host", help="Address to listen on (default [web] host, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default [web] port).")
@pass_context
def web(obj: Context, host: str | None, port: int | None):
    """Serve the web inbox where staff follow up complaints (login needed).

    Set passwords first with `monitor staff set-password NAME`.

    Example: monitor web --port 8080
    """
    from monitor.followup.web import create_app, serve

    settings = obj.settings
    try:
        app = create_app(settings)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    host, port = host or settings.web.host, port or settings.web.port
    click.echo(_("Web inbox on %(url)s (Ctrl-C to stop)") % {"url": f"http://{host}:{port}/"},
               err=True)
    serve(app, host, port)
