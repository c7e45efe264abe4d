"""Bad input: a clear error naming the file (and line), a failed Delivery with the original kept,
and no partial archive state."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from chatarchief.archive.models import Blob, Conversation, Delivery, Message
from chatarchief.archive.services import blobs, registry
from chatarchief.intake.pipeline import ingest

pytestmark = pytest.mark.django_db

GOOD_LINE = "02-01-2026 09:01 - Anna: Goedemorgen\n"


@pytest.fixture
def custodian():
    return registry.add_custodian("anna", name="Anna", actor="test", organisation="BZK")


def _zip(path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _assert_failed(outcome, path, code: str, *, line: int | None = None):
    delivery = outcome.delivery
    assert outcome.status == "failed"
    assert delivery.error_code == code, delivery.error_code
    assert path.name in delivery.error_message and path.name in delivery.error_message_en
    if line is not None:
        assert f"regel {line}" in delivery.error_message and f"line {line}" in delivery.error_message_en
    # the original is kept byte for byte, under its SHA-256
    data = path.read_bytes()
    assert delivery.sha256 == hashlib.sha256(data).hexdigest()
    assert Blob.objects.filter(sha256=delivery.sha256).exists()
    with blobs.store().open(delivery.sha256) as handle:
        assert handle.read() == data
    # nothing half-written
    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert outcome.as_dict()["error"]["code"] == code


def test_not_a_chat_export(tmp_path, custodian):
    path = tmp_path / "notulen.txt"
    path.write_text("Notulen van het overleg\nAanwezig: iedereen\n", encoding="utf-8")
    _assert_failed(ingest(path, custodian, actor="t"), path, "format.unknown")


def test_empty_file(tmp_path, custodian):
    path = tmp_path / "WhatsApp-chat met Leeg.txt"
    path.write_bytes(b"")
    _assert_failed(ingest(path, custodian, actor="t"), path, "format.empty")


def test_wrong_encoding(tmp_path, custodian):
    path = tmp_path / "WhatsApp-chat met Latin.txt"
    path.write_bytes((GOOD_LINE + "02-01-2026 09:02 - Anna: Caf\xe9 om twaalf\n").encode("latin-1"))
    _assert_failed(ingest(path, custodian, actor="t"), path, "whatsapp.encoding", line=2)


def test_truncated_zip(tmp_path, custodian):
    whole = _zip(tmp_path / "whole.zip", {"_chat.txt": GOOD_LINE.encode() * 200, "IMG-1.jpg": bytes(range(256)) * 400})
    path = tmp_path / "WhatsApp Chat - Afgebroken.zip"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    _assert_failed(ingest(path, custodian, actor="t"), path, "zip.damaged")


def test_zip_bomb_by_ratio(tmp_path, custodian):
    path = _zip(
        tmp_path / "WhatsApp Chat - Bom.zip", {"_chat.txt": GOOD_LINE.encode(), "IMG-2.jpg": b"\0" * (64 * 1024 * 1024)}
    )
    _assert_failed(ingest(path, custodian, actor="t"), path, "zip.bomb")


def test_zip_bomb_by_total_size(tmp_path, custodian, monkeypatch):
    from chatarchief.core import safety

    monkeypatch.setattr(safety, "MAX_TOTAL_UNCOMPRESSED", 5 * 1024 * 1024)
    noise = hashlib.sha256(b"x").digest() * (32 * 1024)  # 1 MiB that barely compresses
    members = {"_chat.txt": GOOD_LINE.encode()} | {f"IMG-{n}.jpg": noise + bytes([n]) for n in range(8)}
    path = _zip(tmp_path / "WhatsApp Chat - Groot.zip", members)
    _assert_failed(ingest(path, custodian, actor="t"), path, "zip.bomb")


def test_zip_with_parent_path(tmp_path, custodian):
    path = _zip(tmp_path / "WhatsApp Chat - Pad.zip", {"_chat.txt": GOOD_LINE.encode(), "../../etc/cron.d/x": b"boom"})
    _assert_failed(ingest(path, custodian, actor="t"), path, "zip.path_traversal")


def test_zip_with_absolute_path(tmp_path, custodian):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_chat.txt", GOOD_LINE)
        info = zipfile.ZipInfo("/etc/passwd")
        archive.writestr(info, b"root:x:0:0")
    path = tmp_path / "WhatsApp Chat - Absoluut.zip"
    path.write_bytes(buffer.getvalue())
    _assert_failed(ingest(path, custodian, actor="t"), path, "zip.absolute_path")


def test_line_longer_than_any_real_message(tmp_path, custodian):
    path = tmp_path / "WhatsApp-chat met Lang.txt"
    path.write_bytes(GOOD_LINE.encode() + b"02-01-2026 09:02 - Anna: " + b"a" * (1024 * 1024 + 10))
    _assert_failed(ingest(path, custodian, actor="t"), path, "whatsapp.line_too_long", line=2)


def test_a_good_file_after_a_bad_one_still_ingests(tmp_path, custodian):
    bad = tmp_path / "notulen.txt"
    bad.write_text("geen chat\n", encoding="utf-8")
    assert ingest(bad, custodian, actor="t").status == "failed"
    good = tmp_path / "WhatsApp-chat met Anna.txt"
    good.write_text(GOOD_LINE, encoding="utf-8")
    outcome = ingest(good, custodian, actor="t")
    assert outcome.status == "ingested" and outcome.counts["new"] == 1
    assert Delivery.objects.filter(status="failed").count() == 1


def test_same_original_twice_is_a_duplicate_that_changes_nothing(tmp_path, custodian):
    path = tmp_path / "WhatsApp-chat met Anna.txt"
    path.write_text(GOOD_LINE + "02-01-2026 09:03 - Bob: Hoi\n", encoding="utf-8")
    first = ingest(path, custodian, actor="t")
    before = list(Message.objects.values_list("pk", "body", "state"))
    second = ingest(path, custodian, actor="t")
    assert (first.status, second.status) == ("ingested", "duplicate")
    assert second.delivery.duplicate_of_id == first.delivery.pk
    assert second.counts["new"] == 0 and second.counts["unchanged"] == 2
    assert list(Message.objects.values_list("pk", "body", "state")) == before
