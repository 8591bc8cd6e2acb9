"""The web inbox served for real on 127.0.0.1, and a headless Chromium to use it."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from monitor.followup.web import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "sole-di-maggio"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright (which never downloads a browser here)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is missing: run `make setup` (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def serve_inbox():
    """serve_inbox(settings, storage): the inbox of `settings` on a free port, every staff
    member's password PASSWORD; returns its base URL. Stopped after the test."""
    servers = []

    def serve(settings, storage) -> str:
        for name in settings.staff_names:
            storage.set_staff_password_hash(name, generate_password_hash(PASSWORD))
        server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def open_page(browser):
    """open_page(viewport=PHONE): a fresh browser context's page, allowed to use the
    clipboard; closed after the test."""
    contexts = []

    def open_(viewport=PHONE):
        context = browser.new_context(viewport=viewport)
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def log_in():
    """log_in(page, url, name="Anna"): through the login form, as a person does."""
    def log_in_(page, url: str, name: str = "Anna", password: str = PASSWORD) -> None:
        page.goto(f"{url}/login")
        page.select_option("#name", name)
        page.fill("#password", password)
        page.click("#log-in")

    return log_in_
