"""The catalogues: complete in every language, compiled, and chosen as gettext does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.i18n import Words, environment_language, languages

ROOT = Path(__file__).resolve().parents[1]


def test_every_message_is_translated_and_every_catalogue_compiled():
    """A message added to the code or a template without `make messages`, a missing
    translation, or a .po edited without compiling its .mo fails here."""
    result = subprocess.run([sys.executable, "tools/messages.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "catalogues up to date: en, it" in result.stdout


def test_the_languages_are_the_catalogues():
    assert languages() == ("en", "it")


@pytest.mark.parametrize("environ, language", [
    ({}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "it_IT.UTF-8"}, "it"),
    ({"LC_ALL": "C", "LANG": "it_IT.UTF-8"}, "en"),
    ({"LC_MESSAGES": "it_CH", "LANG": "en_GB.UTF-8"}, "it"),
    ({"LANGUAGE": "de:it", "LANG": "en_US.UTF-8"}, "it"),
    ({"LANG": "de_DE.UTF-8"}, "en"),  # no German catalogue
    ({"LANG": "POSIX"}, "en"),
])
def test_the_command_line_language_follows_the_gettext_environment(environ, language):
    assert environment_language(environ) == language


def test_dates_numbers_and_ages_are_formatted_in_the_language():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    italian, english = Words("it"), Words("en")
    assert italian.date("2026-11-22T10:00:00+00:00") == "22 nov 2026"
    assert english.date("2026-11-22T10:00:00+00:00") == "Nov 22, 2026"
    assert italian.age("2026-11-22T08:00:00+00:00", now) == "3 giorni fa"
    assert english.age("2026-11-22T08:00:00+00:00", now) == "3 days ago"
    assert italian.number(4.5) == "4,5" and english.number(1234) == "1,234"
    assert italian.list(["consegna", "rimborso"]) == "consegna e rimborso"
