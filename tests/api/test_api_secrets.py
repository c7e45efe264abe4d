"""A Signal backup delivered with its passphrase: the passphrase is nowhere afterwards, not in any
database row, not in any file of the blob store, not in the receipt."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.apps import apps

from chatarchief.archive.models import Delivery
from tests.api.conftest import bearer, upload
from tests.generators.signal_android import generate_backup

pytestmark = pytest.mark.django_db

PASSPHRASE = "918273645091827364509182736450"


def _backup() -> bytes:
    stream = io.BytesIO()
    generate_backup(stream, messages=6, threads=2, attachments=1, attachment_size=2048, passphrase=PASSPHRASE, seed=7)
    return stream.getvalue()


def _database_dump() -> str:
    rows = [list(model.objects.values()) for model in apps.get_models()]
    return json.dumps(rows, default=str, ensure_ascii=False)


def _forms(secret: str) -> list[bytes]:
    spaced = " ".join(secret[i : i + 5] for i in range(0, 30, 5))
    return [secret.encode(), spaced.encode(), secret.encode("utf-16-le")]


def test_signal_passphrase_is_not_kept_anywhere(world, client, settings):
    token = world.token("mdm-bzk", ["deliver", "read_status"])
    spaced = " ".join(PASSPHRASE[i : i + 5] for i in range(0, 30, 5))
    response = client.post(
        "/api/v1/deliveries",
        {"custodian": "anna-bzk", "file": upload("signal-2026-01-02.backup", _backup()), "passphrase": spaced},
        **bearer(token),
    )
    assert response.status_code == 201
    receipt = response.json()
    assert receipt["status"] == "ingested", receipt
    assert receipt["format"] == "signal_android" and receipt["counts"]["messages"] >= 6

    dump = _database_dump()
    for form in _forms(PASSPHRASE):
        assert form.decode("utf-8", "ignore") not in dump
        assert form not in response.content
    files = [p for p in Path(settings.BLOB_ROOT).rglob("*") if p.is_file()]
    assert len(files) >= 2  # the backup and its attachment
    for path in files:
        content = path.read_bytes()
        for form in _forms(PASSPHRASE):
            assert form not in content, path
    assert Delivery.objects.filter(status="ingested").count() == 1


def test_a_wrong_passphrase_is_a_failed_receipt_without_the_secret(world, client):
    token = world.token("mdm-bzk", ["deliver"])
    guess = "111112222233333444445555566666"
    receipt = client.post(
        "/api/v1/deliveries",
        {"custodian": "anna-bzk", "file": upload("signal.backup", _backup()), "passphrase": guess},
        **bearer(token),
    ).json()
    assert receipt["status"] == "failed"
    assert receipt["error"] == {
        "code": "signal.bad_passphrase",
        "message": "signal.backup: De wachtwoordzin is onjuist: de back-up kan er niet mee worden ontsleuteld.",
    }
    assert guess not in json.dumps(receipt) and guess not in _database_dump()
