"""Helpers for tests of `monitor run` and of scans interrupted from outside."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]



class ServiceProcess:
    """`monitor --log-level INFO run` in a subprocess, its log in a file."""

    def __init__(self, config: Path, log_path: Path, *run_options: str, env: dict | None = None):
        self.log_path = log_path
        env = {**{key: value for key, value in os.environ.items() if key != "MONITOR_CONFIG"},
               **(env or {})}
        self.log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "--log-level", "INFO",
             "run", *run_options],
            stdout=self.log_file, stderr=subprocess.STDOUT, cwd=ROOT, env=env)

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait_for_log(self, text: str, timeout: float = 20) -> None:
        wait_until(lambda: text in self.log or self.process.poll() is not None, timeout,
                   f"{text!r} in the service log")
        assert text in self.log, self.log

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig`, wait for the service to exit, return its exit code."""
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            self.log_file.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def query(database: Path, sql: str, params=()) -> list[tuple]:
    """Rows of `sql` on the test database (empty when it does not exist yet)."""
    if not database.exists():
        return []
    db = sqlite3.connect(database, timeout=10)
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # the schema is not created yet
        return []
    finally:
        db.close()


def change(database: Path, sql: str, params=()) -> None:
    """Run a write statement on the test database and commit it (test set-up only)."""
    db = sqlite3.connect(database, timeout=10)
    with db:
        db.execute(sql, params)
    db.close()


def store_complaint(settings, title: str, severity: str = "critical") -> None:
    """Store one complaint about the brand from the settings' first source."""
    from monitor.storage import Storage

    with Storage(settings.database_path) as storage:
        source_id = storage.sync_sources(settings.sources)[settings.sources[0].name]["id"]
        storage.save_mention({
            "key": f"test:{title}", "source_id": source_id, "title": title,
            "text": f"Bottega Aurora: {title}", "snippet": title, "author": "Giulia",
            "url": f"http://giulia.example/{len(title)}", "negative": True,
            "severity": severity, "categories": ["fraud"], "reasons": ["complaint (fraud)"],
            "content_hash": title, "language": "it", "score": 0.9})


class FakeClock:
    """The service's clock, moved by the test: `clock()` is the time it was `set` to."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def set(self, moment) -> None:
        self.now = moment
