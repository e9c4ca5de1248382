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

from service.webhooks.addresses import embedded_ipv4, forbidden_address
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


# (IPv6 address, the IPv4 addresses inside it), worked out by hand from each form's layout
EMBEDDING = [
    # 6to4, 2002:AABB:CCDD::/48: 7f00:0001 is 127.0.0.1, a9fe:a9fe is 169.254.169.254
    ("2002:7f00:1::1", ["127.0.0.1"]),
    ("2002:a9fe:a9fe::1", ["169.254.169.254"]),
    ("2002:c0a8:101:5::1", ["192.168.1.1"]),
    # IPv4-mapped and IPv4-compatible: the last 32 bits
    ("::ffff:7f00:1", ["127.0.0.1"]),
    ("::a9fe:a9fe", ["169.254.169.254"]),
    # NAT64, well-known prefix 64:ff9b::/96 and local-use 64:ff9b:1::/48
    ("64:ff9b::a00:1", ["10.0.0.1"]),
    ("64:ff9b:1::7f00:1", ["127.0.0.1"]),
    # Teredo 2001:0:SERVER:FLAGS:PORT:~CLIENT: server 127.0.0.1, client ~f7f7:f7f6 = 8.8.8.9
    ("2001:0:7f00:1::f7f7:f7f6", ["127.0.0.1", "8.8.8.9"]),
    # server 65.54.227.120 (public), client ~80ff:fffe = 7f00:0001 = 127.0.0.1 (obfuscated)
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", ["65.54.227.120", "127.0.0.1"]),
    # ISATAP interface ids 0:5efe and 200:5efe, behind a global prefix
    ("2a00:1450:4001:81d:0:5efe:7f00:1", ["127.0.0.1"]),
    ("2a00:1450:4001:81d:200:5efe:a9fe:a9fe", ["169.254.169.254"]),
]


@pytest.mark.parametrize(("address", "inside"), EMBEDDING)
def test_ipv6_forms_carrying_a_private_ipv4_address_are_forbidden(
    address: str, inside: list[str]
) -> None:
    v6 = ipaddress.IPv6Address(address)
    assert [str(a) for a in embedded_ipv4(v6)] == inside
    assert forbidden_address(v6)


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b:1::808:808",  # local-use NAT64: never a public destination, whatever it carries
        "64:ff9b:1:ffff::1",
    ],
)
def test_the_local_use_nat64_prefix_is_forbidden_whole(address: str) -> None:
    assert forbidden_address(ipaddress.IPv6Address(address))


@pytest.mark.parametrize(
    ("address", "inside"),
    [
        ("2002:808:808::1", ["8.8.8.8"]),  # 6to4 of a public address is a public address
        ("2a00:1450:4001:81d::200e", []),  # an ordinary global address carries nothing
        ("2606:4700:4700::1111", []),
    ],
)
def test_ipv6_addresses_carrying_nothing_private_are_allowed(
    address: str, inside: list[str]
) -> None:
    v6 = ipaddress.IPv6Address(address)
    assert [str(a) for a in embedded_ipv4(v6)] == inside
    assert not forbidden_address(v6)


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
