"""What every command shares: the settings, the database, exit codes, logging, and the
words of its messages (`_`, `ngettext`: in the language of the gettext environment,
LANGUAGE, LC_ALL, LC_MESSAGES or LANG; English when unset or C).

Exit codes, for every command: 0 success; 1 the work was done in part (a source failed,
a message could not be sent) and what was done is stored; 2 usage or configuration
error; 3 another scan is already running.
"""

from __future__ import annotations

import logging
import sys

import click

from monitor.config import ConfigError, config_path, load_settings
from monitor.i18n import gettext as _  # noqa: F401 - the commands' words, one import
from monitor.i18n import ngettext  # noqa: F401

EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


class UsageProblem(click.ClickException):
    """A configuration or usage error: exit code 2."""

    exit_code = EXIT_USAGE


class Context:
    def __init__(self, config: str | None):
        self.config = config
        self._settings = None

    @property
    def settings(self):
        if self._settings is None:
            try:
                self._settings = load_settings(config_path(self.config))
            except ConfigError as exc:
                raise UsageProblem(str(exc)) from None
        return self._settings

    def storage(self):
        from monitor.storage import Storage

        return Storage(self.settings.database_path)


pass_context = click.make_pass_decorator(Context)


def configure_logging(level: str, log_file: str | None = None) -> None:
    """One line per event on stderr (and in `log_file`), at `level` and above.

    The level is set on the handlers, not only on the root logger, because Scrapy sets
    its own loggers to DEBUG.
    """
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=handlers, force=True)


