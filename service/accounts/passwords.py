"""People's passwords: argon2id hashes (argon2-cffi's defaults) and the rules for a new one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.core.gettext_marker import N_

MIN_LENGTH = 10
MAX_LENGTH = 256  # hashing is deliberately slow; an endless password must not make it slower

_hasher = PasswordHasher()  # argon2id, RFC 9106's second recommended parameters (64 MiB)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Each hash takes 64 MiB and a core for tens of milliseconds (more on a busy machine) on purpose.
# A flood of sign-ins must take neither the process's memory nor the CPU from the requests beside
# it: at most one hash per core at once, in threads of their own, the rest queued without holding
# a thread; and those threads yield the CPU to the event loop's whenever both want it (a lower
# priority). A hash is never run while a database connection or transaction is held
# (service/accounts/sign_in.py), so a queue of them holds up nothing else.
HASHES_AT_ONCE = _cores()
# how much nicer the hashing threads are than the rest: the kernel gives a thread 10 steps nicer
# about a tenth of the CPU of the other when they compete for a core, and all of it when nothing
# else wants it
HASHING_NICENESS = 10


def _lower_priority() -> None:
    """Run by each hashing thread as it starts: on Linux a thread has a priority of its own."""
    with contextlib.suppress(AttributeError, OSError):
        thread = threading.get_native_id()
        # a new thread starts with the priority of the one that made it (the event loop's)
        inherited = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, inherited + HASHING_NICENESS))


_hashing = ThreadPoolExecutor(
    max_workers=HASHES_AT_ONCE, thread_name_prefix="argon2", initializer=_lower_priority
)


class HashingLoad:
    """How many hashes run at once in the process now, and the most seen (for tests and
    benchmarks to see the bound hold)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self.running -= 1

    def reset_peak(self) -> None:
        with self._lock:
            self.peak = self.running


hashing_load = HashingLoad()


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
    """Blocking and slow: from async code, `await hashed(password)`."""
    with hashing_load:
        return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """The same work whether or not the user has a password; blocking like `hash_password`
    (from async code, `await matches(...)`)."""
    stored = password_hash or _unknown_user_hash()
    try:
        with hashing_load:
            return _hasher.verify(stored, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hashed(password: str) -> str:
    """`hash_password` in one of the process's hashing threads, waiting its turn."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, hash_password, password)


async def matches(password_hash: str | None, password: str) -> bool:
    """`password_matches` in one of the process's hashing threads, waiting its turn."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing, password_matches, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
