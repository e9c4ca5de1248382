"""Verdict precedence and the page's language choice."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest

from service.verify.texts import pick_language
from service.verify.verdict import decide

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("status", "expired", "suspect"),
    list(product(["released", "recalled"], [False, True], [False, True])),
)
def test_precedence_recalled_expired_suspect_genuine(
    status: str, expired: bool, suspect: bool
) -> None:
    best_before = TODAY - timedelta(days=1) if expired else TODAY
    verdict = decide(status=status, best_before=best_before, today=TODAY, suspect=suspect)
    expected = (
        "recalled"
        if status == "recalled"
        else "expired"
        if expired
        else "suspect"
        if suspect
        else "genuine"
    )
    assert verdict == expected


def test_the_best_before_day_itself_is_still_good() -> None:
    assert decide(status="released", best_before=TODAY, today=TODAY, suspect=False) == "genuine"


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "id"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "id-ID,id;q=0.9,en-US;q=0.8", "id"),
        (None, "en;q=0.5, id;q=0.8", "id"),
        (None, "fr-FR, de;q=0.9", "id"),
        (None, "de, en;q=0.3", "en"),
        (None, "en;q=0, id;q=0", "id"),
        (None, "en;q=abc", "id"),
        ("en", "id", "en"),
        ("id", "en", "id"),
        ("xx", "en", "en"),
    ],
)
def test_language_from_query_then_accept_language(
    query: str | None, header: str | None, expected: str
) -> None:
    assert pick_language(query, header) == expected
