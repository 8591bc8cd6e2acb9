"""Hand one e-mail to the SMTP server in [smtp]; say clearly why when it cannot.

The one question the rest of monitor asks is "did the server accept this message?":
`send_message` returns only once the server answered 250 to the message's DATA, and
raises `MailError` otherwise, with the server and its reply in the message.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from monitor.config import Smtp


class MailError(Exception):
    """The server did not accept the message; the text names the server and its reply."""


class MailConfigError(Exception):
    """The mail settings cannot work (a password variable unset, no recipients)."""


@dataclass(frozen=True)
class Accepted:
    """The server accepted the message; `refused` lists recipients it would not take."""

    refused: dict[str, str]


def smtp_password(smtp: Smtp) -> str | None:
    """The password from the environment variable `smtp.password_env`, when a username is
    set; MailConfigError when that variable is not set."""
    if not smtp.username:
        return None
    if not smtp.password_env:
        raise MailConfigError("smtp.password_env: must name the environment variable that "
                              "holds the password of smtp.username")
    password = os.environ.get(smtp.password_env)
    if password is None:
        raise MailConfigError(f"smtp.password_env: the environment variable "
                              f"{smtp.password_env} is not set (it must hold the SMTP "
                              f"password of {smtp.username!r})")
    return password


def send_message(smtp: Smtp, message: EmailMessage, sender: str,
                 recipients: list[str]) -> Accepted:
    """Send `message` from `sender` to `recipients` through the server in `smtp`.

    Returns when the server accepted the message; raises MailError when it did not.
    """
    if not recipients:
        raise MailConfigError("no recipients: set digest.recipients (or alerts.recipients)")
    password = smtp_password(smtp)
    server = f"{smtp.host}:{smtp.port}"
    try:
        client = _connect(smtp)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"cannot connect to the SMTP server {server} "
                        f"(security {smtp.security}): {_describe(exc)}") from None
    try:
        if password is not None:
            _login(client, smtp.username, password)
        refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
    except (OSError, smtplib.SMTPException) as exc:
        client.close()
        raise MailError(f"the SMTP server {server} did not accept the message: "
                        f"{_describe(exc)}") from None
    _quit_quietly(client)
    return Accepted(refused={addr: _reply(*reply) for addr, reply in refused.items()})


def _connect(smtp: Smtp) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        try:
            client.starttls(context=context)
        except BaseException:
            client.close()
            raise
    return client


AUTH_PREFERENCE = ("CRAM-MD5", "PLAIN", "LOGIN")


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """Log in once, with the best mechanism the server offers.

    Unlike smtplib's login() this does not try the next mechanism after a refusal: wrong
    credentials are refused by every mechanism, and each try counts against the account
    on servers that lock it after repeated failures.
    """
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("the server offers no AUTH (login); check "
                                            "smtp.security and smtp.port")
    offered = client.esmtp_features["auth"].upper().split()
    mechanism = next((m for m in AUTH_PREFERENCE if m in offered), None)
    if mechanism is None:
        raise smtplib.SMTPException(f"no AUTH mechanism in common (server offers "
                                    f"{', '.join(offered)})")
    client.user, client.password = username, password
    method = getattr(client, "auth_" + mechanism.lower().replace("-", "_"))
    client.auth(mechanism, method, initial_response_ok=True)


def _quit_quietly(client: smtplib.SMTP) -> None:
    """Say goodbye; the message is already accepted, so a failure here changes nothing."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _describe(exc: BaseException) -> str:
    """The SMTP reply code and text, or the network error, in one line."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient was refused: " + "; ".join(
            f"{addr}: {_reply(*reply)}" for addr, reply in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the server closed the connection ({exc or 'no reply'})"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer before the timeout (smtp.timeout)"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return f"TLS failed: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"
