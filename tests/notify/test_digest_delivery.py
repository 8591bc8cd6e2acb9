"""`monitor digest` as cron runs it, against a real SMTP server on 127.0.0.1: what arrives,
what is marked, and what happens when the server is down, refuses or hangs up."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import load_settings
from monitor.storage import Storage
from tests.notify.helpers import (
    RECIPIENTS,
    SENDER,
    complaint_titles,
    digest_rows,
    digested,
    mention,
    parts,
    seed,
    write_config,
)

ROOT = Path(__file__).resolve().parents[2]

PARCEL = mention("Il pacco non è mai arrivato", "Ordinato da Bottega Aurora, mai arrivato.")
FRAUD = mention("Addebito doppio", "Bottega Aurora mi ha addebitato due volte: truffa.",
                severity="critical", categories=("fraud",))
PRAISE = mention("Tovaglie bellissime", "Le tovaglie di Bottega Aurora sono stupende.",
                 negative=False)
REFUND = mention("Rimborso in ritardo", "Aspetto il rimborso da Bottega Aurora.",
                 categories=("refund_return",))


def test_digest_arrives_as_one_multipart_message_and_marks_its_mentions(
        smtp_server, settings_file, monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server)
    seed(config, PARCEL, FRAUD, PRAISE)

    result = monitor_cli("digest", config=config)

    assert result.returncode == 0, result.stderr
    assert "Sent digest" in result.stdout
    [message] = server.messages
    assert server.handler.envelopes[0].rcpt_tos == RECIPIENTS
    assert message["From"] == SENDER and message["To"] == ", ".join(RECIPIENTS)
    assert message["Message-ID"] and message["Date"]
    assert message["Subject"].startswith("[Bottega Aurora] ")
    assert "2 reclami da seguire" in message["Subject"]
    text, html = parts(message)
    assert complaint_titles(html) == ["Addebito doppio", "Il pacco non è mai arrivato"]
    assert text.index("Addebito doppio") < text.index("Il pacco non è mai arrivato")
    assert "Tovaglie bellissime" in text and "Tovaglie bellissime" in html
    assert f'href="{PARCEL["url"]}"' in html and PARCEL["url"] in text
    assert "Chiama il cliente" not in text  # only the actions of its categories
    assert "il titolare contatti il cliente di persona" in text
    assert all(digest_id == 1 for digest_id in digested(config).values())
    [row] = digest_rows(config)
    assert row["status"] == "sent" and row["message_id"] == message["Message-ID"]


def test_second_digest_the_same_day_repeats_nothing(smtp_server, settings_file, monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server)
    seed(config, PARCEL, PRAISE)
    assert monitor_cli("digest", config=config).returncode == 0

    again = monitor_cli("digest", config=config)

    assert again.returncode == 0, again.stderr
    assert "Nothing new" in again.stdout
    assert len(server.messages) == 1

    seed(config, REFUND)
    third = monitor_cli("digest", config=config)

    assert third.returncode == 0, third.stderr
    text, html = parts(server.messages[1])
    assert complaint_titles(html) == ["Rimborso in ritardo"]
    assert "Tovaglie bellissime" not in text
    # The first complaint is now listed as still open, with its age, not as new.
    assert "Ancora aperti dai digest precedenti: 1" in text
    assert "Il pacco non è mai arrivato" in text.split("Ancora aperti")[1]


def test_send_when_empty_sends_a_short_nothing_new_mail(smtp_server, settings_file,
                                                        monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server, language="en",
                          digest={"send_when_empty": True})

    result = monitor_cli("digest", config=config)

    assert result.returncode == 0, result.stderr
    [message] = server.messages
    assert message["Subject"].endswith(": nothing new")
    assert "Nothing new since the last digest." in parts(message)[0]


def test_force_resends_the_last_digest_with_the_same_mentions(
        smtp_server, settings_file, monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server)
    seed(config, PARCEL, FRAUD)
    assert monitor_cli("digest", config=config).returncode == 0
    seed(config, REFUND)  # new since: not part of the last digest

    result = monitor_cli("digest", "--force", config=config)

    assert result.returncode == 0, result.stderr
    first, second = server.messages
    assert second["Subject"] == first["Subject"]
    assert complaint_titles(parts(second)[1]) == complaint_titles(parts(first)[1])
    assert digested(config)["Rimborso in ritardo"] is None
    assert [row["resend_of"] for row in digest_rows(config)] == [None, 1]


def test_force_without_any_sent_digest_is_a_usage_error(smtp_server, settings_file,
                                                        monitor_cli):
    config = write_config(settings_file, smtp_server())
    result = monitor_cli("digest", "--force", config=config)
    assert result.returncode == 2
    assert "no digest was sent yet" in result.stderr


@pytest.mark.parametrize("fault, expected", [
    ("down", "cannot connect to the SMTP server 127.0.0.1:"),
    ("451", "451 4.3.0 Mailbox busy, try later"),
    ("554", "554 5.7.1 Message rejected as spam"),
    ("drop", "the server closed the connection"),
])
def test_a_failed_sending_marks_nothing_and_the_next_run_sends_it_all_once(
        fault, expected, smtp_server, settings_file, monitor_cli, free_port):
    if fault == "down":
        broken_settings = {"host": "127.0.0.1", "port": free_port(), "timeout": 5}
        config = write_config(settings_file, smtp=broken_settings)
    else:
        broken = smtp_server(
            data_reply={"451": "451 4.3.0 Mailbox busy, try later",
                        "554": "554 5.7.1 Message rejected as spam"}.get(fault),
            drop_at_data=fault == "drop")
        config = write_config(settings_file, broken)
    seed(config, PARCEL, PRAISE)

    failed = monitor_cli("digest", config=config)

    assert failed.returncode == 1
    assert expected in failed.stderr and "nothing marked" in failed.stderr
    assert "127.0.0.1" in failed.stderr
    assert set(digested(config).values()) == {None}
    assert digest_rows(config)[-1]["status"] == "failed"

    working = smtp_server()
    config = write_config(settings_file, working)
    assert monitor_cli("digest", config=config).returncode == 0
    assert monitor_cli("digest", config=config).returncode == 0
    [message] = working.messages
    text, html = parts(message)
    assert complaint_titles(html) == ["Il pacco non è mai arrivato"]
    assert "Tovaglie bellissime" in text
    assert None not in digested(config).values()


def test_a_refused_recipient_is_reported_and_when_all_are_refused_nothing_is_marked(
        smtp_server, settings_file, monitor_cli):
    server = smtp_server(refuse=["gone@bottega.example", "left@bottega.example"])
    config = write_config(settings_file, server,
                          digest={"recipients": ["gone@bottega.example", "left@bottega.example"]})
    seed(config, PARCEL)

    refused = monitor_cli("digest", config=config)

    assert refused.returncode == 1
    assert "every recipient was refused" in refused.stderr
    assert "gone@bottega.example: 550 5.1.1 No such user here" in refused.stderr
    assert set(digested(config).values()) == {None}

    config = write_config(settings_file, server,
                          digest={"recipients": ["support@bottega.example",
                                                 "gone@bottega.example"]})
    partly = monitor_cli("digest", config=config)

    assert partly.returncode == 1  # delivered, but someone did not get it
    assert "refused the recipient gone@bottega.example: 550" in partly.stderr
    assert server.handler.envelopes[0].rcpt_tos == ["support@bottega.example"]
    assert None not in digested(config).values()


def test_a_crash_while_sending_resends_with_a_note_rather_than_lose(
        smtp_server, settings_file, tmp_path, monitor_cli):
    """The process is killed while the server holds the message: was it delivered? We
    cannot know, so the next digest includes the mentions again, marked as such."""
    slow = smtp_server(hold_data=True)
    config = write_config(settings_file, slow)
    seed(config, PARCEL)
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config),
                                "digest"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert slow.handler.data_started.wait(30), "the digest never reached DATA"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    slow.handler.hold_data = False
    assert digest_rows(config)[0]["status"] == "sending"
    assert set(digested(config).values()) == {None}

    working = smtp_server()
    config = write_config(settings_file, working)
    result = monitor_cli("digest", config=config)

    assert result.returncode == 0, result.stderr
    assert "was cut off while sending" in result.stderr
    text, html = parts(working.messages[0])
    assert complaint_titles(html) == ["Il pacco non è mai arrivato"]
    assert "forse già ricevuto" in text and "forse già ricevuto" in html
    assert [row["status"] for row in digest_rows(config)] == ["interrupted", "sent"]
    assert None not in digested(config).values()


def test_dry_run_writes_a_complete_eml_and_marks_nothing(settings_file, monitor_cli,
                                                         tmp_path, free_port):
    from email import message_from_bytes, policy

    config = write_config(settings_file, smtp={"host": "127.0.0.1", "port": free_port()})
    seed(config, PARCEL)

    result = monitor_cli("digest", "--dry-run", "--out", str(tmp_path / "out"),
                         config=config)

    assert result.returncode == 0, result.stderr
    eml = message_from_bytes((tmp_path / "out" / "digest.eml").read_bytes(),
                             policy=policy.default)
    text, html = parts(eml)
    assert eml["To"] == ", ".join(RECIPIENTS) and "1 reclamo da seguire" in eml["Subject"]
    assert html.strip() == (tmp_path / "out" / "digest.html").read_text(encoding="utf-8")
    assert "Il pacco non è mai arrivato" in text
    assert set(digested(config).values()) == {None}
    assert digest_rows(config) == []


def test_storage_marks_only_after_the_server_accepted(tmp_path, settings_file):
    """The bookkeeping itself: 'sending' marks nothing, 'sent' marks in one go."""
    config = write_config(settings_file)
    [parcel_id] = seed(config, PARCEL)
    with Storage(load_settings(config).database_path) as storage:
        digest_id = storage.begin_digest([parcel_id], recipients=RECIPIENTS, subject="s",
                                         negative_count=1)
        assert storage.mentions(undigested=True)[0]["id"] == parcel_id
        assert storage.maybe_delivered_mention_ids() == {parcel_id}
        storage.digest_sent(digest_id, "<id@x>")
        assert storage.mentions(undigested=True) == []
        assert storage.maybe_delivered_mention_ids() == set()
        assert [m["id"] for m in storage.open_complaints()] == [parcel_id]
        assert storage.open_complaints(before_digest_id=digest_id) == []
