"""Shared test set-up: every test gets its own blob store; Django tests use pytest-django."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_blob_store(request, tmp_path_factory):
    """Point the blob store at a fresh folder for every test that touches Django settings."""
    if "django_db_setup" not in request.fixturenames and "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        yield
        return
    settings = request.getfixturevalue("settings")
    root = tmp_path_factory.mktemp("blobs")
    settings.BLOB_ROOT = root
    settings.UPLOAD_DIR = root / "uploads"
    yield root
