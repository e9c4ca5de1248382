"""People's passwords: argon2id hashes (argon2-cffi's defaults) and the rules for a new one."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.console.i18n import N_

MIN_LENGTH = 10
MAX_LENGTH = 256  # hashing is deliberately slow; an endless password must not make it slower

_hasher = PasswordHasher()  # argon2id, RFC 9106's second recommended parameters
# compared against when the email is unknown, so a wrong email costs as long as a wrong password
_UNKNOWN_USER_HASH = _hasher.hash("radura: no such user")


@cache
def _common_passwords() -> frozenset[str]:
    words = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    lines = (line.strip().lower() for line in words.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, email: str | None) -> str | None:
    """Why `password` may not be chosen (an English msgid), or None when it may."""
    if len(password) < MIN_LENGTH:
        return N_("Use at least 10 characters.")
    if len(password) > MAX_LENGTH:
        return N_("Use at most 256 characters.")
    lowered = password.strip().lower()
    if email and lowered in (email.lower(), email.lower().partition("@")[0]):
        return N_("Do not use your email address as your password.")
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        return N_("This password is too common; choose one that is harder to guess.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user has a password."""
    try:
        return _hasher.verify(password_hash or _UNKNOWN_USER_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
