"""Urgent alerts: each new complaint at or above [alerts] min_severity is mailed at once,
once only, after a scan or by `monitor alerts`; a failure never undoes the scan."""

from __future__ import annotations

import json

from tests.notify.helpers import (
    RECIPIENTS,
    database,
    mention,
    parts,
    seed,
    write_config,
)

FRAUD = mention("Addebito doppio", "Bottega Aurora mi ha addebitato due volte: truffa.",
                severity="critical", categories=("fraud",))
LATE = mention("Pacco in ritardo", "Il pacco di Bottega Aurora è in ritardo.",
               severity="high")
MINOR = mention("Scatola ammaccata", "Scatola di Bottega Aurora un po' ammaccata.",
                severity="low", categories=("packaging",))
ON = {"enabled": True}


def alerted(config) -> dict[str, bool]:
    with database(config) as db:
        return {row["title"]: row["alerted_at"] is not None
                for row in db.execute("select title, alerted_at from mentions")}


def test_each_urgent_complaint_is_mailed_once(smtp_server, settings_file, monitor_cli):
    server = smtp_server()
    config = write_config(settings_file, server, language="en",
                          alerts={**ON, "min_severity": "high",
                                  "recipients": ["owner@bottega.example"]})
    seed(config, FRAUD, LATE, MINOR)

    first = monitor_cli("alerts", config=config)
    second = monitor_cli("alerts", config=config)

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert len(server.messages) == 2
    assert [e.rcpt_tos for e in server.handler.envelopes] == [["owner@bottega.example"]] * 2
    subjects = sorted(m["Subject"] for m in server.messages)
    assert subjects == ["[Bottega Aurora] URGENT: CRITICAL complaint from Il blog di Giulia",
                        "[Bottega Aurora] URGENT: high complaint from Il blog di Giulia"]
    assert server.messages[0]["Importance"] == "high"
    text, html = parts(server.messages[0])
    assert "Addebito doppio" in text and "Addebito doppio" in html
    assert alerted(config) == {"Addebito doppio": True, "Pacco in ritardo": True,
                               "Scatola ammaccata": False}


def test_alerts_go_to_the_digest_recipients_by_default_and_are_off_by_default(
        smtp_server, settings_file, monitor_cli):
    server = smtp_server()
    seed(write_config(settings_file, server), FRAUD)
    off = monitor_cli("alerts", config=write_config(settings_file, server))
    assert off.returncode == 0 and "Alerts are off" in off.stdout and server.messages == []

    on = monitor_cli("alerts", config=write_config(settings_file, server, alerts=ON))

    assert on.returncode == 0, on.stderr
    [message] = server.messages
    assert server.handler.envelopes[0].rcpt_tos == RECIPIENTS
    assert "URGENTE: reclamo CRITICO" in message["Subject"]


def test_a_failed_alert_marks_nothing_and_is_sent_next_time(smtp_server, settings_file,
                                                            monitor_cli):
    refusing = smtp_server(data_reply="452 4.3.1 Insufficient system storage")
    config = write_config(settings_file, refusing, alerts=ON)
    seed(config, FRAUD)

    failed = monitor_cli("alerts", config=config)

    assert failed.returncode == 1
    assert "452 4.3.1 Insufficient system storage" in failed.stderr
    assert alerted(config) == {"Addebito doppio": False}

    working = smtp_server()
    config = write_config(settings_file, working, alerts=ON)
    assert monitor_cli("alerts", config=config).returncode == 0
    assert monitor_cli("alerts", config=config).returncode == 0
    assert len(working.messages) == 1
    assert alerted(config) == {"Addebito doppio": True}


def test_scan_sends_alerts_and_a_down_server_only_turns_its_exit_code_to_1(
        site, smtp_server, settings_file, monitor_cli, rss, posts, free_port):
    fraud_post = {**posts.complaint_it, "guid": "fraud", "link": "http://blog.example/truffa",
                  "title": "Bottega Aurora: una truffa",
                  "description": "<p>Bottega Aurora mi ha truffato: addebito doppio.</p>"}
    url = site.add("/feed.xml", rss(fraud_post, posts.praise_en))
    down = {"host": "127.0.0.1", "port": free_port(), "timeout": 5}
    source = [{"name": "blog", "type": "feed", "url": url}]
    base = {"digest": {"recipients": RECIPIENTS}, "alerts": ON}
    config = settings_file(sources=source, smtp=down, **base)

    scan = monitor_cli("scan", config=config)

    assert scan.returncode == 1
    assert "2 new mentions" in scan.stdout
    assert "cannot connect to the SMTP server" in scan.stderr
    listed = monitor_cli("mentions", "--json", config=config)
    assert len(listed.stdout.splitlines()) == 2  # the scan's work is stored

    server = smtp_server()
    config = settings_file(sources=source, smtp=server.settings(), **base)
    rescan = monitor_cli("scan", config=config)

    assert rescan.returncode == 0, rescan.stderr
    assert "Alert sent" in rescan.stdout
    [message] = server.messages
    assert "Bottega Aurora: una truffa" in parts(message)[0]
    rows = [json.loads(line) for line in
            monitor_cli("mentions", "--json", config=config).stdout.splitlines()]
    assert len(rows) == 2
