"""Docs as tests: every CLI command appears in the README or on a page under docs/, every option of
`ingest` is documented, and the README shows the two commands."""

from __future__ import annotations

from pathlib import Path

import click

from chatarchief.cli import root

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))}


def commands(group: click.Group = root, prefix: str = "chatarchief") -> dict[str, click.Command]:
    """Every command that does something, by its full name ("chatarchief user add")."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(commands(command, f"{prefix} {name}"))
        else:
            found[f"{prefix} {name}"] = command
    return found


def test_every_cli_command_is_in_the_readme_or_a_docs_page():
    found = commands()
    assert len(found) >= 12
    missing = [name for name in found if name not in README and not any(name in page for page in PAGES.values())]
    assert missing == []


def test_every_option_of_ingest_is_documented():
    ingest = commands()["chatarchief ingest"]
    options = [o for p in ingest.params for o in p.opts if o.startswith("--") and o != "--help"]
    assert options and [o for o in options if o not in README] == []


def test_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README
