"""Follow-ups of complaints: the state machine and the response-time metrics.

Pure logic, no storage: `plan_change` says what an action does to a follow-up (or refuses
it with a message saying why and what to do instead); `compute_metrics` turns follow-up
rows into ages and median response times for a given `now`. Storage applies the changes
and keeps one event row per change, so the history is never overwritten.

    new -> assigned -> contacted -> resolved
    new | assigned | contacted -> dismissed ("not a complaint" or "not ours")
    resolved | dismissed -> reopen (with a reason) -> assigned, or new when nobody was

The refusals are worded in the current language (monitor.i18n).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from monitor.i18n import N_
from monitor.i18n import gettext as _
from monitor.i18n.labels import STATUS
from monitor.storage.schema import FOLLOWUP_STATUSES, OPEN_FOLLOWUP_STATUSES

STATUSES = FOLLOWUP_STATUSES
OPEN_STATUSES = OPEN_FOLLOWUP_STATUSES
CLOSED_STATUSES = ("resolved", "dismissed")
ACTIONS = ("assign", "note", "contacted", "resolve", "dismiss", "reopen")
NOT_A_COMPLAINT = "not a complaint"
NOT_OURS = "not ours"
DISMISS_REASONS = (NOT_A_COMPLAINT, NOT_OURS)
# Open follow-ups by age: (label, upper bound in days); the last bucket has no bound.
AGE_BUCKETS = ((N_("under 1 day"), 1), (N_("1-3 days"), 3), (N_("3-7 days"), 7),
               (N_("over 7 days"), None))


class TransitionRefused(ValueError):
    """The action is not possible in the follow-up's current state; the message says why."""


@dataclass(frozen=True)
class Change:
    """What an action does: the new status, the columns to update, the event to record."""

    from_status: str
    to_status: str
    updates: dict = field(default_factory=dict)
    event: dict = field(default_factory=dict)


def plan_change(followup: dict, action: str, *, by: str, at: str, note: str | None = None,
                assignee: str | None = None, reason: str | None = None) -> Change:
    """The change `action` makes to `followup` (a row with id, status, assignee).

    Raises TransitionRefused when the action is not allowed from the current status.
    """
    if action not in ACTIONS:
        raise TransitionRefused(_("unknown action %(action)r (known: %(known)s)")
                                % {"action": action, "known": ", ".join(ACTIONS)})
    status = followup["status"]
    name = _("follow-up %(id)s") % {"id": followup["id"]}
    note = (note or "").strip() or None
    reason = (reason or "").strip() or None
    if action not in ("note", "reopen") and status in CLOSED_STATUSES:
        raise TransitionRefused(_("%(name)s is already %(status)s: it can take notes only, "
                                  "or be reopened") % {"name": name, "status": _status(status)})
    planner = {"assign": _assign, "note": _note, "contacted": _contacted,
               "resolve": _resolve, "dismiss": _dismiss, "reopen": _reopen}[action]
    to_status, updates = planner(followup, name, note=note, assignee=assignee, reason=reason,
                                 by=by, at=at)
    event = {"at": at, "by": by, "action": action, "from_status": status,
             "to_status": to_status, "note": note, "assignee": updates.get("assignee"),
             "reason": reason if action in ("dismiss", "reopen") else None}
    if to_status != status:
        updates["status"] = to_status
    updates["updated_at"] = at
    return Change(status, to_status, updates, event)


def _status(status: str) -> str:
    return _(STATUS[status]) if status in STATUS else status


def _assign(followup, name, *, assignee, **_ignored):
    if not assignee:
        raise TransitionRefused(_("%(name)s: say who to assign it to") % {"name": name})
    if assignee == followup.get("assignee"):
        raise TransitionRefused(_("%(name)s is already assigned to %(assignee)s")
                                % {"name": name, "assignee": assignee})
    to_status = "assigned" if followup["status"] == "new" else followup["status"]
    return to_status, {"assignee": assignee}


def _note(followup, name, *, note, **_ignored):
    if not note:
        raise TransitionRefused(_("%(name)s: a note needs some text") % {"name": name})
    return followup["status"], {}


def _contacted(followup, name, *, by, at, **_ignored):
    if followup["status"] == "contacted":
        raise TransitionRefused(_("%(name)s is already marked contacted: add a note to "
                                  "record a further contact") % {"name": name})
    updates = {"first_contact_at": at}
    if not followup.get("assignee"):
        updates["assignee"] = by
    return "contacted", updates


