"""The web inbox: staff log in, see the open complaints, and follow each one up.

A Flask application over the same Storage and Jinja2 templates (templates/web/, autoescaped)
as the rest of monitor, in each staff member's language (`language.py`; the catalogues of
monitor.i18n). Its script and style sheet are static files (static/), never inline.
Every page but the login page needs a logged-in staff member;
every POST form carries a CSRF token (Flask-WTF's CSRFProtect); sessions live in cookies
signed with the key from the environment variable named by `[web] secret_key_env`, or,
when that is empty, a random key generated on first run and kept in the database.
Cookies are HttpOnly, SameSite=Lax, and Secure when the inbox's address is https://; every
response carries SECURITY_HEADERS (no script but the site's own files, no framing, no
Referer to the sites the complaints link to). Failed logins are limited (auth.py).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from monitor.i18n import gettext as _
from monitor.resources import templates_dir
from monitor.storage import Storage

SESSION_KEY_NAME = "session_signing_key"
SESSION_DAYS = 14
STATIC = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; "
                               "style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def session_key(settings) -> str:
    """The key that signs session cookies (see the module docstring)."""
    variable = settings.web.secret_key_env
    if variable:
        value = os.environ.get(variable, "")
        if len(value) < 16:
            raise ValueError(f"web.secret_key_env: the environment variable {variable} must "
                             "hold the session signing key, at least 16 characters "
                             f"({'unset' if not value else 'too short'})")
        return value
    with Storage(settings.database_path) as storage:
        return storage.web_secret(SESSION_KEY_NAME, lambda: secrets.token_hex(32))


def create_app(settings) -> Flask:
    """The web inbox application for `settings`."""
    from monitor.followup.web import auth, language, views

    with Storage(settings.database_path) as opened:
        # Mentions flagged before migration m040 (later ones open theirs by trigger).
        opened.open_followups_for_new_negatives()

    app = Flask(__name__, template_folder=str(templates_dir() / "web"),
                static_folder=str(STATIC))
    app.config.update(
        SECRET_KEY=session_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.inbox_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(days=SESSION_DAYS),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the signed session
        MONITOR_SETTINGS=settings,
    )
    if settings.web.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.web.trusted_proxies)
    CSRFProtect(app)
    language.install(app)  # first: every page, the login page too, speaks the language
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(views.blueprint)
    auth.install_login_limits(app)
    app.before_request(auth.require_login)
    app.after_request(_add_security_headers)
    app.teardown_appcontext(_close_storage)
    app.register_error_handler(CSRFError, _csrf_refused)
    return app


def storage() -> Storage:
    """The request's Storage (SQLite connections stay in the thread that made them)."""
    if "storage" not in g:
        from flask import current_app

        g.storage = Storage(current_app.config["MONITOR_SETTINGS"].database_path)
    return g.storage


def _close_storage(_exc) -> None:
    opened = g.pop("storage", None)
    if opened is not None:
        opened.close()


def _add_security_headers(response):
    response.headers.update(SECURITY_HEADERS)
    return response


def _csrf_refused(error: CSRFError):
    message = _("This form was not sent from the inbox, or it expired. Reload the page and "
                "try again. (%(reason)s)") % {"reason": error.description}
    return render_template("error.html", title=_("Form refused"), message=message), 400


def serve(app: Flask, host: str, port: int) -> None:
    """Serve `app` until interrupted (werkzeug's threaded server)."""
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
