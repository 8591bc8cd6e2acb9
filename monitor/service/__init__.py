"""Running monitor unattended: the scheduler of `monitor run` (`scheduler.py`), its child
processes, `monitor status`, and retention and export."""
