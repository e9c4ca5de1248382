"""RADURA_SMTP_URL and RADURA_MAIL_FROM as read at start: what they mean, what is refused, and
a password that never shows."""

from __future__ import annotations

import pytest

from service.core.settings import SettingsError
from service.mail.settings import SmtpServer, load_mail_settings, parse_smtp_url


def test_smtp_upgrades_on_port_25_and_smtps_is_tls_on_465() -> None:
    assert parse_smtp_url("smtp://mail.example.id") == SmtpServer("smtp", "mail.example.id", 25)
    assert parse_smtp_url("smtps://mail.example.id").port == 465
    assert parse_smtp_url("smtp://mail.example.id:587").port == 587


def test_user_and_password_are_percent_decoded_and_never_shown() -> None:
    server = parse_smtp_url("smtps://radura%40contoh.id:p%40ss%3Aw%2Frd@mail.example.id")
    assert (server.user, server.password) == ("radura@contoh.id", "p@ss:w/rd")
    for text in (str(server), repr(server)):
        assert "p@ss" not in text and "%40ss" not in text
    assert str(server) == "smtps://radura@contoh.id@mail.example.id:465"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.id", "must start with smtp:// or smtps://"),
        ("smtp://", "names no host"),
        ("smtp://mail.example.id:dua", "port that is not a number"),
        ("smtp://u:rahasia@mail.example.id/inbox?x=1", "more than scheme"),
    ],
)
def test_a_wrong_url_is_named_without_echoing_it(url: str, problem: str) -> None:
    with pytest.raises(SettingsError) as refused:
        parse_smtp_url(url)
    assert problem in str(refused.value)
    assert "rahasia" not in str(refused.value)
    assert refused.value.variable == "RADURA_SMTP_URL"


def test_without_a_url_nothing_is_sent_and_the_sender_is_the_public_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RADURA_SMTP_URL", raising=False)
    monkeypatch.delenv("RADURA_MAIL_FROM", raising=False)
    settings = load_mail_settings("https://cek.example.id")
    assert not settings.sending
    assert str(settings.sender) == "Radura <noreply@cek.example.id>"
    assert settings.message_id_domain == "cek.example.id"


def test_the_sender_may_be_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADURA_SMTP_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("RADURA_MAIL_FROM", "Koperasi Pangan <kabar@koperasi.id>")
    settings = load_mail_settings("https://cek.example.id")
    assert settings.sending
    assert str(settings.sender) == "Koperasi Pangan <kabar@koperasi.id>"
    monkeypatch.setenv("RADURA_MAIL_FROM", "bukan alamat")
    with pytest.raises(SettingsError):
        load_mail_settings("https://cek.example.id")
