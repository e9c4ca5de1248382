"""Who goods go to and come from: ISO 3166-1 country codes, GS1 Global Location Numbers (GLN)
and WhatsApp numbers in E.164 form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from schemas.common import TEXT_END

# ISO 3166-1 alpha-2, the 249 officially assigned codes (no reserved or user-assigned ones such
# as EU, XK or ZZ: a market union has its own code in the markets table, not here)
ISO_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()  # noqa: SIM905 - a table to read, not 249 lines of one code each
)
GLN_CHECK_MESSAGE = "the GLN's check digit is wrong"

if TYPE_CHECKING:
    CountryCode = str
else:
    # every assigned code, so the OpenAPI document lists them and a wrong one is a 400 naming
    # the field like any value outside its enum
    CountryCode = Annotated[
        Literal[tuple(sorted(ISO_COUNTRIES))],
        msgspec.Meta(
            description="ISO 3166-1 alpha-2 country code, upper case.", examples=["ID", "DE"]
        ),
    ]
Gln = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^[0-9]{{13}}{TEXT_END}",
        description="GS1 Global Location Number: 13 digits, the last a GS1 mod-10 check digit.",
        examples=["8991234000015"],
    ),
]
# E.164: a plus, a country code that does not start with 0, at most 15 digits in all
Whatsapp = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^\+[1-9][0-9]{{6,14}}{TEXT_END}",
        description="A WhatsApp number in E.164 form: `+`, the country code and the number, "
        "digits only.",
        examples=["+6281234567890"],
    ),
]


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of `body` (the key without its last digit): weights 3, 1, 3, …
    from the rightmost digit, as for a GTIN."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gln_problem(gln: str | None) -> str | None:
    """Why `gln` (already 13 digits by its pattern) is no GLN, or None."""
    if gln is None or gs1_check_digit(gln[:-1]) == int(gln[-1]):
        return None
    return GLN_CHECK_MESSAGE
