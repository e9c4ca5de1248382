"""Random Crockford base-32 codes for batches and serials, and their readable form."""

from __future__ import annotations

import base64
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


# RFC 4648 base-32 digits mapped onto Crockford's: both spell 5 bits a character
_RFC4648_TO_CROCKFORD = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", CROCKFORD_ALPHABET.encode()
)


def random_codes(count: int, n: int = CODE_LENGTH) -> list[str]:
    """`count` codes as `random_code` makes them, drawn in one go for bulk serial issues.

    base64.b32encode turns 5 random bytes into exactly 8 characters of 5 random bits each, so
    encoding one large draw and cutting it into `n`-character pieces is as uniform as
    `random_code` and several times faster than a loop over it."""
    if count < 0 or n < 1:
        raise ValueError("count must be >= 0 and code length >= 1")
    chars = count * n
    raw = secrets.token_bytes(-(-chars // 8) * 5)  # whole 5-byte groups: no padding
    text = base64.b32encode(raw).translate(_RFC4648_TO_CROCKFORD).decode("ascii")
    return [text[i : i + n] for i in range(0, chars, n)]


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
