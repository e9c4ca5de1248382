"""GTIN check digits and normalisation to the 14-digit form GS1 Digital Link uses."""

from __future__ import annotations

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for `body` (a GTIN without its last digit)."""
    total = 0
    # Weights run 3, 1, 3, … from the rightmost body digit, whatever the GTIN length.
    for position, digit in enumerate(reversed(body)):
        total += int(digit) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit alone accepts Arabic-Indic and other Unicode digits.
    return text.isascii() and text.isdigit()


def gtin_check_digit_ok(text: str) -> bool:
    """True when `text` is a GTIN-8/12/13/14 whose last digit is the right check digit."""
    if len(text) not in GTIN_LENGTHS or not _is_ascii_digits(text):
        return False
    return gtin_check_digit(text[:-1]) == int(text[-1])


def normalize_gtin(text: str) -> str:
    """Return the GTIN-14 form of a GTIN-8/12/13/14, raising ValueError naming what is wrong."""
    if not _is_ascii_digits(text):
        raise ValueError("GTIN must contain only the digits 0-9")
    if len(text) not in GTIN_LENGTHS:
        raise ValueError(f"GTIN must have 8, 12, 13 or 14 digits, not {len(text)}")
    expected = gtin_check_digit(text[:-1])
    if expected != int(text[-1]):
        raise ValueError(f"GTIN check digit is wrong: expected {expected}, got {text[-1]}")
    return text.rjust(14, "0")
