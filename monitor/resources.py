"""Files shipped with monitor: the Jinja2 templates and the example settings.

An installed wheel holds them inside the `monitor` package (pyproject.toml's
force-include); a checkout has them at its root, beside `monitor/`.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped(packaged_name: str, checkout_name: str) -> Path:
    """The file or folder `packaged_name` of the installed package, else the checkout's
    `checkout_name`."""
    packaged = PACKAGE / packaged_name
    return packaged if packaged.exists() else PACKAGE.parent / checkout_name


def templates_dir() -> Path:
    """templates/: the digest's and alerts' templates, and the web inbox's in web/."""
    return shipped("templates", "templates")


def example_settings() -> Path:
    """The commented example settings.toml."""
    return shipped("settings.example.toml", "settings.toml")
