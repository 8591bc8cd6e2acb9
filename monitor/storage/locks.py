"""Exclusive locks on files beside the database, shared by every process that uses it.

fcntl locks are released by the kernel when their process ends, even by kill -9, so a
crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class DatabaseLock:
    """An exclusive lock on `<database><suffix>` for the time of a `with` block.

    With `wait` false, a lock held elsewhere raises `self.busy(holder_pid)` at once;
    with `wait` true, it waits for the holder to finish.
    """

    suffix = ".lock"
    wait = False

    def __init__(self, database: Path):
        self.database = Path(database)
        self.path = self.database.with_name(self.database.name + self.suffix)

    def busy(self, holder: str) -> Exception:
        return RuntimeError(f"{self.path} is locked by pid {holder}")

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "a+")  # noqa: SIM115 - held for the whole block
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            self.file.seek(0)
            holder = self.file.read().strip() or "unknown"
            self.file.close()
            raise self.busy(holder) from None
        self.file.seek(0)
        self.file.truncate()
        self.file.write(str(os.getpid()))
        self.file.flush()
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()
