"""The service's clock, without waiting for it: digest times across daylight-saving
changes, whether a missed digest is due at start-up, the scan interval and the health
limit, all computed for a given `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import ConfigError, Digest, Schedule, load_settings, parse_duration
from monitor.service.scheduler import digest_due, last_digest_time, next_digest_time, scan_trigger
from monitor.service.status import find_problems

ROME = ZoneInfo("Europe/Rome")
DIGEST = Digest(time="08:00", timezone="Europe/Rome")


@pytest.mark.parametrize("now, expected", [
    # Autumn: clocks go back at 03:00 on 2026-10-25; 08:00 is 06:00 UTC before, 07:00 after.
    (datetime(2026, 10, 24, 7, 59, tzinfo=ROME), datetime(2026, 10, 24, 6, 0, tzinfo=UTC)),
    (datetime(2026, 10, 24, 9, 0, tzinfo=ROME), datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),
    # Spring: clocks go forward at 02:00 on 2027-03-28; 08:00 is 07:00 UTC before, 06:00 after.
    (datetime(2027, 3, 27, 9, 0, tzinfo=ROME), datetime(2027, 3, 28, 6, 0, tzinfo=UTC)),
    (datetime(2027, 3, 28, 2, 30, tzinfo=UTC), datetime(2027, 3, 28, 6, 0, tzinfo=UTC)),
])
def test_digest_fires_at_eight_rome_time_across_dst_changes(now, expected):
    fire = next_digest_time(DIGEST, now)
    assert fire == expected
    assert (fire.astimezone(ROME).hour, fire.astimezone(ROME).minute) == (8, 0)


def test_digest_fires_once_a_day_through_both_dst_changes():
    for start in (datetime(2026, 10, 23, 12, 0, tzinfo=ROME),
                  datetime(2027, 3, 26, 12, 0, tzinfo=ROME)):
        fires, now = [], start
        for _ in range(4):
            now = next_digest_time(DIGEST, now + timedelta(seconds=1))
            fires.append(now)
        local = [fire.astimezone(ROME) for fire in fires]
        assert [(t.hour, t.minute) for t in local] == [(8, 0)] * 4
        assert [t.day for t in local] == [start.day + n for n in range(1, 5)]
        utc = [fire.astimezone(UTC) for fire in fires]  # same-zone subtraction is wall time
        gaps = {utc[i + 1] - utc[i] for i in range(3)}
        assert gaps == {timedelta(hours=24), timedelta(hours=23 if start.month == 3 else 25)}


def test_last_scheduled_digest_is_the_most_recent_eight_oclock():
    assert last_digest_time(DIGEST, datetime(2026, 10, 25, 7, 59, tzinfo=ROME)) == datetime(
        2026, 10, 24, 8, 0, tzinfo=ROME)
    assert last_digest_time(DIGEST, datetime(2026, 10, 25, 8, 0, tzinfo=ROME)) == datetime(
        2026, 10, 25, 8, 0, tzinfo=ROME)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def test_a_digest_missed_while_down_is_due_once_at_start():
    sent_yesterday = iso(datetime(2026, 10, 24, 8, 0, 4, tzinfo=ROME))
    machine_back = datetime(2026, 10, 25, 9, 30, tzinfo=ROME)  # off at 08:00 on the 25th
    assert digest_due(DIGEST, sent_yesterday, machine_back)

    # The start-up sent it at 09:30:05; a second start at 09:40 must not send it again,
    # nor must the scheduler before the next 08:00.
    sent_at_start = iso(machine_back + timedelta(seconds=5))
    assert not digest_due(DIGEST, sent_at_start, machine_back + timedelta(minutes=10))
    assert not digest_due(DIGEST, sent_at_start, datetime(2026, 10, 26, 7, 59, tzinfo=ROME))
    assert digest_due(DIGEST, sent_at_start, datetime(2026, 10, 26, 8, 0, tzinfo=ROME))


def test_a_digest_sent_on_time_is_not_due_again_before_the_next_day():
    sent = iso(datetime(2026, 10, 25, 8, 0, 2, tzinfo=ROME))
    assert not digest_due(DIGEST, sent, datetime(2026, 10, 25, 23, 0, tzinfo=ROME))


def test_scan_interval_with_a_little_jitter():
    trigger = scan_trigger(Schedule(scan_every="3h"))
    now = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    fire = trigger.get_next_fire_time(now, now)
    assert timedelta(hours=3) <= fire - now <= timedelta(hours=3, minutes=5)


@pytest.mark.parametrize("text, seconds", [("2s", 2), ("30m", 1800), ("3h", 10800),
                                           ("1h30m", 5400), ("1d", 86400)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("value, message", [
    ("3 hours", "schedule.scan_every: not a duration"),
    ("0s", "schedule.scan_every: must be longer than 0"),
    (3, "schedule.scan_every: must be a string"),
])
def test_bad_schedule_is_a_config_error_naming_the_key(
        tmp_path: Path, value, message, write_settings):
    path = write_settings(tmp_path / "settings.toml", schedule={"scan_every": value})
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def status_with_scan(started: datetime) -> dict:
    return {"last_scan": {"started_at": iso(started)}, "last_digest": None}


def test_without_schedule_a_scan_is_overdue_after_six_hours(tmp_path: Path, write_settings):
    settings = load_settings(write_settings(tmp_path / "settings.toml"))
    started = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert find_problems(status_with_scan(started), settings,
                         started + timedelta(hours=5, minutes=59)) == []
    problems = find_problems(status_with_scan(started), settings,
                             started + timedelta(hours=6, minutes=1))
    assert problems == ["the last scan started more than 6 hours ago "
                        "(twice schedule.scan_every)"]
