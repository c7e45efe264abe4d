"""The exclusion switches SQLite's secure_delete on whatever the build's default (Debian's is on)."""

from __future__ import annotations

import pytest
from django.db import connection

from chatarchief.review import scrub

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite pragma")
def test_secure_delete_is_on_inside_and_restored_after():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = 0")
        with scrub.secure_delete():
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 0


def test_the_scrub_refuses_to_run_inside_a_transaction():
    assert scrub.after_exclusion() is False  # pytest-django's test transaction is open
