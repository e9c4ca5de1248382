"""How `radura --help` reads: defaults shown, the environment each command reads, number and
code checks."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable

from service.core.settings import ENVIRONMENT


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Every option's default after its help; the environment epilog kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        # a flag that is off, or an option with nothing to fall back on, has no default to show
        if action.default in (None, False) or action.required:
            return action.help
        return super()._get_help_string(action)


def environment_epilog(names: Iterable[str]) -> str:
    """The RADURA_* variables a command reads, one per line with what it means."""
    listed = list(names)
    width = max(len(name) for name in listed)
    lines = [f"  {name.ljust(width)}  {ENVIRONMENT[name]}" for name in listed]
    return "environment:\n" + "\n".join(lines)


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in range, refused with the rule otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {value}")
        return value

    return parse


# what the API's `market` and `lang` take (schemas/markets.py), checked before the database
_MARKET = re.compile(r"^[A-Z]{2,3}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def market_code(text: str) -> str:
    """An argparse type: a market's code in capitals (`US`, `CN`, `EU`, a member country)."""
    if not _MARKET.match(text):
        raise argparse.ArgumentTypeError(
            f"must be a market's code in capitals (US, CN), got {text!r}"
        )
    return text


def language_code(text: str) -> str:
    """An argparse type: a language of a market's words, ISO 639-1 in lower case."""
    if not _LANGUAGE.match(text):
        raise argparse.ArgumentTypeError(f"must be 2 lower-case letters (en, zh), got {text!r}")
    return text
