"""Fixtures for the blob store tests: a fresh master key per test."""

from __future__ import annotations

import pytest

from tests.archive.keys import new_key


@pytest.fixture
def master(settings) -> str:
    """A fresh master key as CHATARCHIEF_MASTER_KEY (and no previous keys)."""
    key = new_key()
    settings.BLOB_MASTER_KEY = key
    settings.BLOB_PREVIOUS_MASTER_KEYS = []
    return key
