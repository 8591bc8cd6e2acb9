"""Hand one urgent alert to a chat or push service through Apprise (Telegram, Slack, Teams,
Matrix, ntfy, or any JSON/form webhook); say clearly, and without secrets, why it failed.

Like monitor.notify.mailer, the one question asked is "did the service accept it?":
`send_push` returns only when Apprise reports success (for a webhook: a 2xx answer), and
raises PushError otherwise. The URL itself never appears in a message: it is named by its
`private_label` (Apprise's masked form) and Apprise's reasons are scrubbed of its parts.
"""

from __future__ import annotations

import logging
import re

from monitor.config.apprise_urls import private_label, quiet_apprise


class PushError(Exception):
    """The service did not accept the alert; the text names it without its secrets."""


def send_push(url: str, title: str, body: str) -> None:
    """Send `title` and `body` to the Apprise target `url`; PushError when not accepted."""
    apprise = quiet_apprise()
    label = private_label(url)
    target = apprise.Apprise()
    if not target.add(url):
        raise PushError(f"{label}: Apprise cannot use this URL")
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        accepted = target.notify(title=title, body=body, notify_type=apprise.NotifyType.WARNING)
    if not accepted:
        reasons = " ".join(captured.getvalue().split()) or "no reason given"
        raise PushError(f"{label} did not accept the alert: {scrub(reasons, url, label)}")


def scrub(text: str, url: str, label: str) -> str:
    """`text` with every part of `url` that Apprise masks in `label` replaced by ****."""
    secrets = {part for part in re.split(r"[/:@?&=#]+", url.split("://", 1)[-1])
               if len(part) >= 6 and part not in label}
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "****")
    return text
