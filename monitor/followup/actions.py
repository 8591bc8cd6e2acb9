"""What staff do to follow-ups, applied to the database: the state machine of
`monitor.followup.states` planning, `monitor.storage` recording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.followup.states import (
    NOT_A_COMPLAINT,
    TransitionRefused,
    age_bucket,
    age_days,
    compute_metrics,
    plan_change,
)
from monitor.i18n import gettext as _
from monitor.storage import FollowupChanged, Storage

MIN_PASSWORD_LENGTH = 8


class PasswordRefused(ValueError):
    """A new password that cannot be used; the message says why."""


def _iso(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def change_followup(storage: Storage, followup_id: int, action: str, *, by: str,
                    note: str | None = None, assignee: str | None = None,
                    reason: str | None = None, now: datetime | None = None) -> dict:
    """Apply `action` (see monitor.followup.states.ACTIONS) and record it; return the
    follow-up.

    Raises FollowupNotFound, or TransitionRefused with the reason. Dismissing as
    "not a complaint" also stores the human label on the mention; reopening such a
    dismissal stores the opposite label (a person says it is a complaint after all).
    """
    current = storage.followup_state(followup_id)
    change = plan_change(current, action, by=by, at=_iso(now), note=note,
                         assignee=assignee, reason=reason)
    label = None
    if action == "dismiss" and reason == NOT_A_COMPLAINT:
        label = False
    elif action == "reopen" and current["dismiss_reason"] == NOT_A_COMPLAINT:
        label = True
    try:
        storage.apply_followup_change(current, change.updates, change.event,
                                      label_negative=label)
    except FollowupChanged as exc:
        raise TransitionRefused(str(exc)) from None
    return storage.followup(followup_id)


def open_followups(storage: Storage, now: datetime | None = None) -> list[dict]:
    """Every open follow-up, oldest first, with its mention's fields, `age_days` and
    `age` (the bucket label of monitor.followup.states.AGE_BUCKETS) at `now`."""
    now = now or datetime.now(UTC)
    rows = storage.list_followups(status="open", order="oldest", limit=None)
    for row in rows:
        row["age_days"] = round(age_days(row["opened_at"], now), 2)
        row["age"] = age_bucket(row["age_days"])
    return rows


def followup_metrics(storage: Storage, now: datetime | None = None, weeks: int = 8) -> dict:
    """Open follow-ups by age and median hours to first contact and to resolution,
    overall and per week (see monitor.followup.states.compute_metrics)."""
    now = now or datetime.now(UTC)
    rows = storage.followup_times(since=_iso(now - timedelta(weeks=weeks + 1)))
    return compute_metrics(rows, now, weeks)


def set_staff_password(storage: Storage, name: str, password: str) -> None:
    """Store a hash of `password` (scrypt, by werkzeug.security) as `name`'s web inbox
    password; every session opened with the old one ends at its next page."""
    from werkzeug.security import generate_password_hash

    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(_("the password must have at least %(count)s characters")
                              % {"count": MIN_PASSWORD_LENGTH})
    storage.set_staff_password_hash(name, generate_password_hash(password))
