"""Urgent alerts where the staff are: each Apprise URL of [alerts] notify gets each urgent
complaint once, in its language, besides the e-mail. The targets here are Apprise's json://
webhooks, served by a real HTTP server on 127.0.0.1 that goes down and comes back."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.notify.helpers import database, mention, seed, write_config

ROOT = Path(__file__).resolve().parents[2]
FRAUD = mention("Addebito doppio", "Bottega Aurora mi ha addebitato due volte: truffa.",
                severity="critical", categories=("fraud",))
LATE = mention("Pacco in ritardo", "Il pacco di Bottega Aurora è in ritardo.",
               severity="high")
SECRET = "s3cret-webhook-pass"


def posts(site, path: str) -> list[dict]:
    """The JSON notifications the webhook at `path` received, in order."""
    return [json.loads(r.body) for r in site.requests if r.method == "POST" and r.path == path]


def alert_rows(config) -> list[dict]:
    with database(config) as db:
        return [dict(row) for row in db.execute(
            "select mention_id, channel, status, recipients, error from alerts order by id")]


def alerted(config) -> bool:
    with database(config) as db:
        return all(row[0] for row in db.execute("select alerted_at from mentions"))


def test_each_target_gets_each_alert_once_in_its_language(
        smtp_server, settings_file, monitor_cli, site):
    server = smtp_server()
    site.add("/it", "{}", content_type="application/json")
    site.add("/en", "{}", content_type="application/json")
    host = site.base.removeprefix("http://")
    config = write_config(settings_file, server, alerts={"enabled": True, "notify": [
        f"json://{host}/it", {"url": f"json://{host}/en", "language": "en"}]})
    seed(config, FRAUD)

    first = monitor_cli("alerts", config=config)
    again = monitor_cli("alerts", config=config)

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    [italian], [english] = posts(site, "/it"), posts(site, "/en")
    assert italian["title"] == "[Bottega Aurora] URGENTE: reclamo CRITICO da Il blog di Giulia"
    assert english["title"] == "[Bottega Aurora] URGENT: CRITICAL complaint from Il blog di Giulia"
    assert "Bottega Aurora mi ha addebitato due volte" in italian["message"]
    assert "Urgent complaint for Bottega Aurora" in english["message"]
    [mail] = server.messages
    assert "URGENTE" in mail["Subject"]
    assert f"Alert sent: {italian['title']} (json://{host}/it)" in first.stdout
    assert alerted(config)


def test_a_target_down_then_back_gets_the_alert_once_and_the_mail_is_not_sent_again(
        smtp_server, settings_file, monitor_cli, make_site, free_port):
    server = smtp_server()
    port = free_port()
    config = write_config(settings_file, server, alerts={
        "enabled": True, "notify": [f"json://127.0.0.1:{port}/hook"]})
    seed(config, FRAUD, LATE)  # LATE is below min_severity (critical): never alerted

    nobody_listens = monitor_cli("alerts", config=config)

    assert nobody_listens.returncode == 1
    assert (f"Error: alert not sent (it is tried again next time): json://127.0.0.1:{port}"
            "/hook did not accept the alert: A Connection error occurred") in nobody_listens.stderr
    assert len(server.messages) == 1  # the e-mail went out all the same
    assert not alerted(config)

    site = make_site(port=port)
    site.add("/hook", "busy", status=503, content_type="text/plain")
    unavailable = monitor_cli("alerts", config=config)

    assert unavailable.returncode == 1 and "error=503" in unavailable.stderr
    assert len(server.messages) == 1
    site.add("/hook", "{}", content_type="application/json")
    back = monitor_cli("alerts", config=config)
    quiet = monitor_cli("alerts", config=config)

    assert back.returncode == 0 and quiet.returncode == 0, back.stderr + quiet.stderr
    received = posts(site, "/hook")
    assert len(received) == 2  # the 503 and the accepted one
    assert "Addebito doppio" in received[-1]["message"]
    assert "forse già ricevuto" not in received[-1]["message"]  # it was refused, not cut off
    assert len(server.messages) == 1
    statuses = [(row["channel"].split(":")[0], row["status"]) for row in alert_rows(config)]
    assert statuses == [("email", "sent"), ("notify", "failed"), ("notify", "failed"),
                        ("notify", "sent")]
    with database(config) as db:
        assert db.execute("select count(*) from mentions where alerted_at is not null"
                          ).fetchone()[0] == 1


def test_an_alert_cut_off_while_sending_is_sent_again_marked_maybe_received(
        smtp_server, settings_file, site):
    server = smtp_server()
    site.add("/slow", "{}", content_type="application/json", delay=30)
    config = write_config(settings_file, server, alerts={
        "enabled": True, "notify": [f"json://{site.base.removeprefix('http://')}/slow"]})
    seed(config, FRAUD)
    process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config),
                                "alerts"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:  # kill it while the webhook holds the request: accepted or not, nobody knows
        deadline = time.monotonic() + 20
        while not posts(site, "/slow"):
            assert process.poll() is None and time.monotonic() < deadline, "no request came"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    site.add("/slow", "{}", content_type="application/json")

    rerun = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "alerts"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert rerun.returncode == 0, rerun.stderr
    assert "was cut off while sending" in rerun.stderr
    first, second = posts(site, "/slow")
    assert "forse già ricevuto" not in first["message"]
    assert "forse già ricevuto" in second["message"]
    assert len(server.messages) == 1  # the e-mail had been accepted before the kill
    assert [row["status"] for row in alert_rows(config)] == ["sent", "interrupted", "sent"]


def test_secrets_in_the_urls_never_reach_the_output_the_log_or_the_database(
        smtp_server, settings_file, monitor_cli, free_port):
    server = smtp_server()
    port = free_port()
    config = write_config(settings_file, server, alerts={"enabled": True, "notify": [
        f"json://monitor:{SECRET}@127.0.0.1:{port}/hook?-token={SECRET}x",
        {"url_env": "MONITOR_TEST_HOOK", "language": "en"}]})
    seed(config, FRAUD)
    env = {"MONITOR_TEST_HOOK": f"json://bot:{SECRET}y@127.0.0.1:{port}/other"}

    failed = monitor_cli("--log-level", "DEBUG", "alerts", config=config, env=env)

    assert failed.returncode == 1
    assert failed.stderr.count("did not accept the alert") == 2
    assert "json://monitor:****@127.0.0.1" in failed.stderr
    assert SECRET not in failed.stdout + failed.stderr
    rows = alert_rows(config)
    assert len(rows) == 3 and SECRET not in json.dumps(rows)

    unset = monitor_cli("alerts", config=config)
    assert unset.returncode == 2
    assert "alerts.notify[1].url_env: the environment variable MONITOR_TEST_HOOK is not set" \
        in unset.stderr


def test_a_url_apprise_does_not_know_is_a_configuration_error_without_the_url(
        settings_file, monitor_cli):
    config = write_config(settings_file, alerts={"enabled": True, "notify": [
        f"telegramm://{SECRET}/12345"]})
    result = monitor_cli("alerts", config=config)
    assert result.returncode == 2
    assert "alerts.notify[0]: not a URL that Apprise understands (scheme 'telegramm'" \
        in result.stderr
    assert SECRET not in result.stderr
