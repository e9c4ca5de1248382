"""How the shelf-life explanations write numbers: days, temperatures, doses and factors, with a
decimal comma in Bahasa Indonesia and a point in English."""

from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction


def days_en(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def plain(value: float, decimal_mark: str, min_decimals: int = 0) -> str:
    """A number as written, in fixed notation; past 4 decimals it is rounded for reading."""
    exact = Decimal(repr(float(value))).quantize(Decimal("0.0001"))
    text = format(exact.normalize(), "f")
    if text == "-0":
        text = "0"
    whole, _, decimals = text.partition(".")
    decimals = decimals.ljust(min_decimals, "0")
    text = f"{whole}.{decimals}" if decimals else whole
    return text.replace("-", "−").replace(".", decimal_mark)


def temp(value: float, decimal_mark: str) -> str:
    return f"{plain(value, decimal_mark)} °C"


def dose(value: float, decimal_mark: str) -> str:
    # Doses keep one decimal even when whole ("3,0 kGy"), as dosimetry reports write them.
    return f"{plain(value, decimal_mark, 1)} kGy"


def truncated(value: Fraction, decimal_mark: str, min_decimals: int) -> str:
    # Truncated, never rounded up: a shown "10,0" must not sit above a floor that gives 9 days.
    hundredths = int(value * 100)
    whole, rest = divmod(hundredths, 100)
    decimals = f"{rest:02d}".rstrip("0")
    if len(decimals) < min_decimals:
        decimals = decimals.ljust(min_decimals, "0")
    return f"{whole}{decimal_mark}{decimals}" if decimals else str(whole)


def days_value(value: Fraction, decimal_mark: str) -> str:
    return truncated(value, decimal_mark, min_decimals=0)


def factor(value: Fraction, decimal_mark: str) -> str:
    return truncated(value, decimal_mark, min_decimals=1)


def public_dose(value: float | Fraction, decimal_mark: str) -> str:
    """A dose as shown to the public (DOMAIN.md §8.11: no false precision): one decimal, two
    below 1 kGy where one would hide the dose (0,05 kGy, 0,15 kGy). Rounded down, so a dose
    said to be below a limit is never shown at or above it."""
    if isinstance(value, Fraction):
        with localcontext() as context:
            context.prec = 50
            exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(repr(float(value)))  # the decimal as typed: 0.15, not 0.1499…
    places = 1 if exact >= 1 else 2
    shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)
    return f"{shown} kGy".replace(".", decimal_mark)
