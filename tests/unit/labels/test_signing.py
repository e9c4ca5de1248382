"""Keyring: signatures, key files, rotation, JWKS, tampering, concurrent start-up."""

from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from labels.signing import (
    Keyring,
    KeyringError,
    b64url_encode,
    kid_of,
    new_env_private_key,
    parse_private_key,
)
from labels.uri import LabelUriError, parse_label_uri, signed_uri
from tests.unit.labels.samples import BASE_URL, TODAY, gs1_ref


def _verifies(keyring: Keyring, uri: str) -> bool:
    try:
        parsed = parse_label_uri(uri, today=TODAY)
    except LabelUriError:
        return False
    if parsed.signature_b64 is None:
        return False
    return keyring.verify(parsed.signed_message, parsed.signature_b64).valid


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_token_layout_is_kid_then_signature() -> None:
    keyring = Keyring.generate()
    s = keyring.sign(b"/v/7KQ2M9XW4T")
    raw = keyring.verify(b"/v/7KQ2M9XW4T", s)
    assert raw.valid and raw.key_status == "active" and raw.kid == keyring.active_kid
    assert len(s) == 96 and "=" not in s


def test_kid_is_first_8_bytes_of_sha256_of_raw_public_key() -> None:
    keyring = Keyring.generate()
    (jwk,) = keyring.jwks()["keys"]
    raw_public = base64.urlsafe_b64decode(jwk["x"] + "=")
    assert len(raw_public) == 32
    assert jwk["kid"] == hashlib.sha256(raw_public).digest()[:8].hex()
    token = base64.urlsafe_b64decode(keyring.sign(b"m") + "==")
    assert token[:8].hex() == jwk["kid"]
    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": jwk["x"],
        "kid": jwk["kid"],
        "alg": "EdDSA",
        "use": "sig",
        "status": "active",
    }


def test_signed_uri_verifies_with_keyring_and_with_its_public_jwks() -> None:
    keyring = Keyring.generate()
    uri = signed_uri(BASE_URL, gs1_ref("8H3JQ2KD0A"), keyring)
    assert _verifies(keyring, uri)
    offline = Keyring.from_jwks(json.loads(json.dumps(keyring.jwks())))
    assert not offline.can_sign
    assert _verifies(offline, uri)
    with pytest.raises(KeyringError):
        offline.sign(b"anything")
    assert _verifies(Keyring.generate(), uri) is False


def test_any_single_changed_character_fails() -> None:
    keyring = Keyring.generate()
    uri = signed_uri(BASE_URL, gs1_ref("8H3JQ2KD0A"), keyring)
    signed_part_start = len(BASE_URL)
    checked = 0
    for position in range(signed_part_start, len(uri)):
        for replacement in ("0", "Z", "a"):
            if uri[position] == replacement:
                continue
            tampered = uri[:position] + replacement + uri[position + 1 :]
            assert not _verifies(keyring, tampered), (position, tampered)
            checked += 1
    assert checked > 400


@settings(max_examples=50)
@given(st.binary(max_size=200), st.binary(max_size=200))
def test_a_signature_covers_only_its_own_message(message: bytes, other: bytes) -> None:
    keyring = Keyring.generate()
    s = keyring.sign(message)
    assert keyring.verify(message, s).valid
    assert keyring.verify(other, s).valid == (other == message)


def test_verify_reasons() -> None:
    keyring = Keyring.generate()
    s = keyring.sign(b"m")
    assert keyring.verify(b"m", "!!!").reason == "malformed base64"
    assert keyring.verify(b"m", s[:-4]).reason == "bad length: 69 bytes, expected 72"
    stranger = Keyring.generate().sign(b"m")
    unknown = keyring.verify(b"m", stranger)
    assert unknown.reason is not None and unknown.reason.startswith("unknown kid ")
    assert keyring.verify(b"n", s).reason == "bad signature"


