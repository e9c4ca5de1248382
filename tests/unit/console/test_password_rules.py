"""The rules a new password must meet, and argon2id hashing."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from service.accounts.passwords import hash_password, password_matches, password_problem


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "Use at least 10 characters."),
        ("123456789", "Use at least 10 characters."),
        ("x" * 257, "Use at most 256 characters."),
        ("siti.rahmawati@rendang.id", "Do not use your email address as your password."),
        ("SITI.RAHMAWATI@RENDANG.ID", "Do not use your email address as your password."),
        ("siti.rahmawati", "Do not use your email address as your password."),
        ("Password123", "This password is too common; choose one that is harder to guess."),
        ("qwertyuiop", "This password is too common; choose one that is harder to guess."),
        ("ababababababab", "This password is too common; choose one that is harder to guess."),
    ],
)
def test_refused_passwords_say_why(password, reason):
    assert password_problem(password, "siti.rahmawati@rendang.id") == reason


def test_a_good_password_passes_and_hashes_as_argon2id():
    assert password_problem("Rendang-Bundo-2026", "siti@rendang.id") is None
    stored = hash_password("Rendang-Bundo-2026")
    assert stored.startswith("$argon2id$")
    assert password_matches(stored, "Rendang-Bundo-2026")
    assert not password_matches(stored, "rendang-bundo-2026")
    assert not password_matches(None, "anything at all")
    assert not password_matches("not a hash", "anything at all")


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are Linux's")
async def test_hashes_run_in_threads_that_give_way_to_the_event_loop():
    """The hashing threads run at a lower priority than the thread that runs the event loop, so
    a flood of sign-ins queues behind the requests, not the other way round; and a hash
    computed there is a hash like any other."""
    from service.accounts import passwords

    def priority_here() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    loop_priority = priority_here()
    hashing_priority = await asyncio.get_running_loop().run_in_executor(
        passwords._hashing, priority_here
    )
    assert hashing_priority == min(19, loop_priority + passwords.HASHING_NICENESS)
    stored = await passwords.hashed("Rendang-Bundo-2026")
    assert await passwords.matches(stored, "Rendang-Bundo-2026")
    assert not await passwords.matches(stored, "Rendang-Bundo-2027")
