"""`monitor status`: what an operator (or a monitoring system) needs to know at a glance.

Healthy means: a scan started within twice the scan interval (`[schedule] scan_every`,
3 hours when not set, so 6 hours) and the last digest did not fail. When `monitor run`
plans to try a refused digest or alert again, the status says when.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config import Settings
from monitor.service.processes import pid_alive
from monitor.storage import Storage


def build_status(storage: Storage, settings: Settings, now: datetime | None = None) -> dict:
    """The service's state as a JSON-ready dict, with `problems` (empty when healthy)."""
    now = now or datetime.now(UTC)
    storage.interrupt_stale_scans(alive=pid_alive)
    scan = storage.last_scan()
    digest = storage.last_digest()
    status = {
        "database": str(settings.database_path),
        "database_bytes": storage.database_bytes(),
        "last_scan": _scan_view(scan) if scan else None,
        "last_digest": _digest_view(digest) if digest else None,
        "open_complaints": storage.open_complaint_count(),
        "detector": detector_view(storage, now),
        # What `monitor run` plans to try again ("digest", "alerts"), when one was refused.
        "next_tries": {kind: {key: row[key] for key in ("at", "attempt", "error")}
                       for kind, row in sorted(storage.planned_retries().items())},
    }
    status["problems"] = find_problems(status, settings, now)
    status["healthy"] = not status["problems"]
    return status


def find_problems(status: dict, settings: Settings, now: datetime) -> list[str]:
    """What makes the service unhealthy: a scan overdue, a failed digest."""
    problems = []
    limit = timedelta(seconds=2 * settings.schedule.scan_every_seconds)
    scan = status["last_scan"]
    if scan is None:
        problems.append("no scan has run yet")
    elif now - datetime.fromisoformat(scan["started_at"]) > limit:
        problems.append(f"the last scan started more than {_hours(limit)} ago "
                        f"(twice schedule.scan_every)")
    digest = status["last_digest"]
    if digest is not None and digest["status"] == "failed":
        problems.append(f"the last digest failed: {digest['error'] or 'no reason recorded'}")
    return problems


def _scan_view(scan: dict) -> dict:
    seconds = None
    if scan["finished_at"]:
        seconds = (datetime.fromisoformat(scan["finished_at"])
                   - datetime.fromisoformat(scan["started_at"])).total_seconds()
    return {
        "id": scan["id"], "started_at": scan["started_at"], "finished_at": scan["finished_at"],
        "seconds": seconds, "status": scan["status"], "new_mentions": scan["new_mentions"],
        "updated_mentions": scan["updated_mentions"], "sources_ok": scan["sources_ok"],
        "encoded": scan.get("encoded"),
        "failed_sources": scan["errors"],
    }


def detector_view(storage: Storage, now: datetime) -> dict:
    """Which model decides here, and which decided the mentions of the last day: when the
    sentence encoder cannot load, the fast detector decides and `problem` says why."""
    from monitor.detect.adapt import current_head
    from monitor.detect.encoder import encoder_problem

    head = storage.adopted_head()
    if head and current_head(head["weights"]) is None:
        head = None  # made for an earlier shipped model: not applied until the next refit
    last = storage.last_head()
    return {
        "encoder_problem": encoder_problem(),
        "shop_head": head["model"] if head else None,
        "last_refit": {key: last[key] for key in ("created_at", "labels", "shipped_f1",
                                                  "adapted_f1", "adopted", "model", "note")}
        if last else None,
        "labels": storage.label_count(),
        "models_last_day": storage.models_since(_iso(now - timedelta(days=1))),
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _digest_view(digest: dict) -> dict:
    return {key: digest[key] for key in ("id", "created_at", "sent_at", "status", "recipients",
                                         "mention_count", "negative_count", "error")}


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hours" if hours >= 1 else f"{delta.total_seconds():g} seconds"


def _detector_line(detector: dict) -> str:
    if detector["encoder_problem"]:
        decides = ("the fast detector only (rules, lexicons, small model): the sentence "
                   f"encoder cannot be used: {detector['encoder_problem']}")
    else:
        decides = detector["shop_head"] or "the shipped detector with the sentence encoder"
    used = ", ".join(f"{model} {count}" for model, count in
                     detector["models_last_day"].items()) or "no new mentions"
    refit = detector["last_refit"]
    refit_text = (f"; last refit {refit['created_at']} on {refit['labels']} labels: "
                  f"{'adopted' if refit['adopted'] else 'not adopted'}") if refit else ""
    return (f"detector: {decides}; last day's mentions by model: {used}; "
            f"{detector['labels']} labels{refit_text}")


def format_status(status: dict) -> str:
    """The status as lines for a person."""
    lines = [f"database: {status['database']} ({status['database_bytes'] / 1e6:.1f} MB)"]
    scan = status["last_scan"]
    if scan is None:
        lines.append("last scan: never")
    else:
        took = f"took {scan['seconds']:.0f} s" if scan["seconds"] is not None else "running"
        lines.append(f"last scan: {scan['started_at']} ({took}, {scan['status']}): "
                     f"{scan['new_mentions'] or 0} new mentions, "
                     f"{len(scan['failed_sources'])} failed sources")
        lines += [f"  {name}: {error}" for name, error in scan["failed_sources"].items()]
    digest = status["last_digest"]
    if digest is None:
        lines.append("last digest: never")
    else:
        lines.append(f"last digest: {digest['sent_at'] or digest['created_at']} "
                     f"({digest['status']}) to {', '.join(digest['recipients']) or 'nobody'}: "
                     f"{digest['mention_count']} mentions, {digest['negative_count']} complaints"
                     + (f"; error: {digest['error']}" if digest["error"] else ""))
    for kind, retry in status["next_tries"].items():
        lines.append(f"next {kind} try: {retry['at']} by `monitor run` (after {retry['attempt']} "
                     f"failed {'try' if retry['attempt'] == 1 else 'tries'}: {retry['error']})")
    lines.append(f"open complaints: {status['open_complaints']}")
    lines.append(_detector_line(status["detector"]))
    lines.append("healthy" if status["healthy"] else
                 "NOT HEALTHY: " + "; ".join(status["problems"]))
    return "\n".join(lines)
