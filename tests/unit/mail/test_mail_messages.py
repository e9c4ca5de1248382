"""What a notice says, in each language, and what the worker does after an attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.headerregistry import Address

import pytest

from service.mail.messages import compose, render
from service.mail.settings import MailSettings
from service.mail.smtp import Outcome
from service.mail.worker import next_step

BATCH = {
    "batch_id": "6f1e0c53-3f7e-4c1b-9d7e-0b1f6f0a2b11",
    "name": "Siti",
    "code": "AFVFNPT6ZT",
    "lot": "L-7",
    "product": "Rendang daging",
    "best_before": "2028-05-12",
}
SETTINGS = MailSettings(
    server=None,
    sender=Address("Radura", "noreply", "cek.example.id"),
    timeout_s=10,
    retry_base_s=30,
    retry_max_s=3600,
    give_up_after_s=86400,
    poll_interval_s=5,
)


def test_a_release_is_told_in_indonesian_and_in_english() -> None:
    subject, body = render("batch_released", "id", BATCH, "https://cek.example.id/")
    assert subject == "Bets AFVFNPT6ZT telah diluluskan"
    assert "Halo Siti," in body and "12 Mei 2028" in body
    assert "https://cek.example.id/app/batches/6f1e0c53-3f7e-4c1b-9d7e-0b1f6f0a2b11" in body
    subject, body = render("batch_released", "en", BATCH, "https://cek.example.id")
    assert subject == "Batch AFVFNPT6ZT was released"
    assert "12 May 2028" in body


def test_a_reset_notice_needs_its_link() -> None:
    params = {"name": "Siti", "email": "siti@example.id"}
    _subject, body = render("password_reset", "en", params, "https://cek.example.id", "tok3n")
    assert "https://cek.example.id/app/password-reset/tok3n" in body
    with pytest.raises(ValueError):
        render("password_reset", "en", params, "https://cek.example.id")


def test_the_message_carries_the_notices_id_and_says_a_program_sent_it() -> None:
    written = datetime(2028, 5, 1, 3, 0, tzinfo=UTC)
    message = compose(
        sender=SETTINGS.sender,
        recipient="siti@example.id",
        message_id="<abc@cek.example.id>",
        lang="id",
        subject="Bets AFVFNPT6ZT telah diluluskan",
        body="Halo Siti,",
        created_at=written,
    )
    assert message["Message-ID"] == "<abc@cek.example.id>"
    assert message["Content-Language"] == "id"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] == "Mon, 01 May 2028 03:00:00 +0000"


def test_after_an_attempt() -> None:
    now = datetime(2028, 5, 1, tzinfo=UTC)
    later = now + timedelta(days=1)
    assert next_step(Outcome(True), 1, later, now, SETTINGS) == ("sent", None)
    assert next_step(Outcome(False, "550", permanent=True), 1, later, now, SETTINGS) == (
        "failed",
        None,
    )
    status, next_at = next_step(Outcome(False, "refused"), 3, later, now, SETTINGS)
    assert status == "pending" and next_at is not None
    assert timedelta(seconds=60) <= next_at - now <= timedelta(seconds=120)  # 30 s × 2², jittered
    assert next_step(Outcome(False, "refused"), 3, now, now, SETTINGS) == ("failed", None)
