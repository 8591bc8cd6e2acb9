"""Login and logout of staff, the rule that nothing is served without a login, and the
limits on failed logins.

A session holds the staff member's name and a fingerprint of their password hash: a new
password (`monitor staff set-password`) or `monitor staff remove` changes or deletes the
hash, so every session opened before it is refused at its next request.

Failed logins are counted by Flask-Limiter, per name and per address, in a moving window
(LOGIN_LIMIT); only failures count, and once a name or an address has used them all, even
the right password is refused until the oldest failure leaves the window. The counts are
kept in the inbox process's memory (thread-safe; `monitor web` serves with threads in one
process): a restart of `monitor web` starts them from zero.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.security import check_password_hash, generate_password_hash

from monitor.followup.actions import PasswordRefused, set_staff_password
from monitor.followup.web import storage
from monitor.i18n import N_, Words, current_language
from monitor.i18n import gettext as _

log = logging.getLogger(__name__)

blueprint = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = {"auth.login", "static"}
LOGIN_LIMIT = "5 per 15 minutes"
# Checked when a name has no password, so that a wrong name takes as long as a wrong password.
_UNUSABLE_HASH = generate_password_hash("no password is set for this name")

# What the login and password pages say (msgids: shown through the catalogues).
MESSAGES = {
    "wrong": N_("Wrong name or password."),
    "too_many": N_("Too many failed logins for this name or from this address. "
                   "Try again in %(wait)s."),
    "wrong_current": N_("Your current password is not this one."),
    "differ": N_("The two new passwords differ."),
    "changed": N_("Password changed. Your other sessions are ended."),
}


def password_fingerprint(password_hash: str | None) -> str | None:
    """What a session keeps of the password it was opened with (never the hash itself)."""
    if not password_hash:
        return None
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def current_staff() -> str | None:
    """The logged-in staff member's name, if still listed in [[staff]] and still using the
    password the session was opened with."""
    name = session.get("staff")
    if name not in current_app.config["MONITOR_SETTINGS"].staff_names:
        return None
    opened_with = session.get("password")
    if not opened_with or opened_with != password_fingerprint(
            storage().staff_password_hash(name)):
        return None
    return name


def require_login():
    """Before every request: send anyone not logged in to the login page."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_staff():
        return None
    session.pop("staff", None)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the inbox (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("views.inbox")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success, back to the page that was asked for."""
    settings = current_app.config["MONITOR_SETTINGS"]
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")
        password = request.form.get("password", "")
        known = name in settings.staff_names
        stored = storage().staff_password_hash(name) if known else None
        if check_password_hash(stored or _UNUSABLE_HASH, password) and stored:
            session.clear()
            session["staff"] = name
            session["password"] = password_fingerprint(stored)
            session.permanent = True
            log.info("login: %r from %s", name, request.remote_addr)
            return redirect(safe_next(request.form.get("next")))
        log.warning("login refused: %r from %s: wrong name or password",
                    name, request.remote_addr)
        error = _(MESSAGES["wrong"])
    return login_page(error, 401 if error else 200)


def login_page(error: str | None, status: int):
    settings = current_app.config["MONITOR_SETTINGS"]
    return render_template("login.html", error=error, staff=settings.staff_names,
                           next=request.values.get("next", "")), status


@blueprint.route("/password", methods=["GET", "POST"])
def password():
    """Change one's own password: this session goes on, the others end."""
    name = current_staff()
    error, status = None, 200
    if request.method == "POST":
        stored = storage().staff_password_hash(name)
        new = request.form.get("new", "")
        if not check_password_hash(stored or _UNUSABLE_HASH, request.form.get("current", "")):
            log.warning("password change refused: %r from %s: wrong current password",
                        name, request.remote_addr)
            error, status = _(MESSAGES["wrong_current"]), 401
        elif new != request.form.get("again", ""):
            error, status = _(MESSAGES["differ"]), 400
        else:
            try:
                set_staff_password(storage(), name, new)
            except PasswordRefused as exc:
                error, status = str(exc).capitalize() + ".", 400
            else:
                session["password"] = password_fingerprint(storage().staff_password_hash(name))
                log.info("password changed: %r from %s", name, request.remote_addr)
                flash(_(MESSAGES["changed"]), "info")
                return redirect(url_for("views.inbox"))
    return render_template("password.html", error=error), status


@blueprint.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


# --- Limits on failed logins --------------------------------------------------------------


def _failed(response) -> bool:
    return response.status_code == 401


def _name_key() -> str:
    if request.endpoint == "auth.password":  # one's own password: the session's name
        return "name:" + session.get("staff", "")
    return "name:" + request.form.get("name", "")[:200]


def _address_key() -> str:
    return "address:" + get_remote_address()


def install_login_limits(app) -> Limiter:
    """Count failed logins and failed password changes together, per name and per address
    (LOGIN_LIMIT each), for `app`."""
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://",
                      strategy="moving-window", headers_enabled=False)
    limits = [limiter.shared_limit(LOGIN_LIMIT, scope="login", key_func=key_func,
                                   methods=["POST"], deduct_when=_failed,
                                   on_breach=_log_breach)
              for key_func in (_name_key, _address_key)]
    for endpoint in ("auth.login", "auth.password"):
        view = app.view_functions[endpoint]
        for limit in limits:
            view = limit(view)
        app.view_functions[endpoint] = view
    app.config["MONITOR_LIMITER"] = limiter
    app.register_error_handler(429, _too_many_failures)
    return limiter


def _log_breach(limit: RequestLimit) -> None:
    counted = "name" if "/name:" in limit.key else "address"
    name = request.form.get("name", "") if request.endpoint == "auth.login" \
        else session.get("staff", "")
    log.warning("login refused: %r from %s: too many failed logins (%s for this %s)",
                name, request.remote_addr, LOGIN_LIMIT, counted)


def _too_many_failures(_error):
    limiter: Limiter = current_app.config["MONITOR_LIMITER"]
    resets = [limit.window[0] for limit in limiter.current_limits if limit.breached]
    seconds = max(resets, default=time.time() + 60) - time.time()
    minutes = max(1, math.ceil(seconds / 60))
    wait = Words(current_language()).duration(timedelta(minutes=minutes))
    message = _(MESSAGES["too_many"]) % {"wait": wait}
    if request.endpoint == "auth.password":
        return render_template("password.html", error=message), 429
    return login_page(message, 429)
