"""Fixity (issue 19): `chatarchief verify` finds a flipped byte and a removed blob, names the delivery
or message that holds it, records the run, raises fixity_failure findings and exits non-zero."""

from __future__ import annotations

import json
import os

import pytest

from chatarchief.archive.models import Attachment, Blob, Delivery
from chatarchief.archive.services import blobs
from chatarchief.audit.models import AuditEvent
from chatarchief.cli import main
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.preservation import services
from chatarchief.preservation.models import FixityRun
from chatarchief.preservation.tasks import verify_fixity
from tests.review.helpers import custodian_with_reviewers, ingest_month

pytestmark = pytest.mark.django_db


def _flip_byte(sha256: str) -> None:
    path = blobs.store().path(sha256)
    os.chmod(path, 0o640)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _archive(tmp_path):
    custodian, _, _ = custodian_with_reviewers()
    ingest_month(custodian, tmp_path, 1)
    return custodian


def test_an_intact_store_passes_and_the_run_is_kept(tmp_path, capsys):
    _archive(tmp_path)
    blobs_total = Blob.objects.count()
    assert blobs_total >= 4  # originals and media
    assert main(["verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"checked": blobs_total, "failures": []}
    run = FixityRun.objects.get()
    assert (
        run.ok and run.checked == blobs_total and run.bytes_checked == sum(Blob.objects.values_list("size", flat=True))
    )
    last = services.last_fixity_run()
    assert last["ok"] and last["checked"] == blobs_total and last["failures"] == 0
    assert AuditEvent.objects.filter(action="preservation.fixity_checked").count() == 1


def test_a_flipped_byte_and_a_removed_blob_are_found(tmp_path, capsys):
    custodian = _archive(tmp_path)
    media = Attachment.objects.exclude(blob=None).select_related("message").first()
    original = Delivery.objects.exclude(original=None).first()
    _flip_byte(media.blob_id)
    assert blobs.store().remove(original.original_id)

    assert main(["verify", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["checked"] == Blob.objects.count()
    failures = {f["sha256"]: f for f in result["failures"]}
    assert set(failures) == {media.blob_id, original.original_id}
    assert failures[media.blob_id]["kind"] == "mismatch"
    assert failures[media.blob_id]["message_id"] == Attachment.objects.filter(blob_id=media.blob_id).first().message_id
    assert failures[original.original_id] == {
        "sha256": original.original_id,
        "kind": "missing",
        "delivery_id": original.pk,
        "message_id": None,
    }
    found = Finding.objects.filter(type=FindingType.FIXITY_FAILURE, custodian=custodian)
    assert {f.subject for f in found} == {f"blob:{media.blob_id}", f"blob:{original.original_id}"}
    assert found.get(subject=f"blob:{original.original_id}").delivery_id == original.pk
    assert found.get(subject=f"blob:{media.blob_id}").message_id == failures[media.blob_id]["message_id"]
    last = services.last_fixity_run()
    assert not last["ok"] and last["failures"] == 2

    # a second run finds the same and adds no second finding
    assert main(["verify"]) == 1
    assert "missing" in capsys.readouterr().err
    assert found.count() == 2
    assert FixityRun.objects.count() == 2


def test_sample_checks_a_share_of_the_blobs(tmp_path, capsys):
    _archive(tmp_path)
    total = Blob.objects.count()
    assert main(["verify", "--sample", "50", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["checked"] == -(-total // 2)
    assert FixityRun.objects.get().sample_percent == 50
    with pytest.raises(SystemExit) as usage:  # not a percentage: a usage error
        main(["verify", "--sample", "0"])
    assert usage.value.code == 2


def test_the_scheduled_task_runs_the_check(tmp_path, settings):
    _archive(tmp_path)
    assert settings.PERIODIC_TASKS["fixity"]["task"] == "chatarchief.preservation.tasks.verify_fixity"
    _flip_byte(Blob.objects.order_by("sha256").first().sha256)
    result = verify_fixity.enqueue().return_value
    assert result["checked"] == Blob.objects.count() and len(result["failures"]) == 1
    assert FixityRun.objects.get().actor == "system:fixity"


def test_a_file_of_a_folder_delivery_is_traced_to_its_delivery(tmp_path, capsys):
    from chatarchief.intake.receive import _store_directory

    custodian, _, _ = custodian_with_reviewers()
    folder = tmp_path / "signal-backup"
    folder.mkdir()
    (folder / "signal-2026.backup").write_bytes(b"backup bytes " * 1000)
    (folder / "README.txt").write_bytes(b"notes")
    manifest, size = _store_directory(folder)
    delivery = Delivery.objects.create(
        custodian=custodian, file_name=folder.name, sha256=manifest, size=size, original_id=manifest, format="signal_v2"
    )
    member = blobs.hash_file(folder / "README.txt")[0]
    assert blobs.store().remove(member)
    assert main(["verify", "--json"]) == 1
    (failure,) = json.loads(capsys.readouterr().out)["failures"]
    assert failure == {"sha256": member, "kind": "missing", "delivery_id": delivery.pk, "message_id": None}
    assert Finding.objects.get(type=FindingType.FIXITY_FAILURE).delivery_id == delivery.pk
