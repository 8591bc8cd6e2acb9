"""Login and logout of staff, and the rule that nothing is served without a login."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from monitor.followup.web import storage
from monitor.i18n import gettext as _

blueprint = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = {"auth.login", "static"}
# Checked when a name has no password, so that a wrong name takes as long as a wrong password.
_UNUSABLE_HASH = generate_password_hash("no password is set for this name")


def current_staff() -> str | None:
    """The logged-in staff member's name, if still listed in [[staff]]."""
    name = session.get("staff")
    return name if name in current_app.config["MONITOR_SETTINGS"].staff_names else None


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
            session.permanent = True
            return redirect(safe_next(request.form.get("next")))
        error = _("Wrong name or password.")
    status = 401 if error else 200
    return render_template("login.html", error=error, staff=settings.staff_names,
                           next=request.values.get("next", "")), status


@blueprint.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
