"""One translation system for everything a person reads: the digest and alerts, the web
inbox, the reply drafts and the command line's messages.

The words are gettext catalogues, one per language, in `locale/<language>/LC_MESSAGES/`:
`messages.po` is what people edit, `messages.mo` the compiled file read at run time
(`make messages` extracts, updates and compiles them; tests/test_translations.py fails when
a .mo is older than its .po or a message is missing). English is the source language:
the messages in the code are English, and the English catalogue lets a shop reword them.
Adding a language is adding a catalogue (README.md, "Languages").

Dates, numbers, lists and ages are formatted by Babel in the same language.

Code that does not know who reads it (the command line, the follow-up rules) translates
into the *current* language: the command line sets it from the standard gettext
environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG; English when unset or C), the web inbox
from the staff member's choice, for one request.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
GETTEXT_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark `message` for the catalogues without translating it now."""
    return message


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages that have a compiled catalogue, e.g. ("en", "it")."""
    return tuple(sorted(path.parent.parent.name
                        for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")))


@functools.cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (the untranslated English when it has none)."""
    if language not in languages():
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], DOMAIN)


def language_name(language: str) -> str:
    """The language's own name for itself ("italiano", "English")."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:] if language == SOURCE_LANGUAGE else name


def environment_language(environ: dict | None = None) -> str:
    """The command line's language, as gettext chooses it: the first of LANGUAGE, LC_ALL,
    LC_MESSAGES and LANG that is set; English when that is C or POSIX or has no catalogue."""
    environ = os.environ if environ is None else environ
    for variable in GETTEXT_ENVIRONMENT:
        value = environ.get(variable, "")
        if not value:
            continue
        for choice in value.split(":") if variable == "LANGUAGE" else [value]:
            code = choice.split(".")[0].split("@")[0]
            if code in ("C", "POSIX"):
                return SOURCE_LANGUAGE
            try:
                language = Locale.parse(code).language
            except (UnknownLocaleError, ValueError):
                continue
            if language in languages():
                return language
        return SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


# The current language --------------------------------------------------------------

_current = contextvars.ContextVar("monitor_language", default=SOURCE_LANGUAGE)


def current_language() -> str:
    return _current.get()


@contextlib.contextmanager
def use_language(language: str) -> Iterator[None]:
    """Translate into `language` within the block (see the module docstring)."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def set_language(language: str) -> contextvars.Token:
    """Translate into `language` from now on, in this context (the command line's choice,
    or one web request's until `reset_language(token)`)."""
    return _current.set(language)


def reset_language(token: contextvars.Token) -> None:
    """The language before `set_language` returned `token`."""
    _current.reset(token)


def gettext(message: str) -> str:
    """`message` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, count)


# Words and formats of one language ------------------------------------------------------


class Words:
    """What a reader of `language` sees: messages, labels and Babel's formats of dates,
    ages, numbers and lists, with dates shown in time zone `zone`."""

    def __init__(self, language: str, zone: ZoneInfo | None = None):
        self.language = language
        self.locale = Locale.parse(language)
        self.zone = zone
        self.translations = translations(language)

    def gettext(self, message: str, **values) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values) -> str:
        text = self.translations.ngettext(singular, plural, count)
        return text % {"num": self.number(count), **values}

    def date(self, value: date | datetime | str | None) -> str:
        """22 nov 2026 (Italian), Nov 22, 2026 (English); "" when there is no date."""
        moment = self._moment(value)
        return format_date(moment, "medium", locale=self.locale) if moment else ""

    def moment(self, value: datetime | str | None) -> str:
        """A date and time: 22 nov 2026, 09:15 (Italian), Nov 22, 2026, 9:15 AM (English)."""
        moment = self._moment(value, keep_time=True)
        if moment is None:
            return ""
        return self.locale.datetime_formats["medium"].format(  # "{1}, {0}": date, time
            format_time(moment, "short", locale=self.locale),
            format_date(moment, "medium", locale=self.locale))

    def day_month(self, value: date) -> str:
        """22/11 (Italian), 11/22 (English)."""
        return format_skeleton("dM", value, locale=self.locale)

    def age(self, since: datetime | str | None, now: datetime) -> str:
        """How long ago `since` was: "3 giorni fa", "3 days ago"."""
        moment = self._moment(since, keep_time=True)
        if moment is None:
            return ""
        return format_timedelta(min(moment - now, timedelta(0)), add_direction=True,
                                locale=self.locale)

    def duration(self, length: timedelta) -> str:
        """A length of time: "5 giorni", "5 days"."""
        return format_timedelta(length, locale=self.locale)

    def number(self, value: float | int) -> str:
        """4,5 (Italian), 4.5 (English); 1.234 and 1,234."""
        return format_decimal(value, locale=self.locale)

    def list(self, items: list[str]) -> str:
        """a, b e c (Italian), a, b, and c (English)."""
        return format_list(list(items), locale=self.locale) if items else ""

    def _moment(self, value, keep_time: bool = False):
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=ZoneInfo("UTC"))
            if self.zone is not None:
                value = value.astimezone(self.zone)
            return value if keep_time else value.date()
        return value
