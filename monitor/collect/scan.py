"""One scan: a single Scrapy crawl over every enabled source (`crawl.py`), then its record.

Scrapy's Twisted reactor cannot be restarted, so a process runs at most one scan; the
service (`monitor run`) starts each scan in a child process. A lock file beside the
database lets only one scan run at a time, whoever started it.

This module does not import Scrapy: the worker processes are forked first, before
Scrapy starts threads.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from monitor.config import Settings
from monitor.storage import Storage
from monitor.storage.locks import DatabaseLock

log = logging.getLogger(__name__)
PARALLEL_FROM_SOURCES = 20  # fewer sources parse faster than worker processes start
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class ScanLocked(Exception):
    """Another scan holds the lock on this database."""


@dataclass
class ScanResult:
    scan_id: int
    new_mentions: int
    updated_mentions: int
    sources_ok: int
    errors: dict[str, str]
    encoded: int = 0  # texts encoded (the others' embeddings were stored already)

    @property
    def ok(self) -> bool:
        return not self.errors


class ScanLock(DatabaseLock):
    """`<database>.lock`: one scan at a time, whoever started it."""

    suffix = ".lock"

    def busy(self, holder: str) -> Exception:
        return ScanLocked(f"another scan is running on {self.database} (pid {holder}); "
                          "try again when it ends")


@contextlib.contextmanager
def parser_pool(source_count: int, warm: bool = False):
    """Worker processes for parsing and classifying, one per core, when there is enough
    to parse.

    On Linux they are forked at once, before Scrapy starts any thread, so that they
    inherit this process's imports; elsewhere they are spawned. With `warm` they load
    the detector's models right away, while this process sets up the crawl; else when
    they first need them (an unchanged rescan never does).
    """
    workers = min(os.cpu_count() or 1, 4)
    if source_count < PARALLEL_FROM_SOURCES or workers < 2:
        yield None
        return
    method = "fork" if sys.platform == "linux" else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=start_worker, initargs=(os.getpid(), warm))
    pool.submit(os.getpid)  # starts the workers now
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def start_worker(parent: int, warm: bool) -> None:
    """In a new worker: end with the scan; with `warm`, load the detector now.

    A worker outliving a killed scan would hold the scan's lock (a forked worker shares
    its file) and make every later scan fail as "already running": on Linux the kernel
    kills the worker when the scan process dies.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the scan died before the line above
            os._exit(1)
    # One thread each: the workers are one per core already (the encoder's engine would
    # otherwise start a thread per core in every worker).
    os.environ["OMP_NUM_THREADS"] = "1"
    if warm:
        from monitor.detect.classify import classify

        classify("warm up")


def run_scan(settings: Settings) -> ScanResult:
    """Read every enabled source once and store what mentions the brand."""
    sources = [source for source in settings.sources if source.enabled]
    with ScanLock(settings.database_path), Storage(settings.database_path) as storage:
        rows = storage.sync_sources(settings.sources)
        # We hold the lock, so a scan still marked running died without closing its row.
        for stale in storage.interrupt_stale_scans(alive=lambda pid: False):
            log.warning("scan %d had been interrupted; recorded as failed", stale)
        scan_id = storage.start_scan(os.getpid())
        # A source never read (no cache validators) will surely be parsed.
        unread = any(not (rows[s.name]["etag"] or rows[s.name]["last_modified"])
                     for s in sources)
        with parser_pool(len(sources), warm=unread) as pool:
            from monitor.collect.crawl import crawl  # Scrapy: imported once the workers exist

            outcomes, stats = crawl(settings, sources, storage, scan_id, pool)
        errors = {s.name: outcomes.get(s.name) or "the scan ended before this source was read"
                  for s in sources if outcomes.get(s.name, "missing") is not None}
        for name, error in errors.items():
            if name not in outcomes:
                storage.record_source_failure(name, error)
        result = ScanResult(
            scan_id=scan_id,
            new_mentions=stats.get("monitor/new", 0),
            updated_mentions=stats.get("monitor/updated", 0),
            sources_ok=len(sources) - len(errors),
            errors=errors,
            encoded=stats.get("monitor/encoded", 0),
        )
        storage.finish_scan(scan_id, status="ok" if result.ok else "failed",
                            sources_ok=result.sources_ok, sources_failed=len(errors),
                            new_mentions=result.new_mentions,
                            updated_mentions=result.updated_mentions, errors=errors,
                            encoded=result.encoded)
    return result
