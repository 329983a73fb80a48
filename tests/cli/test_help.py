"""`impact --help` and every command's help read as plain text a new user can act on."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from impact_warehouse.cli import build_parser, plain_text


def _options(parser: argparse.ArgumentParser, name: str) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, subparser in action.choices.items():
                yield from _options(subparser, f"{name} {command}")
        else:
            yield name, action


def test_every_option_of_every_command_says_what_it_does():
    unexplained = [
        f"{command} {'/'.join(action.option_strings) or action.dest}"
        for command, action in _options(build_parser(), "impact")
        if not action.help and not isinstance(action, argparse._HelpAction)
    ]
    assert unexplained == []


def test_the_overview_shows_no_markup():
    overview = build_parser().format_help()
    assert "``" not in overview and ":mod:" not in overview
    assert "impact_warehouse.pipeline" in overview  # the role's target stays, as a word


def test_plain_text_keeps_the_words_of_roles_and_literals():
    assert plain_text("see :mod:`impact_warehouse.pipeline` and ``impact pull``") == (
        "see impact_warehouse.pipeline and impact pull"
    )
    assert plain_text(":func:`~x.y` ok") == "x.y ok"
