"""Endpoint secrets: made in the Standard Webhooks format, sealed for storage, used to sign.

A secret must be recoverable to compute each signature, so it cannot be hashed like a token. It
is sealed with AES-256-GCM under a key kept outside the database (`RADURA_WEBHOOK_KEY`, base64 of
32 bytes, or `webhook-secrets.key` in the data directory, made on first use), so a database dump
or replica alone does not give the secrets away. Every process of one deployment needs the same
key: set `RADURA_WEBHOOK_KEY` when they do not share a data directory."""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
_SECRET_BYTES = 24
_NONCE_BYTES = 12
KEY_FILE = "webhook-secrets.key"
WEBHOOK_SECRET_CONTEXT = b"radura-webhook-secret"


def new_secret() -> tuple[str, bytes]:
    """A fresh secret as shown to its owner (`whsec_<base64>`) and its raw bytes."""
    raw = secrets.token_bytes(_SECRET_BYTES)
    return SECRET_PREFIX + base64.b64encode(raw).decode(), raw


def sign(secret: bytes, message_id: str, timestamp_s: int, body: bytes) -> str:
    """The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`."""
    signed = f"{message_id}.{timestamp_s}.".encode() + body
    digest = hmac.new(secret, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class SecretBox:
    """Seals and opens secrets kept in the database with one AES-256-GCM key: endpoint secrets,
    and the links the mail outbox holds until they are sent. `context` (the associated data)
    keeps each use apart: a secret sealed for one cannot be opened as another."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, secret: bytes, context: bytes = WEBHOOK_SECRET_CONTEXT) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret, context)

    def open(self, sealed: bytes, context: bytes = WEBHOOK_SECRET_CONTEXT) -> bytes:
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, ciphertext, context)

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"


def load_or_create_box(data_dir: Path) -> SecretBox:
    """The deployment's box: from RADURA_WEBHOOK_KEY, else the data directory's key file."""
    configured = os.environ.get("RADURA_WEBHOOK_KEY")
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except binascii.Error:
            key = b""
        if len(key) != 32:
            raise SystemExit("RADURA_WEBHOOK_KEY must be the base64 of 32 bytes")
        return SecretBox(key)
    path = data_dir / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: of two processes starting at once, one writes the key and both then read it
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(base64.b64encode(AESGCM.generate_key(bit_length=256)))
    for _ in range(50):
        key = base64.b64decode(path.read_bytes() or b"")
        if len(key) == 32:
            return SecretBox(key)
        # the other process has created the file and not yet written it
        time.sleep(0.02)
    raise SystemExit(f"{path} does not hold a webhook key")
