"""`monitor run` as an operator runs it: a real process that scans a local site on a
short schedule, sends the digest it missed, refuses a second service on its database,
keeps going after a hung scan, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import socket

import pytest
from aiosmtpd.controller import Controller

from monitor.storage import Storage
from tests.service.helpers import ServiceProcess, query, wait_until

FAST = {"scan_every": "2s", "scan_timeout": "20s", "stop_grace": "10s"}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def test_run_scans_sends_the_missed_digest_once_and_stops_on_sigterm(
        site, settings_file, monitor_cli, tmp_path, smtp_server, rss, posts):
    url = site.add("/feed.xml", rss(posts.complaint_it))
    config = settings_file(sources=[{"name": "blog", "type": "feed", "url": url}],
                           schedule=FAST, digest={"recipients": ["staff@example.com"]},
                           smtp={"host": "127.0.0.1", "port": smtp_server.port})
    database = tmp_path / "monitor.db"
    assert monitor_cli("scan", config=config).returncode == 0  # yesterday's mentions
    site.add("/feed.xml", rss(posts.complaint_it, posts.praise_en))

    service = ServiceProcess(config, tmp_path / "first.log")
    try:
        service.wait_for_log("was not sent (last sent: never): sending it now")
        service.wait_for_log("`monitor digest` (pid")
        service.wait_for_log("`monitor scan` (pid")
        service.wait_for_log("ended with exit code 0 (ok)")
        # The digest child may end first: wait for the scan's mentions.
        wait_until(lambda: query(database, "select count(*) from mentions") == [(2,)], 30,
                   "the scheduled scan's mentions")
        second = monitor_cli("run", config=config, timeout=30)
        assert second.returncode == 3
        assert "another `monitor run` already serves" in second.stderr
        assert service.stop() == 0
    finally:
        service.kill()
    log = service.log
    assert "received SIGTERM: stopping" in log and "service stopped" in log
    assert len(query(database, "select id from scans where status = 'ok'")) >= 2

    if "sending by SMTP is not built yet" in log:
        # `monitor digest` cannot send in this branch (issue 5): record what it would.
        with Storage(database) as storage:
            storage.record_digest([], status="sent", recipients=["staff@example.com"],
                                  negative_count=0)
    else:
        assert len(smtp_server.messages) == 1
        assert smtp_server.messages[0].rcpt_tos == ["staff@example.com"]

    log_file = tmp_path / "monitor.log"
    again = ServiceProcess(config, tmp_path / "second.log", "--log-file", str(log_file))
    try:
        again.wait_for_log("ended with exit code 0 (ok)")
        assert again.stop(signal.SIGINT) == 0
    finally:
        again.kill()
    assert "received SIGINT" in again.log
    assert "received SIGINT" in log_file.read_text(encoding="utf-8")
    assert "monitor digest" not in again.log
    assert len(smtp_server.messages) <= 1


def test_a_hung_scan_is_killed_recorded_as_failed_and_the_service_goes_on(
        site, settings_file, tmp_path, rss, posts):
    site.add("/feed.xml", rss(posts.complaint_it), delay=60)
    config = settings_file(
        sources=[{"name": "blog", "type": "feed", "url": site.url("/feed.xml")}],
        schedule={"scan_every": "3s", "scan_timeout": "6s"}, crawl={"timeout": 120})
    database = tmp_path / "monitor.db"

    service = ServiceProcess(config, tmp_path / "service.log")
    try:
        service.wait_for_log("still running after 6 s: killing it")
        site.add("/feed.xml", rss(posts.complaint_it))  # the site answers again
        service.wait_for_log("recorded as failed: killed after", timeout=15)
        # (the missed-digest child also ends with code 0: wait for the scan's row itself)
        wait_until(lambda: ("ok",) in query(database, "select status from scans"), 20,
                   "a scan that ends ok after the hung one")
        assert service.stop() == 0
    finally:
        service.kill()
    statuses = query(database, "select status, errors from scans order by id")
    assert statuses[0][0] == "failed" and "killed after 6 s" in statuses[0][1]
    assert ("ok", "{}") in statuses
    assert query(database, "select count(*) from mentions") == [(1,)]


@pytest.mark.parametrize("grace, outcome", [("15s", "finished"), ("0s", "stopped")])
def test_sigterm_lets_the_running_scan_finish_or_stops_it(
        site, settings_file, tmp_path, grace, outcome, rss, posts):
    site.add("/feed.xml", rss(posts.complaint_it), delay=3 if outcome == "finished" else 60)
    config = settings_file(
        sources=[{"name": "blog", "type": "feed", "url": site.url("/feed.xml")}],
        schedule={"scan_every": "1h", "stop_grace": grace}, crawl={"timeout": 120})
    database = tmp_path / "monitor.db"

    service = ServiceProcess(config, tmp_path / "service.log")
    try:
        service.wait_for_log("Spider opened")
        assert service.stop() == 0
    finally:
        service.kill()
    log = service.log
    assert "received SIGTERM: stopping" in log and "service stopped" in log
    (status, errors), = query(database, "select status, errors from scans")
    if outcome == "finished":
        assert "finished with exit code 0" in log
        assert status == "ok"
        assert query(database, "select count(*) from mentions") == [(1,)]
    else:
        assert "did not finish in time: stopping it" in log
        assert status == "failed" and "when the service shut down" in errors
