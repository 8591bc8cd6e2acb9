"""Apprise URLs of the urgent alerts ([alerts] notify): checked, and shown without secrets.

An Apprise URL often holds a token (a Telegram bot's, a Slack webhook's). Apprise's own log
lines may quote it (at DEBUG level, or when a URL does not parse), so its logger does not
pass them on to monitor's log; monitor names a target only by `private_label`.
"""

from __future__ import annotations

import logging


def quiet_apprise():
    """The apprise module, its log lines kept out of monitor's log."""
    import apprise

    logging.getLogger(apprise.LOGGER_NAME).propagate = False
    return apprise


def apprise_target(url: str):
    """Apprise's plugin object for `url`; ValueError, naming only the scheme, if Apprise does
    not understand it."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    plugin = quiet_apprise().Apprise.instantiate(url) if scheme else None
    if plugin is None:
        shown = f"scheme {scheme!r}" if scheme else "no scheme://"
        raise ValueError(f"not a URL that Apprise understands ({shown}; see the Apprise "
                         "documentation for each service's URL)")
    return plugin


def private_label(url: str) -> str:
    """`url` with its secrets masked by Apprise and without its options, for logs."""
    return apprise_target(url).url(privacy=True).split("?", 1)[0]
