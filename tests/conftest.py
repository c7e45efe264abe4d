"""Shared test set-up: every test gets its own blob store; Django tests use pytest-django; tests of
the shared corpus skip when ../shared/fixtures is absent (see tests/paths.py)."""

from __future__ import annotations

import pytest

from tests.paths import HAVE_SHARED, SHARED_ABSENT


def pytest_configure(config):
    config.addinivalue_line("markers", "shared_corpus: reads ../shared/fixtures (skipped when that folder is absent)")
    config.addinivalue_line(
        "markers", "queue: uses the database task backend (background ingest) instead of the immediate one"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip a shared-corpus test before its fixtures are set up (they may read the corpus)."""
    if not HAVE_SHARED and item.get_closest_marker("shared_corpus") is not None:
        pytest.skip(SHARED_ABSENT)


@pytest.fixture(autouse=True)
def _isolated_blob_store(request, tmp_path_factory):
    """Point the blob store at a fresh folder for every test that touches Django settings."""
    if (
        "django_db_setup" not in request.fixturenames
        and "db" not in request.fixturenames
        and "transactional_db" not in request.fixturenames
    ):
        yield
        return
    from chatarchief.archive.services import blob_names

    settings = request.getfixturevalue("settings")
    root = tmp_path_factory.mktemp("blobs")
    settings.BLOB_ROOT = root
    settings.UPLOAD_DIR = root / "uploads"
    if request.node.get_closest_marker("queue") is None:
        # uploads are processed inside the request (as they were before the queue); tests of the
        # queue itself (marker `queue`) keep the database backend and run a worker
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    blob_names.reset()  # the name key lives in the test's database, which is rolled back after it
    yield root
    blob_names.reset()


@pytest.fixture
def client():
    """pytest-django's `client`, except that `force_login` also passes the second factor (TOTP).

    Production sessions reach nothing before TOTP (web.security.SecondFactorMiddleware); this test-only
    client marks a force-logged-in session verified through django-otp's session key, never a setting.
    """
    from tests.web.world import VerifiedClient

    return VerifiedClient()
