"""The inbox's login against guessing and stolen sessions: failed logins limited per name
and per address in a 15-minute window (on a controllable clock), sessions ended by a new
password or by `monitor staff remove`, cookie flags and security headers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from werkzeug.security import generate_password_hash

from monitor.followup.web import create_app
from monitor.storage import Storage
from tests.followup.helpers import log_in, make_settings, seeded_storage

PASSWORD = "sole-di-maggio"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def inbox(tmp_path):
    """The inbox app over a seeded database where Anna and Marco have passwords."""
    settings = make_settings(tmp_path, web={"language": "en"})  # English words
    with seeded_storage(settings) as storage:
        for name in ("Anna", "Marco"):
            storage.set_staff_password_hash(name, generate_password_hash(PASSWORD))
    return create_app(settings)


def address(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def flash(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('role="alert">', 1)[1].split("<", 1)[0] if 'role="alert">' in page else ""


def logged_in(client) -> bool:
    return client.get("/followups").status_code == 200


def test_the_sixth_try_is_refused_even_with_the_right_password_until_the_window_passes(
        inbox, caplog):
    caplog.set_level(logging.INFO, logger="monitor.followup.web.auth")
    client = inbox.test_client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            wrong = log_in(client, "Anna", "not her password")
            assert wrong.status_code == 401 and flash(wrong) == "Wrong name or password."
            clock.shift(timedelta(seconds=30))

        sixth = log_in(client, "Anna", PASSWORD)
        assert sixth.status_code == 429
        # The oldest failure was 2.5 minutes ago: it leaves the window in 12.5 minutes.
        assert flash(sixth) == ("Too many failed logins for this name or from this address. "
                                "Try again in 13 minutes.")
        assert not logged_in(client)

        clock.shift(timedelta(minutes=12))
        assert "Try again in 1 minute." in flash(log_in(client, "Anna", PASSWORD))
        clock.shift(timedelta(minutes=1))
        assert log_in(client, "Anna", PASSWORD).status_code == 302
        assert logged_in(client)

    refusals = [r.getMessage() for r in caplog.records if "login refused" in r.getMessage()]
    assert refusals == (["login refused: 'Anna' from 127.0.0.1: wrong name or password"] * 5
                        + ["login refused: 'Anna' from 127.0.0.1: too many failed logins "
                           "(5 per 15 minutes for this name)"] * 2)
    assert all(PASSWORD not in r.getMessage() for r in caplog.records)


def test_failures_count_per_name_from_any_address(inbox):
    with time_machine.travel(START, tick=False):
        for n in range(5):
            client = inbox.test_client()
            assert log_in(client, "Marco", "guess", **address(f"127.0.1.{n}")).status_code == 401
        elsewhere = inbox.test_client()
        assert log_in(elsewhere, "Marco", PASSWORD, **address("127.0.2.1")).status_code == 429
        # Anna, from one of the same addresses, is not affected.
        assert log_in(elsewhere, "Anna", PASSWORD, **address("127.0.1.0")).status_code == 302


def test_failures_count_per_address_whatever_the_name(inbox):
    with time_machine.travel(START, tick=False):
        client = inbox.test_client()
        for name in ("Anna", "Marco", "admin", "root", "Anna"):
            assert log_in(client, name, "guess", **address("127.0.3.1")).status_code == 401
        assert log_in(client, "Marco", PASSWORD, **address("127.0.3.1")).status_code == 429
        assert log_in(client, "Marco", PASSWORD, **address("127.0.3.2")).status_code == 302


def test_behind_trusted_proxies_the_forwarded_address_is_counted(tmp_path):
    settings = make_settings(tmp_path, web={"trusted_proxies": 1, "language": "en"})
    with seeded_storage(settings) as storage:
        storage.set_staff_password_hash("Anna", generate_password_hash(PASSWORD))
    inbox = create_app(settings)
    with time_machine.travel(START, tick=False):
        for name in ("x1", "x2", "x3", "x4", "x5"):
            forwarded = {"headers": {"X-Forwarded-For": "127.0.4.1"}}
            assert log_in(inbox.test_client(), name, "guess", **forwarded).status_code == 401
        other_client = {"headers": {"X-Forwarded-For": "127.0.4.2"}}
        assert log_in(inbox.test_client(), "Anna", PASSWORD, **other_client).status_code == 302


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(inbox, monitor_cli):
    settings = inbox.config["MONITOR_SETTINGS"]
    phone, desk, marco = inbox.test_client(), inbox.test_client(), inbox.test_client()
    for client, name in ((phone, "Anna"), (desk, "Anna"), (marco, "Marco")):
        assert log_in(client, name, PASSWORD).status_code == 302

    changed = monitor_cli("staff", "set-password", "Anna", "--password-stdin",
                          config=settings.path, input="luna-di-giugno\n")

    assert changed.returncode == 0, changed.stderr
    for client in (phone, desk):
        refused = client.get("/followups")
        assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert logged_in(marco)
    assert log_in(phone, "Anna", PASSWORD).status_code == 401
    assert log_in(phone, "Anna", "luna-di-giugno").status_code == 302 and logged_in(phone)


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def change_password(client, current: str, new: str, again: str | None = None):
    return client.post("/password", data={
        "current": current, "new": new, "again": new if again is None else again,
        "csrf_token": csrf_token(client, "/password")})


def test_changing_ones_password_in_the_inbox_ends_only_the_other_sessions(inbox, caplog):
    phone, desk = inbox.test_client(), inbox.test_client()
    for client in (phone, desk):
        assert log_in(client, "Anna", PASSWORD).status_code == 302

    wrong = change_password(desk, "not my password", "luna-di-giugno")
    short = change_password(desk, PASSWORD, "luna")
    differ = change_password(desk, PASSWORD, "luna-di-giugno", "luna-di-luglio")
    assert (wrong.status_code, flash(wrong)) == (401, "Your current password is not this one.")
    assert (short.status_code, flash(short)) == (
        400, "The password must have at least 8 characters.")
    assert (differ.status_code, flash(differ)) == (400, "The two new passwords differ.")
    assert logged_in(phone)

    changed = change_password(desk, PASSWORD, "luna-di-giugno")

    assert changed.status_code == 302
    assert "Password changed. Your other sessions are ended." in desk.get(
        changed.headers["Location"]).get_data(as_text=True)
    assert logged_in(desk) and not logged_in(phone)
    assert log_in(phone, "Anna", "luna-di-giugno").status_code == 302
    assert any("wrong current password" in r.getMessage() for r in caplog.records)


def test_wrong_current_passwords_count_as_failed_logins(inbox):
    with time_machine.travel(START, tick=False):
        client = inbox.test_client()
        assert log_in(client, "Anna", PASSWORD).status_code == 302
        for _ in range(4):
            assert change_password(client, "guess", "luna-di-giugno").status_code == 401
        assert log_in(inbox.test_client(), "Anna", "guess").status_code == 401  # the 5th
        refused = change_password(client, PASSWORD, "luna-di-giugno")
        assert refused.status_code == 429 and "Try again in 15 minutes." in flash(refused)


def test_staff_remove_ends_the_sessions_and_keeps_the_history(inbox, monitor_cli):
    settings = inbox.config["MONITOR_SETTINGS"]
    client = inbox.test_client()
    assert log_in(client, "Anna", PASSWORD).status_code == 302
    with Storage(settings.database_path) as storage:
        followup = storage.list_followups(limit=1)[0]["id"]
    assigned = client.post(f"/followups/{followup}/assign", data={
        "assignee": "Anna", "csrf_token": csrf_token(client, f"/followups/{followup}")})
    assert assigned.status_code == 302

    removed = monitor_cli("staff", "remove", "Anna", config=settings.path)

    assert removed.returncode == 0, removed.stderr
    assert "Anna can no longer log in; their sessions are ended." in removed.stdout
    assert "still a [[staff]] entry" in removed.stderr
    assert "1 open follow-ups are still assigned to Anna" in removed.stderr
    assert client.get("/followups").status_code == 302
    assert log_in(client, "Anna", PASSWORD).status_code == 401
    with Storage(settings.database_path) as storage:
        events = storage.followup_events(followup)
    assert [(e["action"], e["by"]) for e in events] == [("open", "monitor"), ("assign", "Anna")]

    unknown = monitor_cli("staff", "remove", "Nobody", config=settings.path)
    assert unknown.returncode == 2
    assert "'Nobody' is neither a staff member nor has a password" in unknown.stderr


def test_every_response_carries_the_security_headers(inbox):
    client = inbox.test_client()
    for response in (client.get("/login"), client.get("/followups"),
                     log_in(client, "Anna", PASSWORD), client.get("/followups")):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy  # the style sheet and script are static files
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("base_url, secure", [("", False), ("https://inbox.bottega.example",
                                                            True)])
def test_session_cookie_flags(tmp_path, base_url, secure):
    settings = make_settings(tmp_path, web={"base_url": base_url} if base_url else {})
    with seeded_storage(settings) as storage:
        storage.set_staff_password_hash("Anna", generate_password_hash(PASSWORD))
    client = create_app(settings).test_client()
    cookie = log_in(client, "Anna", PASSWORD).headers["Set-Cookie"]
    flags = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in flags and flags["samesite"].strip() == "SameSite=Lax"
    assert ("secure" in flags) is secure
