"""Webhook signing, secrets, address rules and retry timing, without a database."""

from __future__ import annotations

import base64
import ipaddress
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.webhooks.addresses import forbidden_address
from service.webhooks.keys import load_or_create_box, new_secret, sign
from service.webhooks.settings import WebhookSettings
from service.webhooks.worker import Outcome, next_step, retry_delay_s

SETTINGS = WebhookSettings(
    allow_private=False,
    timeout_s=10,
    retry_base_s=30,
    retry_max_s=3600,
    give_up_after_s=24 * 3600,
    poll_interval_s=5,
)


@given(text=st.text(max_size=500), message_id=st.from_regex(r"^msg_[0-9a-f]{32}$"))
def test_signatures_verify_with_the_reference_library(text: str, message_id: str) -> None:
    shown, raw = new_secret()
    assert base64.b64decode(shown.removeprefix("whsec_")) == raw
    body = text.encode()  # our bodies are JSON, in UTF-8
    now = int(time.time())
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(now),
        "webhook-signature": sign(raw, message_id, now, body),
    }
    Webhook(shown).verify(body, headers, json_parse=False)
    headers["webhook-signature"] = sign(raw, message_id, now, body + b" ")
    with pytest.raises(WebhookVerificationError):
        Webhook(shown).verify(body, headers, json_parse=False)


def test_secrets_are_sealed_and_opened_with_the_data_directorys_key(tmp_path: Path) -> None:
    box = load_or_create_box(tmp_path)
    sealed = box.seal(b"secret bytes")
    assert b"secret bytes" not in sealed
    assert load_or_create_box(tmp_path).open(sealed) == b"secret bytes"  # same key on disk
    assert (tmp_path / "webhook-secrets.key").stat().st_mode & 0o777 == 0o600
    assert "secret" not in repr(box).lower().replace("secretbox", "")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_private_and_special_addresses_are_forbidden(address: str) -> None:
    assert forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["203.0.114.9", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not forbidden_address(ipaddress.ip_address(address))


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap() -> None:
    for attempts in range(1, 12):
        step_s = min(30 * 2 ** (attempts - 1), 3600)
        delays = [retry_delay_s(attempts, SETTINGS) for _ in range(50)]
        assert all(step_s / 2 <= d <= step_s for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_a_delivery_is_given_up_after_a_day() -> None:
    created = datetime(2026, 11, 28, 8, tzinfo=UTC)
    failed = Outcome(503, None)
    assert next_step(Outcome(200, None), 1, created, created, SETTINGS) == ("delivered", None)
    status, next_at = next_step(failed, 1, created, created, SETTINGS)
    assert status == "pending" and next_at is not None and next_at > created
    late = created + timedelta(hours=23, minutes=59)
    assert next_step(failed, 30, created, late, SETTINGS) == ("failed", None)
    assert next_step(Outcome(None, "ConnectError"), 30, created, late, SETTINGS)[0] == "failed"
    # a redirect is not a delivery
    assert next_step(Outcome(307, None), 1, created, created, SETTINGS)[0] == "pending"
