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
    settings.AUDIT_ANCHOR_LOG = root / "audit-anchor.log"  # the audit chain's anchors and their key
    settings.AUDIT_ANCHOR_KEY_FILE = root / "audit-anchor.key"
    if request.node.get_closest_marker("queue") is None:
        # uploads are processed inside the request (as they were before the queue); tests of the
        # queue itself (marker `queue`) keep the database backend and run a worker
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    else:
        # a worker in a test starts no daily job by the real clock (fixity, reminders, disposition);
        # the tests of the schedule set PERIODIC_TASKS themselves
        settings.PERIODIC_TASKS = {}
    blob_names.reset()  # the name key lives in the test's database, which is rolled back after it
    from django.core.cache import caches

    # cached read-outs are keyed by ids a rolled-back test reuses; the `calendars` store is a table of
    # the test database (settings.CACHES), rolled back with the test (and its keys carry the
    # conversation's creation time)
    caches["default"].clear()
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


@pytest.fixture(autouse=True)
def _flushable_audit_table(request):
    """A test on a committed database (live server, transactional_db) is emptied afterwards with
    DELETE on SQLite, which the audit table's append-only triggers refuse: drop them first (tests
    of the triggers install them again: chatarchief.audit.triggers.install)."""
    marker = request.node.get_closest_marker("django_db")
    committed = marker is not None and bool(marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if not (committed or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so its flush runs after this teardown
    yield
    from django.db import connection

    if connection.vendor == "sqlite":
        from chatarchief.audit import triggers

        triggers.remove(connection)
