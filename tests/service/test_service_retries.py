"""A digest or an alert the server did not accept is tried again within the day, after 5,
15, 30 and 60 minutes, then hourly; `monitor status` shows the next try. The service runs
with a clock the test moves and a paused scheduler whose planned jobs the test fires, as
APScheduler would at their time; the children, the SMTP server and the webhook are real."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.config import Digest, load_settings
from monitor.service.scheduler import Service, next_digest_retry
from tests.service.helpers import FakeClock, query, store_complaint

ROME = ZoneInfo("Europe/Rome")
DIGEST = Digest(time="08:00", timezone="Europe/Rome")
SOURCES = [{"name": "Il blog di Giulia", "type": "feed", "url": "http://giulia.example/feed"}]


def test_retries_after_5_15_30_and_60_minutes_then_hourly_until_the_next_digest():
    eight = datetime(2026, 12, 1, 8, 0, tzinfo=ROME)
    tries, now = [], eight
    for failures in range(1, 30):
        now = next_digest_retry(DIGEST, failures, now)
        if now is None:
            break
        tries.append(now.astimezone(ROME).strftime("%H:%M"))
    assert tries[:6] == ["08:05", "08:20", "08:50", "09:50", "10:50", "11:50"]
    assert tries[-1] == "07:50" and len(tries) == 4 + 22  # none at or after the next 08:00


def yesterday_at_eight() -> datetime:
    """08:00 in Rome yesterday: a digest time in the past of the real clock, which stamps
    what the children store."""
    today = datetime.now(ROME).replace(hour=8, minute=0, second=0, microsecond=0)
    return today - timedelta(days=1)


@pytest.fixture
def service(tmp_path, write_settings, free_port):
    """A Service on a fake clock set to a digest time, its scheduler started paused; the
    settings mail through a port where nothing listens yet."""
    smtp_port = free_port()

    def start(**sections) -> Service:
        path = write_settings(tmp_path / "settings.toml", sources=SOURCES, **{
            "digest": {"recipients": ["support@bottega.example"], "time": "08:00",
                       "timezone": "Europe/Rome"},
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "timeout": 5}, **sections})
        settings = load_settings(path)
        store_complaint(settings, "Addebito doppio")
        started = Service(settings, "INFO", clock=FakeClock(yesterday_at_eight()))
        started._start_scheduler(paused=True)
        started.smtp_port = smtp_port
        return started

    started = []
    yield lambda **sections: started.append(start(**sections)) or started[-1]
    for each in started:
        each.scheduler.shutdown(wait=False)


def fire(service: Service, job_id: str) -> None:
    """Move the clock to the job's time and run it, as the scheduler would then."""
    job = service.scheduler.get_job(job_id)
    service.now.set(job.next_run_time)
    job.func()


def status(service: Service, monitor_cli) -> dict:
    result = monitor_cli("status", "--json", config=service.settings.path)
    return json.loads(result.stdout)


def local(moment: datetime) -> str:
    return moment.astimezone(ROME).strftime("%H:%M")


def test_a_digest_refused_at_eight_goes_out_when_the_server_is_back_twenty_minutes_later(
        service, smtp_server, monitor_cli):
    service = service()
    database = service.settings.database_path

    service.digest_job()  # 08:00: nothing listens on the SMTP port

    retry = service.scheduler.get_job("digest-retry")
    assert local(retry.next_run_time) == "08:05"
    planned = status(service, monitor_cli)["next_tries"]["digest"]
    assert planned["attempt"] == 1 and "cannot connect to the SMTP server" in planned["error"]
    assert datetime.fromisoformat(planned["at"]) == retry.next_run_time
    text = monitor_cli("status", config=service.settings.path).stdout
    assert "next digest try: " in text and "by `monitor run` (after 1 failed try: " in text

    fire(service, "digest-retry")  # 08:05: still down

    assert local(service.scheduler.get_job("digest-retry").next_run_time) == "08:20"
    assert status(service, monitor_cli)["next_tries"]["digest"]["attempt"] == 2
    server = smtp_server(port=service.smtp_port)  # back at 08:20

    fire(service, "digest-retry")

    [message] = server.messages
    assert "Addebito doppio" in message.get_body(("plain",)).get_content()
    assert service.scheduler.get_job("digest-retry") is None
    assert status(service, monitor_cli)["next_tries"] == {}
    assert [row[0] for row in query(database, "select status from digests order by id")] == [
        "failed", "failed", "sent"]
    assert query(database, "select count(*) from mentions where digest_id is null") == [(0,)]

    service.now.set(service.now() + timedelta(hours=1))
    service.digest_retry_job()  # a retry that comes late sends nothing twice
    assert len(server.messages) == 1


def test_alerts_a_webhook_refused_are_tried_again_after_five_minutes(
        service, smtp_server, make_site, free_port, monitor_cli):
    webhook_port = free_port()
    service = service(alerts={"enabled": True,
                              "notify": [f"json://127.0.0.1:{webhook_port}/urgent"]})
    mail = smtp_server(port=service.smtp_port)
    eight = service.now()

    service.alerts_job()  # the e-mail is accepted, the webhook is down

    retry = service.scheduler.get_job("alerts-retry")
    assert retry.next_run_time == eight + timedelta(minutes=5)
    planned = status(service, monitor_cli)["next_tries"]["alerts"]
    assert planned["attempt"] == 1
    assert f"json://127.0.0.1:{webhook_port}/urgent did not accept" in planned["error"]
    assert len(mail.messages) == 1
    webhook = make_site(port=webhook_port)
    webhook.add("/urgent", "{}", content_type="application/json")

    fire(service, "alerts-retry")

    [posted] = [json.loads(r.body) for r in webhook.requests if r.method == "POST"]
    assert "Addebito doppio" in posted["message"]
    assert len(mail.messages) == 1  # the e-mail is not sent twice
    assert service.scheduler.get_job("alerts-retry") is None
    assert status(service, monitor_cli)["next_tries"] == {}
