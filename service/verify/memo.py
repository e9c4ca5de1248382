"""A memo for the pure functions that take a scanned URI apart: a printed label is scanned again
and again, and each time its URI is the same text."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

R = TypeVar("R")

# a label's URI is well under this (a GS1 path, AI 17 and an 86-character signature); anything
# longer is taken apart each time rather than kept, so no one can fill the memory with it
MAX_MEMO_CHARS = 512


def memo_of_short_texts(max_entries: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Keep the results of the last `max_entries` calls whose text arguments are short. A call
    that raises is not kept (a refused URI is refused again, in full, every time)."""

    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        memo = lru_cache(maxsize=max_entries)(function)

        @wraps(function)
        def call(*texts: str) -> R:
            if sum(map(len, texts)) > MAX_MEMO_CHARS:
                return function(*texts)
            return memo(*texts)

        return call

    return decorate
