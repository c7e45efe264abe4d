"""The S3 blob backend against an S3-compatible server (moto's server mode on loopback, spoken to
over HTTP by boto3 through django-storages: no mocked client), and a queued ingest whose original
and media live in that bucket."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chatarchief.archive.models import Blob, Delivery
from chatarchief.archive.services import blob_crypto, blob_names, blobs, gc, registry
from chatarchief.archive.services.blob_keys import Keyring, LocalKeyProvider
from tests.scale.exports import export

BUCKET = "chatarchief-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _storage(url: str, bucket: str):
    import boto3
    from storages.backends.s3 import S3Storage

    options = {
        "endpoint_url": url,
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "region_name": "eu-west-1",
    }
    client = boto3.client("s3", **options)
    if bucket not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return S3Storage(
        bucket_name=bucket,
        endpoint_url=url,
        access_key="test",
        secret_key="test",
        region_name="eu-west-1",
        file_overwrite=True,
    ), client


def test_s3_store_keeps_ciphertext_under_keyed_names_and_reads_it_back(s3_server):
    storage, client = _storage(s3_server, BUCKET + "-plain")
    keyring = Keyring(LocalKeyProvider(os.urandom(32)))
    namer = blob_names.Namer.random()
    store = blobs.S3BlobStore(storage, keys=lambda: keyring, names=lambda: namer)
    data = b"bericht voor de objectopslag " * 50_000  # more than one encryption segment
    sha256, size = store.put_stream(io.BytesIO(data))
    assert (sha256, size) == (hashlib.sha256(data).hexdigest(), len(data))
    raw = client.get_object(Bucket=BUCKET + "-plain", Key=namer.name(sha256))["Body"].read()
    assert raw.startswith(blob_crypto.MAGIC) and b"objectopslag" not in raw
    assert store.exists(sha256) and list(store.stored()) == [namer.name(sha256)]
    with store.open(sha256) as handle:
        assert handle.read() == data
    assert store.put_stream(io.BytesIO(data)) == (sha256, size)  # write-once: nothing new
    assert store.remove(sha256) and not store.exists(sha256) and list(store.stored()) == []


@pytest.mark.django_db
@pytest.mark.queue
def test_a_queued_ingest_keeps_its_original_and_media_in_the_bucket_and_gc_leaves_them(
    s3_server, monkeypatch, tmp_path
):
    storage, client = _storage(s3_server, BUCKET)
    store = blobs.S3BlobStore(storage)
    monkeypatch.setattr(blobs, "store", lambda: store)
    from chatarchief.intake import queue
    from chatarchief.intake.worker import run_worker

    registry.add_organisation("BZK", "Binnenlandse Zaken", actor="test")
    custodian = registry.add_custodian("minister-bzk", name="Minister", actor="test", organisation="BZK")
    outcome = queue.submit(export(tmp_path, "WhatsApp Chat - Overleg.zip", 30, media_every=10), custodian, actor="test")
    assert outcome.delivery.status == "queued"
    run_worker(burst=True)
    delivery = Delivery.objects.get(pk=outcome.delivery.pk)
    assert delivery.status == "ingested"
    keys = {obj["Key"] for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    names = {store.namer().name(sha) for sha in Blob.objects.values_list("sha256", flat=True)}
    assert len(names) == 4 and names <= keys  # the original and three photos
    report = gc.collect(grace=dt.timedelta(0))
    assert report["removed"] == [] and report["kept"] == 4
