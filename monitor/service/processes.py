"""Child processes of the service: one `monitor` command each, with a time limit.

A scan must run in its own process (Scrapy's reactor cannot restart). Each child gets
its own process group, so that stopping it stops everything it started, and its log
lines are relayed into the service's log, one line per event.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from monitor.storage import utcnow

log = logging.getLogger(__name__)

TERMINATE_WAIT = 5.0  # seconds a child may take to exit after SIGTERM before SIGKILL
CHILD_LINE = re.compile(r"^\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$")


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class ChildResult:
    """How a child ended: its exit code, how long it ran, and whether we stopped it."""

    command: str
    started_at: str
    pid: int
    returncode: int
    seconds: float
    timed_out: bool = False
    stopped: bool = False


class Children:
    """Runs `monitor --config CONFIG ARGS` children and can stop them all on shutdown."""

    def __init__(self, config: Path, log_level: str):
        self.base = [sys.executable, "-m", "monitor", "--config", str(config),
                     "--log-level", log_level]
        self.running: dict[int, subprocess.Popen] = {}
        self.stopped: set[int] = set()
        self.closed = False
        self.lock = threading.Lock()

    def run(self, args: list[str], timeout: float) -> ChildResult | None:
        """Run one child to its end, or kill its process group after `timeout` seconds.

        None when the service is stopping (stop_all was called): nothing is started.
        """
        command = "monitor " + " ".join(args)
        started_at = utcnow()
        started = time.monotonic()
        with self.lock:
            if self.closed:
                log.info("not starting `%s`: the service is stopping", command)
                return None
            process = subprocess.Popen(self.base + args, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, errors="replace",
                                       start_new_session=True)
            self.running[process.pid] = process
        relay = threading.Thread(target=relay_output, args=(process, args[0]), daemon=True)
        relay.start()
        log.info("started `%s` (pid %d)", command, process.pid)
        timed_out = False
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            log.error("`%s` (pid %d) still running after %d s: killing it",
                      command, process.pid, timeout)
            terminate_group(process)
        finally:
            with self.lock:
                self.running.pop(process.pid, None)
        relay.join(5)
        if not relay.is_alive():  # else a grandchild still holds the pipe: the relay owns it
            process.stdout.close()
        return ChildResult(command, started_at, process.pid, process.returncode,
                           time.monotonic() - started, timed_out,
                           stopped=process.pid in self.stopped)

    def stop_all(self, grace: float, hurry: threading.Event) -> None:
        """Let running children finish within `grace` seconds (less if `hurry` is set),
        then stop the ones left."""
        deadline = time.monotonic() + grace
        with self.lock:
            self.closed = True
            children = list(self.running.values())
        for process in children:
            log.info("waiting up to %d s for pid %d to finish", grace, process.pid)
            while process.poll() is None and time.monotonic() < deadline and not hurry.is_set():
                time.sleep(0.1)
            if process.poll() is None:
                log.warning("pid %d did not finish in time: stopping it (what it stored is "
                            "kept)", process.pid)
                self.stopped.add(process.pid)
                terminate_group(process)
            else:
                log.info("pid %d finished with exit code %d", process.pid, process.returncode)


def terminate_group(process: subprocess.Popen) -> None:
    """SIGTERM the child's process group; SIGKILL it if it has not ended soon after."""
    for sig, wait in ((signal.SIGTERM, TERMINATE_WAIT), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            log.warning("pid %d ignored SIGTERM for %d s: sending SIGKILL", process.pid, wait)


def relay_output(process: subprocess.Popen, name: str) -> None:
    """Log each line the child writes, at the level the child gave it (INFO if none)."""
    child_log = logging.getLogger(f"monitor.child.{name}")
    for line in process.stdout:
        line = line.rstrip("\n")
        if not line:
            continue
        match = CHILD_LINE.match(line)
        level, text = (match.group(1), match.group(2)) if match else ("INFO", line)
        child_log.log(logging.getLevelName(level), "[pid %d] %s", process.pid, text)
