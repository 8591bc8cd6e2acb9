"""Fixtures shared by every folder of tests: a real local HTTP site, settings files, feeds
and pages to serve, the CLI in a subprocess, and a real SMTP server.

Test modules take what they share from here as fixtures; the modules of tests/support/
behind them are imported only by conftest files and bench/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import feeds
from tests.support import pages as pages_module
from tests.support.settings import write_settings as write_settings_file
from tests.support.sites import LocalSite

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def realworld_site():
    """A local site serving ../shared/realworld (real saved pages nobody here wrote)."""
    root = SHARED / "realworld"
    if not root.is_dir():
        pytest.skip(f"real-world material not found at {root}")
    server = LocalSite(root)
    yield server
    server.close()


@pytest.fixture
def site():
    """A local site with nothing on it yet (add routes with site.add)."""
    server = LocalSite(FIXTURES)
    yield server
    server.close()


@pytest.fixture
def make_site():
    """A function starting a LocalSite(root, host=...) that is closed after the test."""
    started = []

    def start(root: Path | None = None, **options) -> LocalSite:
        started.append(LocalSite(root, **options))
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture
def write_settings():
    """write_settings(path, sources=[...], brand=..., **sections): a settings.toml for tests
    (fast crawl; see tests/support/settings.py)."""
    return write_settings_file


@pytest.fixture
def settings_file(tmp_path):
    """A function writing tmp_path/settings.toml (see write_settings)."""
    return lambda **kwargs: write_settings_file(tmp_path / "settings.toml", **kwargs)


@pytest.fixture
def rss():
    """rss(*items, title=..., link=...): an RSS 2.0 document (tests/support/feeds.py)."""
    return feeds.rss


@pytest.fixture
def posts():
    """Sample feed items: posts.complaint_it, posts.praise_en, posts.unrelated."""
    return feeds.POSTS


@pytest.fixture
def pages():
    """Review pages and WordPress-like posts to serve (tests/support/pages.py)."""
    return pages_module


def run_monitor(*args: str, config: Path | None = None, timeout: float = 120,
                input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `monitor ARGS` as the user does, in a subprocess."""
    command = [sys.executable, "-m", "monitor"]
    if config is not None:
        command += ["--config", str(config)]
    # English messages whatever the machine's locale, unless the test asks for another;
    # the detector as shipped (with the sentence encoder) unless the test says otherwise.
    quiet = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "MONITOR_ENCODER"}
    full_env = {**{k: v for k, v in os.environ.items() if k not in quiet},
                "LANG": "C.UTF-8", **(env or {})}
    full_env.pop("MONITOR_CONFIG", None)
    if env and "MONITOR_CONFIG" in env:
        full_env["MONITOR_CONFIG"] = env["MONITOR_CONFIG"]
    return subprocess.run(command + list(args), capture_output=True, text=True,
                          timeout=timeout, input=input, env=full_env, cwd=ROOT)


ENCODER_ON = {"MONITOR_ENCODER": "on"}


@pytest.fixture
def encoder_on():
    """The environment for monitor_cli(..., env=encoder_on): with the sentence encoder
    (as by default; said where a test is about it)."""
    return dict(ENCODER_ON)


@pytest.fixture
def monitor_cli():
    return run_monitor


# --- SMTP server (issue 5): a real aiosmtpd server on 127.0.0.1 ----------------------------


class RecordingHandler:
    """Keeps every message the server accepted; can refuse, stall or hang up at DATA."""

    def __init__(self, data_reply: str | None, drop_at_data: bool, hold_data: bool,
                 refuse: tuple[str, ...] = ()):
        import threading

        self.refuse = refuse
        self.data_reply = data_reply
        self.drop_at_data = drop_at_data
        self.hold_data = hold_data
        self.data_started = threading.Event()
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.data_started.set()
        while self.hold_data:  # a slow server: the client waits for the reply
            await asyncio.sleep(0.05)
        if self.drop_at_data:
            server.transport.abort()  # hang up before answering the message
            return "250 OK"
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 OK"


class SmtpServer:
    """A started aiosmtpd server; `messages` are the accepted e-mails, parsed."""

    def __init__(self, controller, handler, port: int, cert: Path | None):
        self.controller, self.handler, self.port, self.cert = controller, handler, port, cert

    @property
    def messages(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(e.original_content, policy=policy.default)
                for e in self.handler.envelopes]

    def settings(self, **smtp) -> dict:
        """The [smtp] table for this server."""
        return {"host": "127.0.0.1", "port": self.port, "timeout": 5, **smtp}

    def env(self) -> dict:
        """Environment for the client: trust this server's self-signed certificate."""
        return {"SSL_CERT_FILE": str(self.cert)} if self.cert else {}


def find_free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port():
    """A function returning a free TCP port on 127.0.0.1."""
    return find_free_port


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost and its key, made with `cryptography`."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def smtp_server(tmp_path):
    """Start real SMTP servers: smtp_server(data_reply="451 4.3.0 Try later",
    drop_at_data=True, hold_data=True, security="starttls"|"ssl",
    users={"name": "password"}, refuse=("gone@example.com",), port=PORT)."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    started = []

    def start(*, data_reply=None, drop_at_data=False, hold_data=False, security="none",
              users=None, refuse=(), port=None) -> SmtpServer:
        handler = RecordingHandler(data_reply, drop_at_data, hold_data, tuple(refuse))
        options, cert = {}, None
        if security != "none":
            cert, key = self_signed_certificate(tmp_path)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            options["ssl_context" if security == "ssl" else "tls_context"] = context
        if users is not None:
            def authenticate(server, session, envelope, mechanism, auth_data):
                ok = users.get(auth_data.login.decode()) == auth_data.password.decode()
                return AuthResult(success=ok, handled=False)
            # aiosmtpd sees implicit TLS (ssl) as plain: only STARTTLS can require TLS.
            options.update(authenticator=authenticate,
                           auth_require_tls=security == "starttls")
        port = port or find_free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port,
                                server_hostname="localhost", **options)
        controller.start()
        started.append(controller)
        return SmtpServer(controller, handler, port, cert)

    yield start
    for controller in started:
        controller.stop()