def test_files_are_private_and_reused(tmp_path: Path) -> None:
    first = Keyring.load_or_create(tmp_path)
    keys = tmp_path / "keys"
    assert _mode(keys) == 0o700 and _mode(keys / "archive") == 0o700
    files = [keys / "active.pem", *(keys / "archive").iterdir()]
    assert len(files) == 2
    assert all(_mode(path) == 0o600 for path in files)
    assert not [p for p in keys.iterdir() if p.name.startswith(".tmp")]
    again = Keyring.load_or_create(tmp_path)
    assert again.active_kid == first.active_kid
    assert again.verify(b"m", first.sign(b"m")).valid


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    Keyring.load_or_create(tmp_path)
    os.chmod(tmp_path / "keys" / "active.pem", 0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        Keyring.load_or_create(tmp_path)


def test_rotation_keeps_old_labels_valid(tmp_path: Path) -> None:
    old = Keyring.load_or_create(tmp_path)
    uri = signed_uri(BASE_URL, gs1_ref("8H3JQ2KD0A"), old)
    new = Keyring.rotate(tmp_path)
    assert new.active_kid != old.active_kid
    parsed = parse_label_uri(uri, today=TODAY)
    assert parsed.signature_b64 is not None
    result = new.verify(parsed.signed_message, parsed.signature_b64)
    assert result.valid and result.key_status == "retired" and result.kid == old.active_kid
    statuses = {key["kid"]: key["status"] for key in new.jwks()["keys"]}
    assert statuses == {old.active_kid: "retired", new.active_kid: "active"}
    assert new.jwks()["keys"][0]["status"] == "active"
    # Offline verification of an old label through the published JWKS.
    assert _verifies(Keyring.from_jwks(new.jwks()), uri)
    reloaded = Keyring.load_or_create(tmp_path)
    assert reloaded.active_kid == new.active_kid
    assert _verifies(reloaded, uri)
    # Public members only: no "d" (the private key) ever reaches the JWKS.
    fields = {"kty", "crv", "x", "kid", "alg", "use", "status"}
    assert all(set(key) == fields for key in new.jwks()["keys"])


def _seed_hex(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    ).hex()


def test_env_key_formats(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    seed = bytes.fromhex(_seed_hex(key))
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    expected = kid_of(key.public_key()).hex()
    for text in (seed.hex(), b64url_encode(seed), b64url_encode(seed) + "=", pem, f"  {pem}\n"):
        keyring = Keyring.load_or_create(tmp_path, text)
        assert keyring.active_kid == expected
    assert not (tmp_path / "keys").exists()  # an env key writes no files
    assert len(new_env_private_key()) == 43
    parse_private_key(new_env_private_key())


@pytest.mark.parametrize("text", ["abc", "00" * 31, "-----BEGIN PRIVATE KEY-----\nxx\n"])
def test_bad_env_keys_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(KeyringError):
        Keyring.load_or_create(tmp_path, text)


def test_env_key_retires_file_keys(tmp_path: Path) -> None:
    from_files = Keyring.load_or_create(tmp_path)
    uri = signed_uri(BASE_URL, gs1_ref(), from_files)
    keyring = Keyring.load_or_create(tmp_path, new_env_private_key())
    assert keyring.active_kid != from_files.active_kid
    assert _verifies(keyring, uri)
    statuses = sorted(key["status"] for key in keyring.jwks()["keys"])
    assert statuses == ["active", "retired"]


def test_jwks_with_a_wrong_kid_is_refused() -> None:
    jwks = Keyring.generate().jwks()
    jwks["keys"][0]["kid"] = "00" * 8
    with pytest.raises(KeyringError, match="does not match"):
        Keyring.from_jwks(jwks)
    with pytest.raises(KeyringError):
        Keyring.from_jwks({"keys": "nope"})
    # Keys of other types are skipped, not fatal.
    assert Keyring.from_jwks({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}).active_kid is None


def _start(data_dir: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    results.put(Keyring.load_or_create(Path(data_dir)).active_kid)


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    count = 6
    barrier = context.Barrier(count)
    results = context.Queue()
    processes = [
        context.Process(target=_start, args=(str(tmp_path), barrier, results)) for _ in range(count)
    ]
    for process in processes:
        process.start()
    kids = {results.get(timeout=30) for _ in processes}
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert len(kids) == 1
    assert len(list((tmp_path / "keys" / "archive").iterdir())) == 1
    assert not [p for p in (tmp_path / "keys").iterdir() if p.name.startswith(".tmp")]
