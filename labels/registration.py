"""Registration numbers of food (DOMAIN §8.7): the stored form, its type, and the form BPOM prints.

Stored without grouping: `MD224510001234`, `ML812345678901`, `P-IRT206367401004527`,
`PSAT-PD12345678` (Permentan 53/2018 writes PSAT-PD, PSAT-PL, PSAT-PDUK). Printed as BPOM prints
them: `BPOM RI MD 224510001234`, `P-IRT No. 206367401004527`, `PSAT PD 12345678`."""

from __future__ import annotations

import re
from typing import Literal

from schemas.common import Lang

RegistrationType = Literal["MD", "ML", "P-IRT", "PSAT"]

# digits may be grouped by single spaces or dashes, also between the scheme and the digits
_SEPARATED = r"[ -]?"
_GROUPED_DIGITS = r"(?:[0-9][ -]?){{{low},{high}}}[0-9]"
_GIVEN = re.compile(
    rf"^(?:(?P<bpom>M[DL]){_SEPARATED}(?P<bpom_digits>{_GROUPED_DIGITS.format(low=11, high=11)})"
    rf"|P-IRT{_SEPARATED}(?P<pirt_digits>{_GROUPED_DIGITS.format(low=14, high=14)})"
    rf"|PSAT{_SEPARATED}(?P<psat>PDUK|PD|PL){_SEPARATED}"
    rf"(?P<psat_digits>{_GROUPED_DIGITS.format(low=7, high=19)}))$"
)
_STORED = re.compile(
    r"^(?:(?P<bpom>M[DL])(?P<bpom_digits>[0-9]{12})|P-IRT(?P<pirt_digits>[0-9]{15})"
    r"|PSAT-(?P<psat>PDUK|PD|PL)(?P<psat_digits>[0-9]{8,20}))$"
)

# what a page calls the number: a P-IRT number is not an izin edar (DOMAIN §8.11)
CAPTIONS: dict[RegistrationType, tuple[str, str]] = {
    "MD": ("Nomor izin edar", "Marketing authorisation number"),
    "ML": ("Nomor izin edar", "Marketing authorisation number"),
    "P-IRT": ("Nomor P-IRT", "P-IRT number"),
    "PSAT": ("Nomor pendaftaran PSAT", "PSAT registration number"),
}
OTHER_CAPTION = ("Nomor pendaftaran", "Registration number")


def _stored_form(match: re.Match[str]) -> str:
    def digits(group: str) -> str:
        return match[group].replace(" ", "").replace("-", "")

    if match["bpom"]:
        return match["bpom"] + digits("bpom_digits")
    if match["pirt_digits"]:
        return "P-IRT" + digits("pirt_digits")
    return f"PSAT-{match['psat']}" + digits("psat_digits")


def normalize_registration_no(given: str) -> str:
    """`MD 2245-1000-1234` → `MD224510001234`, `PSAT PD 1234 5678` → `PSAT-PD12345678`;
    ValueError for any other shape."""
    match = _GIVEN.match(given)
    if match is None:
        raise ValueError(
            "must be MD or ML and 12 digits, P-IRT and 15 digits, or PSAT PD, PL or PDUK and "
            "8 to 20 digits"
        )
    return _stored_form(match)


def _parsed(text: str) -> re.Match[str] | None:
    """The parts of a stored number (one still grouped as typed is read too), or None."""
    given = _GIVEN.match(text)
    return _STORED.match(_stored_form(given) if given else text)


def registration_type(stored: str | None) -> RegistrationType | None:
    """MD, ML, P-IRT or PSAT; None without a number or for a shape of no scheme we know."""
    match = _parsed(stored) if stored else None
    if match is None:
        return None
    if match["bpom"]:
        return "MD" if match["bpom"] == "MD" else "ML"
    return "P-IRT" if match["pirt_digits"] else "PSAT"


def printed_registration_no(stored: str) -> str:
    """The number as BPOM prints it: `BPOM RI MD 224510001234`, `BPOM RI ML …`,
    `P-IRT No. 206367401004527`, `PSAT PD 12345678`. A shape of no scheme we know is printed as
    stored, so that nothing a producer registered goes missing."""
    match = _parsed(stored)
    if match is None:
        return stored
    if match["bpom"]:
        return f"BPOM RI {match['bpom']} {match['bpom_digits']}"
    if match["pirt_digits"]:
        return f"P-IRT No. {match['pirt_digits']}"
    return f"PSAT {match['psat']} {match['psat_digits']}"


def registration_caption(stored: str, lang: Lang = "id") -> str:
    """What the number is called next to it: `Nomor izin edar` for MD/ML, `Nomor P-IRT`, …"""
    kind = registration_type(stored)
    caption = CAPTIONS[kind] if kind else OTHER_CAPTION
    return caption[0 if lang == "id" else 1]
