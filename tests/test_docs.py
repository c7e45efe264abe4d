"""Docs as tests: every CLI command appears in the README, and the README shows the two commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from chatarchief.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "chatarchief") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub, f"{prefix} {name}")
                found.extend(nested or [f"{prefix} {name}"])
    return found


def test_every_cli_command_is_in_the_readme():
    commands = _commands(build_parser())
    assert len(commands) >= 12
    missing = [c for c in commands if c not in README]
    assert missing == []


def test_every_option_of_ingest_is_documented():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["ingest"]
    options = [o for a in sub._actions for o in a.option_strings if o.startswith("--") and o != "--help"]
    assert options and [o for o in options if o not in README] == []


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README
