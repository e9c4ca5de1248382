"""Random Crockford base-32 codes for batches and serials, and their readable form."""

from __future__ import annotations

import re
import secrets

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
CODE_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]+$")

# Crockford's decoding rules: case-insensitive, I/L read as 1, O as 0, hyphens ignored.
_TYPED_TO_CANONICAL = str.maketrans("ILO", "110", "- ")


def random_code(n: int = CODE_LENGTH) -> str:
    """`n` random Crockford base-32 characters from the OS CSPRNG (5 bits of entropy each)."""
    if n < 1:
        raise ValueError("code length must be at least 1")
    # 256 is a multiple of 32, so keeping the low 5 bits of each byte is unbiased.
    return "".join(CROCKFORD_ALPHABET[byte & 31] for byte in secrets.token_bytes(n))


def is_code(text: str, n: int = CODE_LENGTH) -> bool:
    """True when `text` is exactly `n` canonical (upper-case) Crockford base-32 characters."""
    return len(text) == n and CODE_PATTERN.match(text) is not None


def normalize_typed_code(text: str) -> str:
    """A code as a person typed it (lower case, O for 0, dashes, spaces) in canonical form."""
    return text.strip().upper().translate(_TYPED_TO_CANONICAL)


def readable_code(code: str, serial: str | None = None) -> str:
    """The code (and serial) in groups of five for reading aloud or typing: `7KQ2M 9XW4T`."""
    groups = " ".join(code[i : i + 5] for i in range(0, len(code), 5))
    if serial is None:
        return groups
    return groups + " / " + " ".join(serial[i : i + 5] for i in range(0, len(serial), 5))
