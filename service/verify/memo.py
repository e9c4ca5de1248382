"""A memo for the pure functions that read a scan's texts: a printed label is scanned again and
again, each time with the same URI, and a phone sends the same Accept headers every time."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

R = TypeVar("R")

# a label's URI is well under this (a GS1 path, AI 17 and an 86-character signature), and so is
# any browser's Accept header; anything longer is read each time rather than kept, so no one can
# fill the memory with it
MAX_MEMO_CHARS = 512


def memo_of_short_texts(max_entries: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Keep the results of calls whose text arguments are short, up to `max_entries` of them
    (then the memo starts afresh). A call that raises is not kept (a refused URI is refused
    again, in full, every time); a function answering None is not memoized at all."""

    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        entries: dict[Any, R] = {}

        @wraps(function)
        def call(*texts: str) -> R:
            # one text is its own key: a dict lookup is then most of a memo hit's cost
            key: Any = texts if len(texts) > 1 else texts[0]
            found = entries.get(key)
            if found is not None:
                return found
            result = function(*texts)
            if sum(map(len, texts)) <= MAX_MEMO_CHARS:
                if len(entries) >= max_entries:
                    entries.clear()
                entries[key] = result
            return result

        return call

    return decorate
