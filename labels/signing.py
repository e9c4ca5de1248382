"""Ed25519 label signatures: the keyring, its key files, its JWKS (SPEC §5.1).

`s` = base64url, no padding, of kid (8 bytes) ‖ Ed25519 signature (64 bytes), where
kid = the first 8 bytes of SHA-256 of the raw 32-byte public key.

Key sources, in `Keyring.load_or_create`:
- `RADURA_SIGNING_KEY` (passed as `env_private_key`), when set, is the active key. Accepted
  formats: the 32-byte raw Ed25519 private key (the seed) as 64 hex characters or as 43 base64url
  characters (padding optional), or a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). Key files
  found in the data directory then only verify (status "retired").
- Otherwise `{data_dir}/keys/`: `active.pem` (PKCS#8 PEM, mode 0600) is the active key, and
  `archive/{kid}.pem` holds every key that was ever made active; the directories are 0700.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KID_BYTES = 8
SIGNATURE_BYTES = 64
TOKEN_BYTES = KID_BYTES + SIGNATURE_BYTES
KeyStatus = Literal["active", "retired"]

_ACTIVE_FILE = "active.pem"
_ARCHIVE_DIR = "archive"


class KeyringError(Exception):
    """A key that cannot be used: malformed, too widely readable, or missing for signing."""


class NoSigningKeys(KeyringError):
    """Neither RADURA_SIGNING_KEY nor any key file: nothing to verify against."""


class VerifyResult(msgspec.Struct, frozen=True, kw_only=True):
    """Outcome of checking `s`: `reason` says why when not valid; `kid` is hex."""

    valid: bool
    reason: str | None = None
    kid: str | None = None
    key_status: KeyStatus | None = None


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """One public key of the keyring with its kid and status."""

    kid: bytes
    public_key: Ed25519PublicKey
    status: KeyStatus

    @property
    def raw(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url_encode(self.raw),
            "kid": self.kid.hex(),
            "alg": "EdDSA",
            "use": "sig",
            "status": self.status,
        }


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url: padding optional, any other character an error (ValueError)."""
    stripped = text.rstrip("=")
    if not stripped.isascii() or len(stripped) % 4 == 1:
        raise ValueError("malformed base64url")
    try:
        return base64.b64decode(
            stripped + "=" * (-len(stripped) % 4), altchars=b"-_", validate=True
        )
    except binascii.Error:
        raise ValueError("malformed base64url") from None


def kid_of(public_key: Ed25519PublicKey) -> bytes:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:KID_BYTES]


