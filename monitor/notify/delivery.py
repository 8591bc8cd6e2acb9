"""Deliver the digest (and, through monitor.notify.alerts, the urgent alerts): nothing
lost, nothing sent twice.

The order of events for every message:

1. under an exclusive lock beside the database (one sender at a time),
2. record the message as 'sending' with the ids of its mentions,
3. hand it to the SMTP server (monitor.notify.mailer),
4. when the server accepted it: mark it 'sent' and its mentions digested (or alerted) in
   one transaction; when it did not: mark it 'failed', its mentions stay pending and the
   next run includes them.

A 'sending' row found by the next run means the process died between 2 and 4: the server
may or may not have accepted the message, and nothing can tell us which. We choose not to
lose: the row becomes 'interrupted', its mentions are still pending, so the next message
includes them again, each marked "maybe already received" with a note saying why. A
complaint seen twice costs a second of reading; a complaint never seen costs a customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from monitor.notify.digest import Digest, build_digest, email_message
from monitor.notify.mailer import Accepted, MailConfigError, send_message, smtp_password
from monitor.storage import Storage
from monitor.storage.locks import DatabaseLock


class NothingToResend(Exception):
    """--force was asked but no digest was ever sent."""


class DeliveryLock(DatabaseLock):
    """`<database>.mail.lock`: one process sends at a time. A second sender waits for
    the first to finish, so that it sees what was marked."""

    suffix = ".mail.lock"
    wait = True


@dataclass
class DigestOutcome:
    """What `send_digest` did: `digest_id` is None when nothing was sent."""

    digest: Digest
    digest_id: int | None = None
    refused: dict[str, str] = field(default_factory=dict)
    interrupted: list[dict] = field(default_factory=list)

    @property
    def sent(self) -> bool:
        return self.digest_id is not None


def check_mail_settings(settings, recipients: list[str], key: str) -> None:
    """MailConfigError now, before anything is recorded, if sending cannot work."""
    if not recipients:
        raise MailConfigError(f"{key}: no recipients; add at least one address")
    smtp_password(settings.smtp)


def render_digest(storage: Storage, settings, *, force: bool = False) -> tuple[Digest, dict]:
    """The digest to send now, and the last sent digest when `force` re-sends it."""
    if not force:
        return build_digest(storage, settings), {}
    last = storage.last_sent_digest()
    if last is None:
        raise NothingToResend("no digest was sent yet, so there is none to re-send "
                              "(run `monitor digest` without --force)")
    when = datetime.fromisoformat(last["created_at"])
    digest = build_digest(storage, settings, when, mention_ids=last["mention_ids"],
                          before_digest_id=last["id"])
    return digest, last


def send_digest(settings, *, force: bool = False) -> DigestOutcome:
    """Send the digest of every mention not yet in a sent digest (with `force`: send the
    last sent digest again). Raises MailError when the server did not accept it."""
    check_mail_settings(settings, settings.digest.recipients, "digest.recipients")
    with DeliveryLock(settings.database_path), Storage(settings.database_path) as storage:
        interrupted = storage.close_interrupted_digests()
        digest, last = render_digest(storage, settings, force=force)
        outcome = DigestOutcome(digest, interrupted=interrupted)
        if digest.empty and not force and not settings.digest.send_when_empty:
            return outcome
        digest_id = storage.begin_digest(
            digest.mention_ids, recipients=settings.digest.recipients, subject=digest.subject,
            negative_count=digest.negative_count, resend_of=last.get("id"))
        accepted, message_id = send_mail(settings, digest, settings.digest.recipients,
                                         on_failure=lambda error: storage.digest_failed(
                                             digest_id, error))
        storage.digest_sent(digest_id, message_id)
        outcome.digest_id, outcome.refused = digest_id, accepted.refused
        return outcome


def send_mail(settings, mail: Digest, recipients: list[str], on_failure,
              headers: dict[str, str] | None = None) -> tuple[Accepted, str]:
    """Hand `mail` to the server; on any failure call `on_failure(error)` and re-raise."""
    message = email_message(mail, settings.digest.sender, recipients, headers)
    try:
        accepted = send_message(settings.smtp, message, settings.digest.sender, recipients)
    except Exception as exc:
        # Not accepted: the server refused, the network failed, or a bug. Record it;
        # the mentions stay pending.
        on_failure(str(exc) or type(exc).__name__)
        raise
    return accepted, message["Message-ID"]
