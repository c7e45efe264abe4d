"""Helpers for the blob store tests: master keys and the `chatarchief` command in-process."""

from __future__ import annotations

import base64
import os


def new_key() -> str:
    """A master key as base64 text of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode()


def cli(*argv: str) -> int:
    from chatarchief.cli import main

    return main(list(argv))
