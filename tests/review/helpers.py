"""Shared set-up of the review tests: a custodian with reviewers, the scenario's ingests, and
searches of every place content could remain (database tables, blob store, logs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Blob, Custodian
from chatarchief.archive.services import blobs, registry
from chatarchief.intake.pipeline import ingest
from chatarchief.review.contacts import import_contacts
from tests.review import scenario


def custodian_with_reviewers(code: str = "BZK", slug: str = "eva") -> tuple[Custodian, Any, Any]:
    organisation = registry.add_organisation(code, f"Ministerie {code}", actor="test")
    custodian = registry.add_custodian(slug, name=scenario.SELF, actor="test", organisation=organisation.code)
    User = get_user_model()
    first = User.objects.create_user(f"anna-{slug}")
    second = User.objects.create_user(f"bram-{slug}")
    for user in (first, second):
        grant(user, Role.REVIEWER, organisation=organisation)
    return custodian, first, second


def ingest_month(custodian: Custodian, directory: Path, month: int) -> list[Any]:
    paths = scenario.write_month(directory / f"m{month}", month)
    outcomes = [ingest(path, custodian, actor="test") for path in paths.values()]
    assert all(o.status == "ingested" for o in outcomes), [o.error for o in outcomes]
    return outcomes


def import_scenario_contacts(custodian: Custodian, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    import_contacts(scenario.write_contacts(directory / "contacts.csv"), actor="test", custodian=custodian)


def database_rows() -> list[tuple[str, str]]:
    """(table, value) for every value of every table, as text (bytes decoded leniently)."""
    found: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor, include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("utf-8", "replace")
                    if value is not None:
                        found.append((table, str(value)))
    return found


def leaks_in_database(words: tuple[str, ...]) -> list[tuple[str, str]]:
    folded = [w.casefold() for w in words]
    return [(table, value[:120]) for table, value in database_rows() if any(w in value.casefold() for w in folded)]


def blob_contents() -> dict[str, bytes]:
    """Every file in the blob store, decrypted (a file the database does not know fails here)."""
    store = blobs.store()
    known = {store.namer().name(sha): sha for sha in Blob.objects.values_list("sha256", flat=True)}
    stored = list(store.stored())
    unknown = [name for name in stored if name not in known]
    assert not unknown, f"files in the blob store that no Blob row names: {unknown}"
    return {known[name]: blobs.read_verified(known[name]) for name in stored}


def leaks_in_blobs(markers: tuple[bytes, ...]) -> list[str]:
    import io
    import zipfile

    found = []
    for sha, data in blob_contents().items():
        payloads = [data]
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                payloads += [archive.read(name) for name in archive.namelist()]
        for marker in markers:
            if any(marker in payload for payload in payloads):
                found.append(f"{sha[:12]}: {marker[:20]!r}")
    return found
