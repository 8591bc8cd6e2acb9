"""Read settings.toml and check it: unknown keys, wrong types, missing required keys and
bad values stop with a `ConfigError` naming the key (``sources[2].url: missing``)."""

from __future__ import annotations

import dataclasses
import functools
import os
import string
import tomllib
import types
import typing
import zoneinfo
from pathlib import Path

from monitor.config.apprise_urls import apprise_target
from monitor.config.sections import (
    DEFAULT_CONFIG,
    FULL_TEXT_CHOICES,
    FULL_TEXT_TYPES,
    SECTIONS,
    SELECTOR_KEYS,
    SOURCE_TYPES,
    Alerts,
    Brand,
    ConfigError,
    NotifyTarget,
    Schedule,
    Settings,
    Source,
    StaffMember,
    Web,
    parse_duration,
)
from monitor.i18n import languages

SIGNATURE_FIELDS = ("staff", "brand")
SIGNATURE_MAX_CHARS = 500


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """The settings file chosen by --config, then MONITOR_CONFIG, then ./settings.toml."""
    return Path(explicit or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG)


def load_settings(path: str | os.PathLike) -> Settings:
    """Read, validate and return the settings in `path`."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (use --config or MONITOR_CONFIG)") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_settings(raw, path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def parse_settings(raw: dict, path: Path) -> Settings:
    """Build Settings from the parsed TOML document `raw`."""
    allowed = {*SECTIONS, "sources", "staff"}
    for key in raw:
        if key not in allowed:
            raise ConfigError(f"{key}: unknown section (known: {', '.join(sorted(allowed))})")
    if "brand" not in raw:
        raise ConfigError("brand: missing section [brand] with at least name")
    values = {name: _build(cls, raw.get(name, {}), name) for name, cls in SECTIONS.items()}
    sources_raw = raw.get("sources", [])
    if not isinstance(sources_raw, list):
        raise ConfigError("sources: must be an array of tables ([[sources]])")
    sources = [_build_source(item, i) for i, item in enumerate(sources_raw)]
    sources = [resolve_search_source(source, i, values["brand"], values["digest"].language)
               for i, source in enumerate(sources)]
    _check_unique_names(sources)
    staff = _build_staff(raw.get("staff", []))
    values["alerts"] = _build_alerts(values["alerts"], values["digest"].language)
    settings = Settings(**values, sources=sources, staff=staff, path=path.resolve())
    _check_values(settings)
    return settings


def _build(cls, table, where: str):
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    hints = _type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in table:
        if key not in fields:
            raise ConfigError(f"{where}.{key}: unknown key (known: {', '.join(fields)})")
    kwargs = {}
    for name, spec in fields.items():
        key = f"{where}.{name}"
        if name in table:
            kwargs[name] = _check_type(table[name], hints[name], key)
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{key}: missing")
    return cls(**kwargs)


@functools.cache  # a settings file may hold hundreds of [[sources]]
def _type_hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _check_type(value, hint, key: str):
    """Return `value` if it fits `hint` (ints are accepted for floats), else raise."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return value
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key}: must be a list of strings")
        return list(value)
    expected = origin or hint
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
                 dict: "a table"}
        raise ConfigError(f"{key}: must be {names.get(expected, expected.__name__)}, "
                          f"not {value!r}")
    return value


def _build_source(item, index: int) -> Source:
    where = f"sources[{index}]"
    source = _build(Source, item, where)
    if source.type not in SOURCE_TYPES:
        raise ConfigError(f"{where}.type: must be one of {', '.join(SOURCE_TYPES)}, "
                          f"not {source.type!r}")
    search_keys = ("engine", "query", "language", "region", "instance")
    for key in search_keys:
        if getattr(source, key) and source.type != "search":
            raise ConfigError(f"{where}.{key}: only for type = \"search\" sources")
    _check_full_text(source, where)
    _check_selectors(source, where)
    if source.type == "search" and not source.url:
        if not source.engine:
            raise ConfigError(f"{where}.url: missing (a search source needs url, or an "
                              f"engine: {', '.join(_engine_names())})")
        return source  # its url is built from the brand in resolve_search_source
    if not source.url:
        raise ConfigError(f"{where}.url: missing")
    if not source.url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.url: must start with http:// or https://, "
                          f"not {source.url!r}")
    for key in ("max_pages", "max_depth"):
        if getattr(source, key) < 0:
            raise ConfigError(f"{where}.{key}: must be 0 or more, not {getattr(source, key)}")
    return source