def _resolve(followup, name, *, at, **_ignored):
    if followup["status"] != "contacted":
        raise TransitionRefused(_("%(name)s is %(status)s: mark it contacted before "
                                  "resolving it (a complaint is resolved once someone has "
                                  "answered the customer), or dismiss it")
                                % {"name": name, "status": _status(followup["status"])})
    return "resolved", {"resolved_at": at, "closed_at": at}


def _dismiss(followup, name, *, reason, at, **_ignored):
    if reason not in DISMISS_REASONS:
        raise TransitionRefused(_("%(name)s: the reason to dismiss must be one of %(known)s, "
                                  "not %(reason)r")
                                % {"name": name, "reason": reason,
                                   "known": " / ".join(repr(r) for r in DISMISS_REASONS)})
    return "dismissed", {"dismiss_reason": reason, "closed_at": at}


def _reopen(followup, name, *, reason, **_ignored):
    """Back to open: to its assignee if it has one, else to be assigned. It is no longer
    resolved or dismissed; when it was first contacted stays in the record."""
    if followup["status"] not in CLOSED_STATUSES:
        raise TransitionRefused(_("%(name)s is %(status)s, not resolved or dismissed: there "
                                  "is nothing to reopen")
                                % {"name": name, "status": _status(followup["status"])})
    if not reason:
        raise TransitionRefused(_("%(name)s: say why it is reopened") % {"name": name})
    to_status = "assigned" if followup.get("assignee") else "new"
    return to_status, {"resolved_at": None, "closed_at": None, "dismiss_reason": None}


# Metrics ------------------------------------------------------------------------------

def parse_time(value: str | None) -> datetime | None:
    """A stored ISO 8601 time as an aware datetime (naive ones are taken as UTC)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age_days(opened_at: str, now: datetime) -> float:
    """How many days a follow-up opened at `opened_at` has been open at `now`."""
    return (now - parse_time(opened_at)).total_seconds() / 86400


def age_bucket(days: float) -> str:
    """The label of the age bucket for an open follow-up `days` old."""
    for label, bound in AGE_BUCKETS:
        if bound is None or days < bound:
            return label
    raise AssertionError("unreachable: the last bucket has no bound")


def _hours(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (parse_time(end) - parse_time(start)).total_seconds() / 3600


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 of the week holding `moment` (in its own time zone)."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def compute_metrics(rows: list[dict], now: datetime, weeks: int = 8) -> dict:
    """Ages of the open follow-ups and median response times, overall and per week.

    `rows` hold status, opened_at, first_contact_at and resolved_at. The medians, overall
    and per week, are over the follow-ups opened in the last `weeks` weeks (Monday to
    Sunday, in `now`'s time zone) up to `now`, grouped by the week they were opened.
    Hours are rounded to one decimal; a median with nothing to measure is None.
    """
    buckets = {label: 0 for label, _ in AGE_BUCKETS}
    for row in rows:
        if row["status"] in OPEN_STATUSES:
            buckets[age_bucket(age_days(row["opened_at"], now))] += 1
    first = week_start(now) - timedelta(weeks=weeks - 1)
    per_week = {first + timedelta(weeks=i): [] for i in range(weeks)}
    for row in rows:
        opened = parse_time(row["opened_at"])
        if opened >= first:
            start = week_start(opened.astimezone(now.tzinfo))
            if start in per_week:
                per_week[start].append(row)
    in_window = [row for group in per_week.values() for row in group]
    return {
        "now": now.isoformat(timespec="seconds"),
        "open_total": sum(buckets.values()),
        "open_by_age": [{"label": label, "count": count} for label, count in buckets.items()],
        "median_hours_to_contact": _median(_durations(in_window, "first_contact_at")),
        "median_hours_to_resolve": _median(_durations(in_window, "resolved_at")),
        "weeks": [_week_figures(start, group) for start, group in per_week.items()],
    }


def _durations(rows: list[dict], column: str) -> list[float]:
    hours = (_hours(row["opened_at"], row[column]) for row in rows)
    return [h for h in hours if h is not None]


def _week_figures(start: datetime, rows: list[dict]) -> dict:
    contact = _durations(rows, "first_contact_at")
    resolve = _durations(rows, "resolved_at")
    return {"week": start.date().isoformat(), "opened": len(rows),
            "contacted": len(contact), "median_hours_to_contact": _median(contact),
            "resolved": len(resolve), "median_hours_to_resolve": _median(resolve)}
