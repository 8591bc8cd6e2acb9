"""Starting the web inbox: the session signing key, and `monitor web` serving for real."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from monitor.followup.web import create_app
from tests.followup.helpers import make_settings

ROOT = Path(__file__).resolve().parents[2]


def test_a_generated_session_key_is_kept_in_the_database(tmp_path):
    settings = make_settings(tmp_path)
    first = create_app(settings).config["SECRET_KEY"]
    assert len(first) >= 32 and create_app(settings).config["SECRET_KEY"] == first


def test_the_session_key_comes_from_the_named_environment_variable(tmp_path, monkeypatch):
    settings = make_settings(tmp_path, web={"secret_key_env": "INBOX_KEY"})
    monkeypatch.delenv("INBOX_KEY", raising=False)
    with pytest.raises(ValueError, match="INBOX_KEY must hold the session signing key.*unset"):
        create_app(settings)
    monkeypatch.setenv("INBOX_KEY", "k" * 40)
    assert create_app(settings).config["SECRET_KEY"] == "k" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_monitor_web_serves_the_login_page_and_nothing_else_without_login(tmp_path):
    settings = make_settings(tmp_path)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(settings.path),
                               "web", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "monitor web did not start in 20 s"
                time.sleep(0.2)
        assert "Entra nell'inbox dei reclami" in page  # [digest] language = "it"
        assert '<html lang="it">' in page and '<meta name="viewport"' in page
        with urllib.request.urlopen(f"{base}/static/inbox.js", timeout=5) as script:
            assert b"navigator.clipboard" in script.read()  # the login page needs no login
        opener = urllib.request.build_opener(NoRedirect)
        for path in ("/followups", "/followups/1", "/sources", "/stats"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                opener.open(f"{base}{path}", timeout=5)
            with refused.value:
                assert refused.value.code == 302
                assert refused.value.headers["Location"].startswith("/login?next=")
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
        server.stderr.close()


def test_monitor_web_with_a_missing_key_variable_is_a_usage_error(tmp_path, monitor_cli):
    settings = make_settings(tmp_path, web={"secret_key_env": "NO_SUCH_INBOX_KEY"})
    result = monitor_cli("web", config=settings.path)
    assert result.returncode == 2
    assert "web.secret_key_env: the environment variable NO_SUCH_INBOX_KEY" in result.stderr
