"""The SMTP settings: STARTTLS and SSL with a self-signed certificate, login with the
password from the environment, and clear errors when any of it is wrong."""

from __future__ import annotations

import pytest

from tests.notify.helpers import digested, mention, seed, write_config

PARCEL = mention("Il pacco non è mai arrivato", "Ordinato da Bottega Aurora, mai arrivato.")
USERS = {"monitor": "s3cret pass"}
LOGIN = {"username": "monitor", "password_env": "TEST_SMTP_PASSWORD"}


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_digest_is_sent_over_tls_with_login(security, smtp_server, settings_file,
                                            monitor_cli):
    server = smtp_server(security=security, users=USERS)
    config = write_config(settings_file, server, smtp={"security": security, **LOGIN})
    seed(config, PARCEL)

    result = monitor_cli("digest", config=config,
                         env={**server.env(), "TEST_SMTP_PASSWORD": "s3cret pass"})

    assert result.returncode == 0, result.stderr
    assert len(server.messages) == 1
    assert None not in digested(config).values()


def test_login_without_tls_on_a_plain_server(smtp_server, settings_file, monitor_cli):
    server = smtp_server(users=USERS)
    config = write_config(settings_file, server, smtp=LOGIN)
    seed(config, PARCEL)

    result = monitor_cli("digest", config=config, env={"TEST_SMTP_PASSWORD": "s3cret pass"})

    assert result.returncode == 0, result.stderr
    assert len(server.messages) == 1


def test_an_untrusted_certificate_is_refused_and_nothing_marked(smtp_server, settings_file,
                                                                monitor_cli):
    server = smtp_server(security="ssl")
    config = write_config(settings_file, server, smtp={"security": "ssl"})
    seed(config, PARCEL)

    result = monitor_cli("digest", config=config)  # no SSL_CERT_FILE: not trusted

    assert result.returncode == 1
    assert f"127.0.0.1:{server.port}" in result.stderr and "TLS failed" in result.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert set(digested(config).values()) == {None}


def test_a_wrong_password_names_the_server_and_its_reply(smtp_server, settings_file,
                                                         monitor_cli):
    server = smtp_server(users=USERS)
    config = write_config(settings_file, server, smtp=LOGIN)
    seed(config, PARCEL)

    result = monitor_cli("digest", config=config, env={"TEST_SMTP_PASSWORD": "wrong"})

    assert result.returncode == 1
    assert f"127.0.0.1:{server.port}" in result.stderr and "535" in result.stderr
    assert set(digested(config).values()) == {None}
    assert server.messages == []


def test_an_unset_password_variable_is_a_configuration_error(smtp_server, settings_file,
                                                             monitor_cli):
    server = smtp_server(users=USERS)
    config = write_config(settings_file, server, smtp=LOGIN)
    seed(config, PARCEL)

    result = monitor_cli("digest", config=config)

    assert result.returncode == 2
    assert "smtp.password_env" in result.stderr and "TEST_SMTP_PASSWORD" in result.stderr
    assert "is not set" in result.stderr


def test_no_recipients_is_a_configuration_error(settings_file, monitor_cli):
    config = write_config(settings_file, digest={"recipients": []})
    result = monitor_cli("digest", config=config)
    assert result.returncode == 2 and "digest.recipients" in result.stderr


def test_alerts_settings_are_validated(settings_file, monitor_cli):
    config = write_config(settings_file, alerts={"min_severity": "urgent"})
    result = monitor_cli("alerts", config=config)
    assert result.returncode == 2
    assert "alerts.min_severity" in result.stderr