def _check_full_text(source: Source, where: str) -> None:
    if source.full_text not in FULL_TEXT_CHOICES:
        raise ConfigError(f"{where}.full_text: must be one of {', '.join(FULL_TEXT_CHOICES)}, "
                          f"not {source.full_text!r}")
    if source.full_text != "auto" and source.type not in FULL_TEXT_TYPES:
        raise ConfigError(f"{where}.full_text: only for type = \"feed\" or \"search\" sources "
                          "(blog posts are always read whole)")


def _check_selectors(source: Source, where: str) -> None:
    if not source.selectors:
        return
    known = SELECTOR_KEYS.get(source.type)
    if known is None:
        raise ConfigError(f"{where}.selectors: only for type = \"reviews\" or \"blog\" sources")
    for key, value in source.selectors.items():
        if key not in known:
            raise ConfigError(f"{where}.selectors.{key}: unknown key for a {source.type} source "
                              f"(known: {', '.join(known)})")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}.selectors.{key}: must be a string (a CSS selector)")
    required = known[0]
    if required not in source.selectors:
        what = "one review" if required == "review" else "one comment"
        raise ConfigError(f"{where}.selectors.{required}: missing (the CSS selector of "
                          f"{what}; the other selectors are looked up inside it)")
    _check_css(source, where)


def _check_css(source: Source, where: str) -> None:
    """Each selector must be CSS that the crawler can use, or the scan would fail later."""
    from parsel import css2xpath  # Scrapy's own selector library

    for key, value in source.selectors.items():
        try:
            css2xpath(value)
        except Exception as exc:  # noqa: BLE001 - cssselect raises several kinds
            raise ConfigError(f"{where}.selectors.{key}: not a CSS selector: {value!r} "
                              f"({exc})") from None


def _build_staff(items) -> list[StaffMember]:
    """The [[staff]] entries: unique, non-empty names; e-mail addresses with an @."""
    if not isinstance(items, list):
        raise ConfigError("staff: must be an array of tables ([[staff]])")
    staff, seen = [], set()
    for index, item in enumerate(items):
        member = _build(StaffMember, item, f"staff[{index}]")
        if not member.name.strip() or member.name != member.name.strip():
            raise ConfigError(f"staff[{index}].name: must not be empty or start or end "
                              f"with spaces, not {member.name!r}")
        if member.name in seen:
            raise ConfigError(f"staff[{index}].name: {member.name!r} is used twice")
        if member.email and "@" not in member.email:
            raise ConfigError(f"staff[{index}].email: not an e-mail address: "
                              f"{member.email!r}")
        seen.add(member.name)
        staff.append(member)
    return staff


NOTIFY_KEYS = ("url", "url_env", "language")


def _build_alerts(alerts: Alerts, default_language: str) -> Alerts:
    """[alerts] with each `notify` entry checked and turned into a NotifyTarget."""
    targets = []
    for index, item in enumerate(alerts.notify):
        key = f"alerts.notify[{index}]"
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            raise ConfigError(f"{key}: must be an Apprise URL (a string) or a table "
                              "{ url = ..., language = ... }")
        target = _build(NotifyTarget, item, key)
        if bool(target.url) == bool(target.url_env):
            raise ConfigError(f"{key}: give either url or url_env (the name of an "
                              "environment variable holding the URL)")
        if target.url:
            try:
                apprise_target(target.url)
            except ValueError as exc:
                raise ConfigError(f"{key}: {exc}") from None
        language = target.language or default_language
        if language not in languages():
            raise ConfigError(f"{key}.language: must be one of {', '.join(languages())}, "
                              f"not {language!r}")
        targets.append(dataclasses.replace(target, language=language))
    return dataclasses.replace(alerts, notify=targets)


