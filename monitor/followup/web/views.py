"""The inbox pages: open complaints, one complaint with its actions and reply draft, the
other mentions (where a person marks a complaint the detector missed), sources,
statistics."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from monitor.detect.classify import CATEGORIES, SEVERITIES
from monitor.followup.actions import change_followup, followup_metrics
from monitor.followup.drafts import draft_language, fill_signature, reply_draft
from monitor.followup.states import ACTIONS, DISMISS_REASONS, STATUSES, TransitionRefused
from monitor.followup.web import storage
from monitor.followup.web.auth import current_staff
from monitor.followup.web.charts import bar_chart
from monitor.i18n import Words
from monitor.i18n import gettext as _

PAGE_SIZE = 30
FILTERS = ("status", "severity", "category", "source", "assignee", "q", "sort")
# The sort switch: what needs a person first (most severe, not yet answered, oldest), or
# by age only. A text search shows its results newest first.
SORTS = ("need", "oldest", "newest")

blueprint = Blueprint("views", __name__)


@blueprint.app_context_processor
def page_context() -> dict:
    return {"me": current_staff()}


@blueprint.app_template_filter("web_link")
def web_link(url: str | None) -> str | None:
    """`url` if it is an http(s) address, so that no javascript: link is ever made."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def settings():
    return current_app.config["MONITOR_SETTINGS"]


@blueprint.route("/")
def home():
    return redirect(url_for("views.inbox"))


@blueprint.route("/followups")
def inbox():
    """The complaints, filtered; open ones by default, the most severe first, then those
    nobody answered yet, then the oldest; a page at a time."""
    filters = {name: request.args.get(name, "").strip() for name in FILTERS}
    filters["status"] = filters["status"] or "open"
    filters["sort"] = filters["sort"] or SORTS[0]
    if filters["status"] not in ("open", "all", *STATUSES):
        abort(400, f"unknown status {filters['status']!r}")
    if filters["sort"] not in SORTS:
        abort(400, f"unknown sort {filters['sort']!r}")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    db = storage()
    rows = db.list_followups(
        status=filters["status"], assignee=filters["assignee"] or None,
        severity=filters["severity"] or None, category=filters["category"] or None,
        source=filters["source"] or None, search=filters["q"] or None,
        order=filters["sort"], limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "inbox.html", rows=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, page=page,
        filters=filters, counts=db.followup_counts(), statuses=STATUSES, sorts=SORTS,
        severities=SEVERITIES, categories=CATEGORIES, staff=settings().staff_names,
        sources=[source.name for source in settings().sources])


@blueprint.route("/followups/<int:followup_id>")
def followup(followup_id: int):
    """One complaint: the mention, why it was flagged, what to do, a reply draft, its
    history and the actions."""
    row = storage().followup(followup_id)
    if row is None:
        abort(404)
    language = draft_language(row["language"], g.words.language)
    signature = fill_signature(settings().web.signature, staff=current_staff(),
                               brand=settings().brand.name)
    return render_template("followup.html", row=row,
                           events=storage().followup_events(followup_id),
                           staff=settings().staff_names, reasons=DISMISS_REASONS,
                           draft=reply_draft(row, Words(language), signature),
                           draft_language=language)


@blueprint.route("/followups/<int:followup_id>/<action>", methods=["POST"])
def act(followup_id: int, action: str):
    """Apply an action from the complaint's page, then show the page again."""
    if action not in ACTIONS:
        abort(404)
    assignee = request.form.get("assignee") or None
    if assignee is not None and assignee not in settings().staff_names:
        abort(400, f"{assignee!r} is not a staff member")
    try:
        change_followup(
            storage(), followup_id, action, by=current_staff(), note=request.form.get("note"),
            assignee=assignee, reason=request.form.get("reason") or None)
    except TransitionRefused as exc:
        flash(str(exc), "error")
    except LookupError:
        abort(404)
    return redirect(url_for("views.followup", followup_id=followup_id))


@blueprint.route("/mentions")
def other_mentions():
    """The mentions not flagged as complaints, newest first: a complaint the detector
    missed is marked here, and its follow-up opens."""
    search = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = storage().unflagged_mentions(search=search or None, limit=PAGE_SIZE + 1,
                                        offset=(page - 1) * PAGE_SIZE)
    return render_template("mentions.html", rows=rows[:PAGE_SIZE],
                           has_next=len(rows) > PAGE_SIZE, page=page, q=search)


@blueprint.route("/mentions/<int:mention_id>/complaint", methods=["POST"])
def mark_complaint(mention_id: int):
    """A person says this mention is a complaint: the label is kept (the detector learns
    from it: monitor detector retrain) and its follow-up opens."""
    db = storage()
    if db.mention(mention_id) is None:
        abort(404)
    db.mark_mention(mention_id, True)
    followup_id = db.followup_ids_by_mention([mention_id])[mention_id]
    flash(_("Marked as a complaint: its follow-up is open."), "info")
    return redirect(url_for("views.followup", followup_id=followup_id))


@blueprint.route("/sources")
def sources():
    """The configured sources and their health."""
    storage().sync_sources(settings().sources)
    return render_template("sources.html", rows=storage().sources_health())


@blueprint.route("/stats")
def stats():
    """Complaints per day and response times per week, as inline SVG bar charts."""
    db = storage()
    per_day = db.complaints_per_day(days=30)
    metrics = followup_metrics(db, weeks=8)
    weeks = metrics["weeks"]
    return render_template(
        "stats.html", metrics=metrics,
        per_day=bar_chart([(d["day"], d["count"]) for d in per_day]),
        to_contact=bar_chart([(w["week"], w["median_hours_to_contact"]) for w in weeks]),
        to_resolve=bar_chart([(w["week"], w["median_hours_to_resolve"]) for w in weeks]))
