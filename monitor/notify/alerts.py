"""Urgent alerts: each new complaint at or above [alerts] min_severity, at once, once only,
on every channel: e-mail to [alerts] recipients (default: the digest's) and each Apprise
URL of [alerts] notify, in that target's language.

Each (mention, channel) follows the digest's order of events (monitor.notify.delivery):
recorded 'sending', handed over, then 'sent' once accepted or 'failed' with the reason. A
channel that accepted an alert never gets it again; one that failed gets it at the next
run, and the others are not sent it a second time. An alert left 'sending' by a killed
process is sent again on that channel, marked "maybe already received". A mention stops
being due when every channel accepted it (or once it went out in a digest).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from monitor.config.apprise_urls import apprise_target, private_label
from monitor.notify.delivery import DeliveryLock, check_mail_settings, send_mail
from monitor.notify.digest import build_alert
from monitor.notify.mailer import MailConfigError, MailError
from monitor.notify.push import PushError, send_push
from monitor.storage import Storage

URGENT_HEADERS = {"Importance": "high", "X-Priority": "1 (Highest)"}
EMAIL = "email"


@dataclass(frozen=True)
class Channel:
    """Where alerts go: e-mail (`recipients`) or one Apprise `url` (which may hold a token:
    it is shown only as `label`)."""

    key: str
    label: str
    language: str
    recipients: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class AlertsOutcome:
    """What `send_alerts` did: what was sent where, and each channel that failed, why."""

    sent: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    interrupted: list[dict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def alert_channels(settings) -> list[Channel]:
    """The channels of the alerts; MailConfigError, before anything is recorded, when one
    cannot work (no recipients, a password or URL variable unset)."""
    recipients = settings.alerts.recipients or settings.digest.recipients
    channels = []
    if recipients or not settings.alerts.notify:
        check_mail_settings(settings, recipients, "alerts.recipients (or digest.recipients)")
        channels.append(Channel(EMAIL, ", ".join(recipients), settings.digest.language,
                                recipients=list(recipients)))
    for index, target in enumerate(settings.alerts.notify):
        url = target.url or _url_from_environment(target.url_env, f"alerts.notify[{index}]")
        key = "notify:" + hashlib.sha256(url.encode()).hexdigest()[:16]
        channels.append(Channel(key, private_label(url), target.language, url=url))
    return channels


def _url_from_environment(variable: str, key: str) -> str:
    url = os.environ.get(variable, "")
    if not url:
        raise MailConfigError(f"{key}.url_env: the environment variable {variable} is not "
                              "set (it must hold the Apprise URL)")
    try:
        apprise_target(url)
    except ValueError as exc:
        raise MailConfigError(f"{key}.url_env: {variable} holds {exc}") from None
    return url


def send_alerts(settings) -> AlertsOutcome:
    """Send every due alert on every channel that has not accepted it yet.

    A channel that fails is left alone for the rest of this run (the next run tries it
    again); `errors` says why, by channel.
    """
    channels = alert_channels(settings)
    outcome = AlertsOutcome()
    with DeliveryLock(settings.database_path), Storage(settings.database_path) as storage:
        outcome.interrupted = storage.close_interrupted_alerts()
        maybe_received = storage.maybe_alerted()
        down: set[str] = set()  # channels that failed in this run
        for mention in storage.mentions_to_alert(settings.alerts.min_severity):
            done = storage.alerted_channels(mention["id"])
            for channel in channels:
                if channel.key in done or channel.key in down:
                    continue
                repeated = (mention["id"], channel.key) in maybe_received
                try:
                    _send_one(storage, settings, mention, channel, repeated, outcome)
                except (MailError, PushError) as exc:
                    outcome.errors[channel.label] = str(exc)
                    down.add(channel.key)
                    continue
                done.add(channel.key)
            if all(channel.key in done for channel in channels):
                storage.mark_alerted(mention["id"])
    return outcome


def _send_one(storage: Storage, settings, mention: dict, channel: Channel, repeated: bool,
              outcome: AlertsOutcome) -> None:
    alert = build_alert(mention, settings, maybe_repeated=repeated, language=channel.language)
    alert_id = storage.begin_alert(mention["id"], channel=channel.key,
                                   recipients=channel.recipients or [channel.label],
                                   subject=alert.subject)

    def failed(error: str) -> None:
        storage.alert_failed(alert_id, error)

    if channel.url:
        try:
            send_push(channel.url, alert.subject, alert.text)
        except Exception as exc:  # not accepted, or a bug: recorded, then raised
            failed(str(exc) or type(exc).__name__)
            raise
        message_id = ""
    else:
        accepted, message_id = send_mail(settings, alert, channel.recipients, failed,
                                         headers=URGENT_HEADERS)
        outcome.refused.update(accepted.refused)
    storage.alert_sent(alert_id, message_id)
    outcome.sent.append(f"{alert.subject} ({channel.label})")
