"""`radura … --help` explains every option with its default and lists the variables read."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

import pytest

from service.cli import build_parser
from service.core.settings import ENVIRONMENT


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every runnable command (a parser without subcommands), with its words."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield path, parser
    for group in groups:
        for name, child in group.choices.items():
            yield from _commands(child, (*path, name))


COMMANDS = dict(_commands(build_parser()))


def test_every_command_is_listed():
    assert {" ".join(words) for words in COMMANDS} >= {
        "serve",
        "migrate",
        "user create",
        "user invite",
        "user disable",
        "db url",
        "db stop",
        "keys rotate",
        "label verify",
        "labels render",
    }


@pytest.mark.parametrize("words", list(COMMANDS), ids=" ".join)
def test_every_option_has_help_and_shows_its_default(words: tuple[str, ...]):
    parser = COMMANDS[words]
    text = parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{' '.join(words)} {action.dest} has no help"
        if action.default not in (None, False) and not action.required:
            assert f"(default: {action.default})" in " ".join(text.split()), action.dest


@pytest.mark.parametrize("words", list(COMMANDS), ids=" ".join)
def test_every_command_lists_the_environment_it_reads(words: tuple[str, ...]):
    text = COMMANDS[words].format_help()
    assert "environment:" in text
    listed = [name for name in ENVIRONMENT if name in text]
    assert "RADURA_DATA_DIR" in listed
    for name in listed:  # each with what it means
        assert ENVIRONMENT[name] in text


def test_serve_help_as_a_person_sees_it():
    shown = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "(default: 8000)" in shown
    assert "(default: 127.0.0.1)" in shown
    assert all(name in shown for name in ENVIRONMENT)


def test_the_top_level_help_lists_every_variable():
    text = build_parser().format_help()
    assert all(f"{name}  " in text for name in ENVIRONMENT)
