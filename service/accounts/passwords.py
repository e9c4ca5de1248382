"""People's passwords: argon2id hashes (argon2-cffi's defaults) and the rules for a new one."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.core.gettext_marker import N_

MIN_LENGTH = 10
MAX_LENGTH = 256  # hashing is deliberately slow; an endless password must not make it slower

_hasher = PasswordHasher()  # argon2id, RFC 9106's second recommended parameters (64 MiB)
# Each hash takes 64 MiB and tens of milliseconds of a core on purpose; a flood of sign-ins must
# not take a process's memory with it, so a few at a time, the rest wait their turn.
_HASHING_SLOTS = threading.BoundedSemaphore(2)


@cache
def _unknown_user_hash() -> str:
    """Compared against when the email is unknown, so a wrong email costs what a wrong password
    costs (made on first use, not at import: start-up stays fast)."""
    return hash_password("radura: no such user")


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
    """Blocking and slow: call it in a worker thread (`asyncio.to_thread`) from async code."""
    with _HASHING_SLOTS:
        return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """The same work whether or not the user has a password; blocking like `hash_password`."""
    stored = password_hash or _unknown_user_hash()
    try:
        with _HASHING_SLOTS:
            return _hasher.verify(stored, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
