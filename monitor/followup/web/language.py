"""The inbox's language, chosen per request: the staff member's own choice (kept with their
account), else [web] language, else [digest] language; the switch that changes it; and the
template filters that show dates, ages, numbers and stored codes in that language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g, redirect, request

from monitor.followup.web import storage
from monitor.followup.web.auth import current_staff, safe_next
from monitor.i18n import (
    SOURCE_LANGUAGE,
    Words,
    gettext,
    language_name,
    languages,
    ngettext,
    reset_language,
    set_language,
)
from monitor.i18n.labels import word_filters

blueprint = Blueprint("language", __name__)


def install(app) -> None:
    """Jinja2's i18n extension over the current language, the filters, and the choice of
    the language at the start of every request."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)
    app.jinja_env.filters.update(word_filters(lambda: g.words))
    app.jinja_env.filters["age"] = lambda since: g.words.age(since, g.now)
    app.jinja_env.filters["language_name"] = language_name
    app.before_request(start_request)
    app.teardown_request(end_request)
    app.register_blueprint(blueprint)


def request_language() -> str:
    """The language of this request's pages."""
    settings = current_app.config["MONITOR_SETTINGS"]
    staff = current_staff()
    chosen = storage().staff_language(staff) if staff else None
    return chosen if chosen in languages() else settings.inbox_language


def start_request() -> None:
    if request.endpoint == "static":  # the style sheet and script have no words
        return
    settings = current_app.config["MONITOR_SETTINGS"]
    g.words = Words(request_language(), ZoneInfo(settings.digest.timezone))
    g.now = datetime.now(UTC)
    g.language_token = set_language(g.words.language)


def end_request(_error) -> None:
    token = g.pop("language_token", None)
    if token is not None:
        reset_language(token)


@blueprint.app_context_processor
def language_context() -> dict:
    words = g.get("words")
    return {"language": words.language if words else SOURCE_LANGUAGE,
            "languages": [(code, language_name(code)) for code in languages()]}


@blueprint.route("/language", methods=["POST"])
def choose():
    """Keep the logged-in staff member's language, then back to the page they were on."""
    language = request.form.get("language", "")
    if language not in languages():
        abort(400, f"unknown language {language!r}")
    storage().set_staff_language(current_staff(), language)
    return redirect(safe_next(request.form.get("next")))
