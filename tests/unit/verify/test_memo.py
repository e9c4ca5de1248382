"""The memo of a scan's texts: short texts are read once, long ones every time, and it stays
within its number of entries."""

from __future__ import annotations

import pytest

from service.verify.memo import MAX_MEMO_CHARS, memo_of_short_texts


def test_short_texts_are_read_once_long_ones_every_time_and_failures_never_kept() -> None:
    reads: list[tuple[str, ...]] = []

    @memo_of_short_texts(max_entries=8)
    def read(*texts: str) -> int:
        reads.append(texts)
        if texts[0] == "bad":
            raise ValueError(texts[0])
        return sum(map(len, texts))

    assert [read("a", "bc"), read("a", "bc"), read("gzip"), read("gzip")] == [3, 3, 4, 4]
    assert reads == [("a", "bc"), ("gzip",)]
    long = "x" * (MAX_MEMO_CHARS + 1)
    read(long)
    read(long)
    for _ in range(2):
        with pytest.raises(ValueError):
            read("bad")
    assert reads[2:] == [(long,), (long,), ("bad",), ("bad",)]


def test_the_memo_starts_afresh_when_full() -> None:
    reads: list[str] = []

    @memo_of_short_texts(max_entries=2)
    def read(text: str) -> str:
        reads.append(text)
        return text.upper()

    for text in ("a", "b", "c", "a"):
        read(text)
    # "c" found the memo full: it was emptied, so "a" is read again
    assert reads == ["a", "b", "c", "a"]