def _check_web(web: Web) -> None:
    if not 0 < web.port < 65536:
        raise ConfigError(f"web.port: must be between 1 and 65535, not {web.port}")
    if not web.host.strip():
        raise ConfigError("web.host: must not be empty")
    if not 0 <= web.trusted_proxies <= 10:
        raise ConfigError(f"web.trusted_proxies: must be between 0 and 10 (the number of "
                          f"reverse proxies in front of the inbox), not {web.trusted_proxies}")
    if web.base_url and not web.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"web.base_url: must start with http:// or https://, "
                          f"not {web.base_url!r}")
    if web.language and web.language not in languages():
        raise ConfigError(f"web.language: must be one of {', '.join(languages())} (or \"\" "
                          f"for the digest's language), not {web.language!r}")
    _check_signature(web.signature)


def _check_signature(signature: str) -> None:
    """The reply drafts' signature: plain text with {staff} and {brand} only."""
    if len(signature) > SIGNATURE_MAX_CHARS:
        raise ConfigError(f"web.signature: at most {SIGNATURE_MAX_CHARS} characters, "
                          f"not {len(signature)}")
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(signature)
                  if field is not None]
    except ValueError as exc:
        raise ConfigError(f"web.signature: {exc} (write {{{{ and }}}} for a brace)") from None
    for field in fields:
        if field not in SIGNATURE_FIELDS:
            raise ConfigError(f"web.signature: unknown placeholder {{{field}}} (known: "
                              f"{', '.join('{' + name + '}' for name in SIGNATURE_FIELDS)})")


def _engine_names() -> list[str]:
    from spiders.search_engines import ENGINES

    return list(ENGINES)


def resolve_search_source(source: Source, index: int, brand: Brand, language: str) -> Source:
    """A search source with its feed URL built from its engine and the brand's names."""
    if source.type != "search" or not source.engine:
        return source
    from spiders.search_engines import ENGINES, search_url

    where = f"sources[{index}]"
    if source.engine not in ENGINES:
        raise ConfigError(f"{where}.engine: unknown engine {source.engine!r} "
                          f"(known: {', '.join(ENGINES)})")
    if source.url:
        return source
    if ENGINES[source.engine].template is None:
        raise ConfigError(f"{where}.url: missing: {source.engine} feeds have no public "
                          "address; paste your feed's RSS address as url")
    url = search_url(source.engine, brand.names, query=source.query,
                     language=source.language or language, region=source.region,
                     instance=source.instance)
    return dataclasses.replace(source, url=url)


def _check_unique_names(sources: list[Source]) -> None:
    seen = set()
    for index, source in enumerate(sources):
        if source.name in seen:
            raise ConfigError(f"sources[{index}].name: {source.name!r} is used twice")
        seen.add(source.name)


def _check_values(settings: Settings) -> None:
    _check_web(settings.web)
    if not settings.brand.name.strip():
        raise ConfigError("brand.name: must not be empty")
    choices = {
        "digest.language": (settings.digest.language, languages()),
        "smtp.security": (settings.smtp.security, ("none", "starttls", "ssl")),
        "alerts.min_severity": (settings.alerts.min_severity,
                                ("critical", "high", "medium", "low")),
    }
    for key, (value, allowed) in choices.items():
        if value not in allowed:
            raise ConfigError(f"{key}: must be one of {', '.join(allowed)}, not {value!r}")
    hours, _, minutes = settings.digest.time.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ConfigError(f"digest.time: must be HH:MM, not {settings.digest.time!r}")
    try:
        zoneinfo.ZoneInfo(settings.digest.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"digest.timezone: unknown time zone {settings.digest.timezone!r}"
        ) from None
    if settings.crawl.download_delay < 0 or settings.crawl.timeout <= 0:
        raise ConfigError("crawl.download_delay and crawl.timeout: must be positive")
    if settings.discovery.suggest_after < 1:
        raise ConfigError("discovery.suggest_after: must be 1 or more")
    if settings.storage.keep_days < 0:
        raise ConfigError("storage.keep_days: must be 0 (keep forever) or more")
    _check_schedule(settings.schedule)


def _check_schedule(schedule: Schedule) -> None:
    for name in ("scan_every", "scan_timeout", "stop_grace"):
        try:
            seconds = parse_duration(getattr(schedule, name))
        except ValueError as exc:
            raise ConfigError(f"schedule.{name}: {exc}") from None
        if seconds <= 0 and name != "stop_grace":
            raise ConfigError(f"schedule.{name}: must be longer than 0 seconds")
