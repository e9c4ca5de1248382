"""GTIN check digits and normalisation; Crockford codes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labels.codes import (
    CROCKFORD_ALPHABET,
    is_code,
    normalize_typed_code,
    random_code,
    readable_code,
)
from labels.gtin import gtin_check_digit, gtin_check_digit_ok, normalize_gtin


@pytest.mark.parametrize(
    "gtin",
    ["96385074", "036000291452", "4006381333931", "08991234567891", "00000000000000"],
)
def test_known_good_gtins_pass(gtin: str) -> None:
    assert gtin_check_digit_ok(gtin)
    assert normalize_gtin(gtin) == gtin.rjust(14, "0")


def test_gtin13_normalizes_to_14_digits() -> None:
    assert normalize_gtin("8991234567891") == "08991234567891"


@pytest.mark.parametrize(
    ("gtin", "message"),
    [
        ("4006381333932", "check digit is wrong: expected 1, got 2"),
        ("036000291453", "check digit is wrong: expected 2, got 3"),
        ("1234567", "not 7"),
        ("40063813339311", "check digit"),
        ("4006381a33931", "only the digits"),
        ("٤٠٠٦٣٨١٣٣٣٩٣١", "only the digits"),  # Arabic-Indic digits are not GTIN digits
        ("", "only the digits"),
    ],
)
def test_bad_gtins_name_the_problem(gtin: str, message: str) -> None:
    assert not gtin_check_digit_ok(gtin)
    with pytest.raises(ValueError, match=re.escape(message)):
        normalize_gtin(gtin)


@given(st.text(alphabet="0123456789", min_size=7, max_size=13), st.integers(0, 9))
def test_exactly_one_check_digit_is_right(body: str, wrong: int) -> None:
    good = body + str(gtin_check_digit(body))
    assert gtin_check_digit_ok(good) == (len(good) in (8, 12, 13, 14))
    if str(wrong) != good[-1]:
        assert not gtin_check_digit_ok(body + str(wrong))


def test_random_code_uses_crockford_alphabet_only() -> None:
    codes = {random_code() for _ in range(2000)}
    assert len(codes) == 2000  # 50 bits each: a collision here means a broken generator
    joined = "".join(codes)
    assert set(joined) <= set(CROCKFORD_ALPHABET)
    assert not set("ILOU") & set(joined)
    # Every symbol shows up: the 5-bit mapping covers the whole alphabet.
    assert set(joined) == set(CROCKFORD_ALPHABET)
    assert all(is_code(code) for code in codes)
    assert len(random_code(4)) == 4
    with pytest.raises(ValueError):
        random_code(0)


def test_code_helpers() -> None:
    assert readable_code("7KQ2M9XW4T") == "7KQ2M 9XW4T"
    assert readable_code("7KQ2M9XW4T", "8H3JQ2KD0A") == "7KQ2M 9XW4T / 8H3JQ 2KD0A"
    assert normalize_typed_code(" 7kq2m-9xw4t ") == "7KQ2M9XW4T"
    assert normalize_typed_code("oil") == "011"
    assert not is_code("7KQ2M9XW4U")  # U is not Crockford
    assert not is_code("7kq2m9xw4t")
    assert not is_code("7KQ2M9XW4")


def test_bulk_codes_are_valid_distinct_and_evenly_spread() -> None:
    from collections import Counter

    from labels.codes import CROCKFORD_ALPHABET, random_codes

    codes = random_codes(20_000)
    assert len(codes) == len(set(codes)) == 20_000
    assert all(is_code(code) for code in codes)
    counts = Counter("".join(codes))
    assert set(counts) == set(CROCKFORD_ALPHABET)
    expected = 200_000 / 32
    # chi-square with 31 degrees of freedom: above 70 happens with probability < 1e-4
    chi_square = sum((n - expected) ** 2 / expected for n in counts.values())
    assert chi_square < 70, chi_square
    assert random_codes(0) == [] and [len(c) for c in random_codes(3, n=7)] == [7, 7, 7]