def parse_private_key(text: str) -> Ed25519PrivateKey:
    """Read a private key given as 64 hex chars, 43 base64url chars (the 32-byte seed) or PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError) as error:
            raise KeyringError(f"signing key PEM cannot be read: {error}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyringError("signing key PEM is not an Ed25519 key")
        return key
    try:
        seed = bytes.fromhex(text) if len(text) == 64 else b64url_decode(text)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise KeyringError(
            "signing key must be the 32-byte Ed25519 seed as 64 hex or 43 base64url "
            "characters, or a PKCS#8 PEM"
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def new_env_private_key() -> str:
    """A fresh private key in the base64url form `RADURA_SIGNING_KEY` accepts."""
    return b64url_encode(secrets.token_bytes(32))


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private_temp(directory: Path, key: Ed25519PrivateKey) -> Path:
    """A new 0600 file holding the key, under a name no reader looks at."""
    path = directory / f".tmp-{os.getpid()}-{secrets.token_hex(6)}"
    # O_EXCL + mode at creation: the key is never readable by others, not even briefly.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(_pem(key))
        handle.flush()
        os.fsync(handle.fileno())
    return path


def _read_private_file(path: Path) -> Ed25519PrivateKey:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyringError(f"{path} is readable by other users (mode {mode:04o}); chmod 600 it")
    return parse_private_key(path.read_text("ascii"))


def _keys_dir(data_dir: Path) -> Path:
    keys = data_dir / "keys"
    (keys / _ARCHIVE_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkdir's mode is filtered by the umask and ignored for existing directories.
    os.chmod(keys, 0o700)
    os.chmod(keys / _ARCHIVE_DIR, 0o700)
    return keys


def _archive(keys: Path, key: Ed25519PrivateKey) -> None:
    target = keys / _ARCHIVE_DIR / f"{kid_of(key.public_key()).hex()}.pem"
    if target.exists():
        return
    temp = _write_private_temp(keys, key)
    os.replace(temp, target)


def _read_file_keys(keys: Path) -> tuple[Ed25519PrivateKey | None, list[Ed25519PrivateKey]]:
    active_path = keys / _ACTIVE_FILE
    active = _read_private_file(active_path) if active_path.exists() else None
    archived = sorted((keys / _ARCHIVE_DIR).glob("*.pem")) if (keys / _ARCHIVE_DIR).is_dir() else []
    return active, [_read_private_file(path) for path in archived]


class Keyring:
    """One active signing key (or none, for a verify-only keyring) and any retired keys."""

    def __init__(self, active: Ed25519PrivateKey | None, keys: Iterable[VerificationKey]) -> None:
        self._private = active
        self._keys: dict[bytes, VerificationKey] = {}
        for key in keys:
            # The first entry for a kid wins, so callers list the active key first.
            self._keys.setdefault(key.kid, key)
        if active is not None:
            self._active_kid: bytes | None = kid_of(active.public_key())
            self._keys[self._active_kid] = VerificationKey(
                self._active_kid, active.public_key(), "active"
            )
        else:
            actives = [key.kid for key in self._keys.values() if key.status == "active"]
            self._active_kid = actives[0] if actives else None

    @classmethod
    def from_private_keys(
        cls, active: Ed25519PrivateKey, retired: Iterable[Ed25519PrivateKey] = ()
    ) -> Keyring:
        public = [
            VerificationKey(kid_of(k.public_key()), k.public_key(), "retired") for k in retired
        ]
        return cls(active, public)

    @classmethod
    def generate(cls) -> Keyring:
        """A keyring with one fresh in-memory key (tests, demos)."""
        return cls(Ed25519PrivateKey.generate(), ())

    @classmethod
    def load_or_create(cls, data_dir: Path, env_private_key: str | None = None) -> Keyring:
        """The server's keyring; creates the first key file if needed (safe across processes)."""
        if env_private_key:
            return cls.read(data_dir, env_private_key)
        keys = _keys_dir(data_dir)
        active, archived = _read_file_keys(keys)
        if active is None:
            candidate = Ed25519PrivateKey.generate()
            temp = _write_private_temp(keys, candidate)
            try:
                # link() fails if active.pem exists: of processes starting together, one wins.
                os.link(temp, keys / _ACTIVE_FILE)
            except FileExistsError:
                pass
            finally:
                temp.unlink()
            active, archived = _read_file_keys(keys)
            if active is None:  # pragma: no cover - only if someone deletes it meanwhile
                raise KeyringError(f"{keys / _ACTIVE_FILE} vanished while being created")
            _archive(keys, active)
        return cls.from_private_keys(active, archived)

    @classmethod
    def read(cls, data_dir: Path, env_private_key: str | None = None) -> Keyring:
        """The keys as they are, never writing a file or folder (for commands that only verify);
        NoSigningKeys when there is no key at all."""
        keys_dir = data_dir / "keys"
        file_active, archived = _read_file_keys(keys_dir) if keys_dir.is_dir() else (None, [])
        others = ([file_active] if file_active else []) + archived
        if env_private_key:
            return cls.from_private_keys(parse_private_key(env_private_key), others)
        if file_active is not None:
            return cls.from_private_keys(file_active, archived)
        if not archived:
            raise NoSigningKeys(f"no signing keys in {keys_dir}")
        public = [
            VerificationKey(kid_of(k.public_key()), k.public_key(), "retired") for k in archived
        ]
        return cls(None, public)

    @classmethod
    def rotate(cls, data_dir: Path) -> Keyring:
        """Make a new active key file; every earlier key stays in the archive and verifies."""
        keys = _keys_dir(data_dir)
        current, _ = _read_file_keys(keys)
        if current is not None:
            _archive(keys, current)
        fresh = Ed25519PrivateKey.generate()
        # Archived before it goes live: a concurrent rotation can replace it, never lose it.
        _archive(keys, fresh)
        os.replace(_write_private_temp(keys, fresh), keys / _ACTIVE_FILE)
        active, archived = _read_file_keys(keys)
        assert active is not None
        return cls.from_private_keys(active, archived)

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any]) -> Keyring:
        """A verify-only keyring from a JWKS document (`jwks()` output or the server's)."""
        entries = jwks.get("keys")
        if not isinstance(entries, list):
            raise KeyringError("JWKS has no 'keys' list")
        keys: list[VerificationKey] = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise KeyringError("JWKS key entries must be objects")
            if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
                continue  # other key types may share the set; they cannot sign labels
            try:
                raw = b64url_decode(str(entry.get("x", "")))
                public = Ed25519PublicKey.from_public_bytes(raw)
            except ValueError:
                raise KeyringError("JWKS Ed25519 key has a malformed 'x'") from None
            kid = kid_of(public)
            if "kid" in entry and entry["kid"] != kid.hex():
                raise KeyringError(f"JWKS kid {entry['kid']} does not match its key ({kid.hex()})")
            status: KeyStatus = "active" if entry.get("status") == "active" else "retired"
            keys.append(VerificationKey(kid, public, status))
        return cls(None, keys)

    @property
    def active_kid(self) -> str | None:
        return self._active_kid.hex() if self._active_kid else None

    @property
    def can_sign(self) -> bool:
        return self._private is not None

    def sign(self, message: bytes) -> str:
        """`s` for `message`: base64url of kid ‖ Ed25519 signature (72 bytes)."""
        if self._private is None or self._active_kid is None:
            raise KeyringError("this keyring holds public keys only")
        return b64url_encode(self._active_kid + self._private.sign(message))

    def verify(self, message: bytes, s: str) -> VerifyResult:
        """Check `s` over `message` against every key, active or retired."""
        try:
            token = b64url_decode(s)
        except ValueError:
            return VerifyResult(valid=False, reason="malformed base64")
        if len(token) != TOKEN_BYTES:
            return VerifyResult(
                valid=False, reason=f"bad length: {len(token)} bytes, expected {TOKEN_BYTES}"
            )
        kid, signature = token[:KID_BYTES], token[KID_BYTES:]
        key = self._keys.get(kid)
        if key is None:
            return VerifyResult(valid=False, reason=f"unknown kid {kid.hex()}", kid=kid.hex())
        try:
            key.public_key.verify(signature, message)
        except InvalidSignature:
            return VerifyResult(
                valid=False, reason="bad signature", kid=kid.hex(), key_status=key.status
            )
        return VerifyResult(valid=True, kid=kid.hex(), key_status=key.status)

    def keys(self) -> list[VerificationKey]:
        """Active key first, then retired keys by kid."""
        return sorted(self._keys.values(), key=lambda key: (key.status != "active", key.kid))

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWKS (`/.well-known/jwks.json`): no private material, ever."""
        return {"keys": [key.jwk() for key in self.keys()]}
