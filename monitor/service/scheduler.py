"""`monitor run`: the long-running service that scans, alerts, prunes and sends the digest.

APScheduler decides when; every scan, alert round and digest runs as a child process
(monitor.service.processes). Whether a digest is due is decided from the digests table, never
from the scheduler's memory: a digest missed while the service was down is sent once
when it comes back, and a second start does not send it again.

A digest or an alert round that was not accepted (the mail server down or refusing, a
webhook down) is tried again after RETRY_MINUTES (5, 15, 30, 60), then hourly: the digest
until the next digest time (which then carries it), the alerts until every channel took
them. Each planned retry is kept in the database, where `monitor status` shows it.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Digest, Schedule, Settings
from monitor.service.detector import retrain_due
from monitor.service.processes import Children, ChildResult
from monitor.service.retention import prune_old_mentions
from monitor.storage import Storage
from monitor.storage.locks import DatabaseLock

log = logging.getLogger(__name__)

MAX_JITTER = 300.0  # seconds
CHILD_TIMEOUT = 1800.0  # seconds for an alert round or a digest
EXIT_USAGE = 2
EXIT_LOCKED = 3
RETRY_MINUTES = (5, 15, 30, 60)  # after the 1st, 2nd, 3rd and 4th failure; then hourly


RETRY_JOBS = {"digest": "digest-retry", "alerts": "alerts-retry"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class ServiceRunning(Exception):
    """Another `monitor run` already serves this database."""


def digest_trigger(digest: Digest) -> CronTrigger:
    """Every day at `digest.time` in `digest.timezone` (wall-clock time, DST included)."""
    hour, minute = digest.time.split(":")
    return CronTrigger(hour=int(hour), minute=int(minute), timezone=ZoneInfo(digest.timezone))


def next_digest_time(digest: Digest, now: datetime) -> datetime:
    """The first scheduled digest time at or after `now`."""
    return digest_trigger(digest).get_next_fire_time(None, now)


def last_digest_time(digest: Digest, now: datetime) -> datetime:
    """The most recent scheduled digest time at or before `now`."""
    trigger = digest_trigger(digest)
    fire = trigger.get_next_fire_time(None, now - timedelta(days=2))
    latest = fire
    while fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def digest_due(digest: Digest, last_sent_at: str | None, now: datetime) -> bool:
    """Whether no digest has been sent since the most recent scheduled time."""
    if last_sent_at is None:
        return True
    return datetime.fromisoformat(last_sent_at) < last_digest_time(digest, now)


def retry_delay(failures: int) -> timedelta:
    """How long to wait after `failures` failed tries in a row (1 = the first failed)."""
    return timedelta(minutes=RETRY_MINUTES[min(failures, len(RETRY_MINUTES)) - 1])


def next_digest_retry(digest: Digest, failures: int, now: datetime) -> datetime | None:
    """When to try the digest again after `failures` failed tries, or None when that would
    not come before the next scheduled digest (which includes it all)."""
    at = now + retry_delay(failures)
    return at if at < next_digest_time(digest, now + timedelta(seconds=1)) else None


def scan_trigger(schedule: Schedule) -> IntervalTrigger:
    """Every `scan_every`, each run delayed by a random 0-5 % (at most 5 minutes)."""
    every = schedule.scan_every_seconds
    return IntervalTrigger(seconds=every, jitter=min(every * 0.05, MAX_JITTER) or None,
                           timezone=UTC)


class ServiceLock(DatabaseLock):
    """`<database>.service.lock`: one `monitor run` per database."""

    suffix = ".service.lock"

    def busy(self, holder: str) -> Exception:
        return ServiceRunning(f"another `monitor run` already serves {self.database} "
                              f"(pid {holder})")


class Service:
    """Scans every `[schedule] scan_every`, alerts after each scan, digest every day."""

    def __init__(self, settings: Settings, log_level: str, clock=None):
        self.settings = settings
        self.now = clock or (lambda: datetime.now(UTC))  # tests give a controlled clock
        self.scheduler: BackgroundScheduler | None = None
        self.schedule = settings.schedule
        self.children = Children(settings.path, log_level)
        self.stopping = threading.Event()
        self.hurry = threading.Event()
        self.digest_lock = threading.Lock()  # the start-up catch-up and the daily job
        # Jobs plan retries on the scheduler; shutdown(wait=True) holds its job store lock
        # while it waits for them, so they must not touch it once shutdown has begun.
        self.planning = threading.Lock()
        self.scheduler_closed = False
        self.signal_name = ""

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT; return the exit code (0 after a clean stop)."""
        if logging.getLogger().level > logging.DEBUG:
            # APScheduler's own INFO lines ("Running job ...") would double every event.
            logging.getLogger("apscheduler").setLevel(logging.WARNING)
        with ServiceLock(self.settings.database_path):
            self._install_signal_handlers()
            scheduler = self._start_scheduler()
            while not self.stopping.wait(0.5):
                pass
            log.info("received %s: stopping (no new scans or digests)", self.signal_name)
            scheduler.pause()
            self.children.stop_all(self.schedule.stop_grace_seconds, self.hurry)
            with self.planning:
                self.scheduler_closed = True
            scheduler.shutdown(wait=True)
        log.info("service stopped")
        return 0

    def _install_signal_handlers(self) -> None:
        def on_signal(signum, frame):
            if self.stopping.is_set():
                self.hurry.set()
            self.signal_name = signal.Signals(signum).name
            self.stopping.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def _start_scheduler(self, paused: bool = False) -> BackgroundScheduler:
        scheduler = self.scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        now = self.now()
        scheduler.add_job(self.scan_job, scan_trigger(self.schedule), id="scan",
                          next_run_time=now)
        digest = self.settings.digest
        scheduler.add_job(self.digest_job, digest_trigger(digest), id="digest")
        with Storage(self.settings.database_path) as storage:
            last_sent = storage.last_sent_digest_at()
            for kind in RETRY_JOBS:  # planned by an earlier run: this start tries anew
                storage.clear_retry(kind)
        if digest_due(digest, last_sent, now):
            log.info("the digest of %s was not sent (last sent: %s): sending it now",
                     last_digest_time(digest, now).isoformat(timespec="minutes"),
                     last_sent or "never")
            scheduler.add_job(self.digest_job, id="missed-digest", next_run_time=now)
        scheduler.start(paused=paused)
        log.info("service started: database %s, scan every %s, digest daily at %s %s "
                 "(next %s)", self.settings.database_path, self.schedule.scan_every,
                 digest.time, digest.timezone,
                 next_digest_time(digest, now).isoformat(timespec="minutes"))
        return scheduler

    def scan_job(self) -> None:
        """One scan in a child process, then alerts and retention."""
        if self.stopping.is_set():
            return
        result = self.children.run(["scan"], self.schedule.scan_timeout_seconds)
        if result is None:
            return
        self._record_scan_end(result)
        if self.stopping.is_set():
            return
        # A scan sends its own alerts when it ends normally; this child covers the scan
        # that was killed or hit a mail failure (alerts are sent once only either way).
        self.alerts_job()
        self._prune()
        self._retrain_when_due()

    def digest_job(self) -> None:
        """The daily digest (or the one missed while down): a first try."""
        self._try_digest(first_try=True)

    def digest_retry_job(self) -> None:
        """The digest again, after a try that was not accepted."""
        self._try_digest(first_try=False)

    def _try_digest(self, first_try: bool) -> None:
        """Send the digest in a child process, unless one was sent since its time; plan
        the next try when it was not accepted."""
        with self.digest_lock:
            if self.stopping.is_set():
                return
            with Storage(self.settings.database_path) as storage:
                if first_try:
                    storage.clear_retry("digest")
                last_sent = storage.last_sent_digest_at()
            if not digest_due(self.settings.digest, last_sent, self.now()):
                log.info("digest already sent at %s: not sending it again", last_sent)
                return
            result = self.children.run(["digest"], CHILD_TIMEOUT)
            self._log_end(result)
            if result is not None:
                self._plan_digest_retry(result)

    def _plan_digest_retry(self, result: ChildResult) -> None:
        now = self.now()
        with Storage(self.settings.database_path) as storage:
            due = digest_due(self.settings.digest, storage.last_sent_digest_at(), now)
            planned = storage.planned_retries().get("digest")
            failures = (planned["attempt"] if planned else 0) + 1
            at = next_digest_retry(self.settings.digest, failures, now)
            if result.returncode in (0, EXIT_USAGE) or not due or at is None:
                storage.clear_retry("digest")
                self._unschedule("digest")
                if due and at is None and result.returncode != 0:
                    log.warning("digest not sent; the next digest, at %s, will carry it",
                                next_digest_time(self.settings.digest, now).isoformat(
                                    timespec="minutes"))
                return
            error = (storage.last_digest() or {}).get("error") or \
                f"`monitor digest` ended with exit code {result.returncode}"
            storage.plan_retry("digest", _iso(at), failures, error)
        self._schedule_retry("digest", self.digest_retry_job, at, failures, error)

    def alerts_job(self) -> None:
        """Send the alerts due in a child process; plan the next try when a channel did
        not accept one."""
        if self.stopping.is_set():
            return
        result = self.children.run(["alerts"], CHILD_TIMEOUT)
        self._log_end(result)
        if result is None:
            return
        alerts = self.settings.alerts
        with Storage(self.settings.database_path) as storage:
            due = alerts.enabled and storage.mentions_to_alert(alerts.min_severity)
            if result.returncode in (0, EXIT_USAGE) or not due:
                storage.clear_retry("alerts")
                self._unschedule("alerts")
                return
            planned = storage.planned_retries().get("alerts")
            failures = (planned["attempt"] if planned else 0) + 1
            at = self.now() + retry_delay(failures)
            error = storage.last_alert_error() or \
                f"`monitor alerts` ended with exit code {result.returncode}"
            storage.plan_retry("alerts", _iso(at), failures, error)
        self._schedule_retry("alerts", self.alerts_job, at, failures, error)

    def _schedule_retry(self, kind: str, job, at: datetime, failures: int,
                        error: str) -> None:
        log.warning("%s not accepted (%s): trying again at %s (%d failed tries so far)",
                    kind, error, at.isoformat(timespec="minutes"), failures)
        with self.planning:
            if self.scheduler is not None and not self.scheduler_closed:
                self.scheduler.add_job(job, "date", run_date=at, id=RETRY_JOBS[kind],
                                       replace_existing=True)

    def _unschedule(self, kind: str) -> None:
        with self.planning:
            if self.scheduler is not None and not self.scheduler_closed \
                    and self.scheduler.get_job(RETRY_JOBS[kind]):
                self.scheduler.remove_job(RETRY_JOBS[kind])

    def _record_scan_end(self, result: ChildResult) -> None:
        self._log_end(result)
        if not (result.timed_out or result.stopped):
            return
        reason = (f"killed after {self.schedule.scan_timeout_seconds:.0f} s "
                  f"(schedule.scan_timeout = {self.schedule.scan_timeout!r})"
                  if result.timed_out else
                  f"stopped after {result.seconds:.0f} s when the service shut down")
        with Storage(self.settings.database_path) as storage:
            row = storage.scan_of_process(result.pid, result.started_at)
            if row is not None:
                storage.fail_scan(row["id"], reason)
                log.warning("scan %d recorded as failed: %s", row["id"], reason)

    def _prune(self) -> None:
        try:
            deleted = prune_old_mentions(self.settings)
        except Exception as exc:  # the service must keep going; the log says why
            log.error("retention failed: %s", exc)
            return
        if deleted:
            log.info("retention: deleted %d non-negative mentions older than %d days",
                     deleted, self.settings.storage.keep_days)

    def _retrain_when_due(self) -> None:
        """Refit the shop's head (in a child) after every RETRAIN_EVERY new labels."""
        with Storage(self.settings.database_path) as storage:
            due = retrain_due(storage)
        if due and not self.stopping.is_set():
            self._log_end(self.children.run(["detector", "retrain"], CHILD_TIMEOUT))

    @staticmethod
    def _log_end(result: ChildResult | None) -> None:
        if result is None:
            return
        level = logging.INFO if result.returncode == 0 else logging.WARNING
        meaning = {0: "ok", 1: "partial failure", 2: "usage or configuration error",
                   3: "another scan is running"}.get(result.returncode, "killed")
        log.log(level, "`%s` (pid %d) ended with exit code %d (%s) after %.1f s",
                result.command, result.pid, result.returncode, meaning, result.seconds)
