"""The integration API end to end: deliver, receipts, duplicates, failures, limits and the audit trail."""

from __future__ import annotations

import hashlib
import json

import pytest

from chatarchief.api.models import ServiceAccount
from chatarchief.archive.models import Delivery, Message
from chatarchief.audit import log
from chatarchief.audit.models import AuditEvent
from tests.api.conftest import bearer, upload, whatsapp_text, whatsapp_zip

pytestmark = pytest.mark.django_db

URL = "/api/v1/deliveries"


def deliver(client, token, data: bytes, custodian="anna-bzk", name="WhatsApp-chat met Anna.txt", **fields):
    return client.post(URL, {"custodian": custodian, "file": upload(name, data), **fields}, **bearer(token))


def test_deliver_then_read_the_receipt(world, client):
    token = world.token("mdm-bzk", ["deliver", "read_status"])
    data = whatsapp_text("Kamerbrief gaat vrijdag naar de minister").encode()
    response = deliver(client, token, data, exported_at="2026-01-03T10:00:00")
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["status"] == "ingested"
    assert receipt["format"] == "whatsapp"
    assert receipt["sha256"] == hashlib.sha256(data).hexdigest()
    assert receipt["counts"]["messages"] == 3 and receipt["counts"]["new"] == 3
    assert receipt["error"] is None
    assert receipt["exported_at"] == "2026-01-03T09:00:00Z"  # naive input: the custodian's zone (CET)
    assert list(Message.objects.filter(body__contains="Kamerbrief").values_list("body", flat=True)) == [
        "Kamerbrief gaat vrijdag naar de minister"
    ]

    status = client.get(f"{URL}/{receipt['delivery_id']}", **bearer(token))
    assert status.status_code == 200
    got = status.json()
    assert got["custodian"] == "anna-bzk" and got["delivered_by"] == "api:mdm-bzk"
    assert got["receipt"] == receipt
    delivery = Delivery.objects.get(pk=receipt["delivery_id"])
    assert delivery.delivered_by_label == "api:mdm-bzk"
    actions = list(AuditEvent.objects.filter(actor="api:mdm-bzk").values_list("action", flat=True))
    assert actions == ["delivery.received", "delivery.ingested", "api.read"]
    assert log.verify()[0]


def test_the_same_export_twice_is_a_duplicate(world, client):
    token = world.token("mdm-bzk", ["deliver", "read_status"])
    data = whatsapp_text("Twee keer hetzelfde").encode()
    first = deliver(client, token, data).json()
    second = deliver(client, token, data, name="kopie.txt")
    assert second.status_code == 201
    again = second.json()
    assert again["status"] == "duplicate"
    assert again["sha256"] == first["sha256"] and again["delivery_id"] != first["delivery_id"]
    assert again["counts"]["new"] == 0 and again["counts"]["unchanged"] == 3
    assert again["conversations"] == first["conversations"]
    assert Message.objects.count() == 3
    status = client.get(f"{URL}/{again['delivery_id']}", **bearer(token)).json()
    assert status["receipt"]["status"] == "duplicate" and status["receipt"]["conversations"] == first["conversations"]


def test_a_failed_delivery_returns_code_and_dutch_message(world, client):
    token = world.token("mdm-bzk", ["deliver", "read_status"])
    response = deliver(client, token, b"dit is geen chat-export\n" * 3, name="rommel.txt")
    assert response.status_code == 201
    receipt = response.json()
    assert receipt["status"] == "failed"
    assert receipt["error"]["code"] == "format.unknown"
    assert receipt["error"]["message"] == (
        "rommel.txt: Dit is geen bekend chat-export (WhatsApp, Signal, SMS Backup & Restore of Telegram)."
    )
    english = client.get(f"{URL}/{receipt['delivery_id']}", HTTP_ACCEPT_LANGUAGE="en", **bearer(token)).json()
    assert english["receipt"]["error"] == {
        "code": "format.unknown",
        "message": "rommel.txt: This is not a known chat export (WhatsApp, Signal, SMS Backup & Restore or Telegram).",
    }
    dutch = client.get(f"{URL}/{receipt['delivery_id']}", **bearer(token)).json()
    assert dutch["receipt"]["error"]["message"].startswith("rommel.txt: Dit is geen")


def test_media_and_zip_delivery(world, client):
    token = world.token("mdm-bzk", ["deliver"])
    media = b"\xff\xd8\xff JPEG bytes " + bytes(range(256))
    response = deliver(client, token, whatsapp_zip("Met foto", media), name="WhatsApp Chat - Anna.zip")
    receipt = response.json()
    assert receipt["status"] == "ingested", receipt
    assert receipt["counts"]["messages"] == 4


def test_passphrase_is_never_stored_or_logged(world, client):
    token = world.token("mdm-bzk", ["deliver", "read_status"])
    secret = "geheim-wachtwoord-7f3a9c"
    response = deliver(client, token, whatsapp_text("Met wachtwoord").encode(), passphrase=secret)
    assert response.status_code == 201 and response.json()["status"] == "ingested"
    dump = json.dumps(
        [list(Delivery.objects.values()), list(AuditEvent.objects.values()), list(ServiceAccount.objects.values())],
        default=str,
    )
    assert secret not in dump
    assert secret not in response.content.decode()


def test_the_token_is_only_kept_as_a_hash(world):
    token = world.token("mdm-bzk", ["deliver"])
    account = ServiceAccount.objects.get(name="mdm-bzk")
    assert token.startswith(f"ca_{account.token_prefix}_")
    assert account.token_hash == hashlib.sha256(token.encode()).hexdigest()
    dump = json.dumps([list(ServiceAccount.objects.values()), list(AuditEvent.objects.values())], default=str)
    assert token not in dump and token.split("_", 2)[2] not in dump


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ca_000000000000_wrong", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_missing_or_wrong_tokens_are_401(world, client, header):
    world.token("mdm-bzk", ["deliver", "read_status", "read_compliance"])
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/custodians", **extra)
    assert response.status_code == 401
    assert response.json()["code"] == "api.unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_right_prefix_with_a_wrong_secret_is_401(world, client):
    token = world.token("mdm-bzk", ["read_status"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert client.get("/api/v1/custodians", **bearer(forged)).status_code == 401
    assert client.get("/api/v1/custodians", **bearer(token)).status_code == 200


def test_a_deactivated_account_is_401(world, client):
    token = world.token("mdm-bzk", ["read_status"])
    ServiceAccount.objects.filter(name="mdm-bzk").update(active=False)
    assert client.get("/api/v1/custodians", **bearer(token)).status_code == 401


def test_rate_limit_per_token(world, client, settings):
    settings.API_RATE_LIMIT = "3/min"
    first = world.token("mdm-bzk", ["read_status"])
    second = world.token("mdm-bzk-2", ["read_status"])
    codes = [client.get("/api/v1/custodians", **bearer(first)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    limited = client.get("/api/v1/custodians", **bearer(first))
    assert limited.json()["code"] == "api.rate_limited" and 0 < int(limited["Retry-After"]) <= 60
    assert client.get("/api/v1/custodians", **bearer(second)).status_code == 200  # its own budget


def test_upload_size_limit_is_413_and_keeps_nothing(world, client, settings):
    settings.API_MAX_UPLOAD_SIZE = 1000
    token = world.token("mdm-bzk", ["deliver"])
    response = deliver(client, token, whatsapp_text("x" * 2000).encode())
    assert response.status_code == 413
    assert response.json()["code"] == "api.too_large"
    assert Delivery.objects.count() == 0


def test_unknown_custodian_field_is_404_and_missing_file_is_422(world, client):
    token = world.token("mdm-bzk", ["deliver"])
    assert deliver(client, token, b"x", custodian="bestaat-niet").status_code == 404
    response = client.post(URL, {"custodian": "anna-bzk", "passphrase": "geheim-1234"}, **bearer(token))
    assert response.status_code == 422
    assert "geheim-1234" not in response.content.decode()


def test_custodian_list_is_scoped_and_metadata_only(world, client):
    token = world.token("mdm-bzk", ["read_compliance"])
    rows = client.get("/api/v1/custodians", **bearer(token)).json()
    assert rows == [
        {
            "slug": "anna-bzk",
            "name": "Anna de Vries",
            "function": "",
            "category": "sleutelfunctionaris",
            "organisation": "BZK",
        }
    ]


def test_compliance_shows_findings_without_message_bodies(world, client):
    token = world.token("mdm-bzk", ["deliver", "read_compliance"])
    unique = "Zeer vertrouwelijke tekst 4242"
    deliver(client, token, whatsapp_text(unique).encode(), exported_at="2026-01-03T10:00:00+01:00")
    later = (
        "02-01-2026 09:00 - Berichten en gesprekken worden end-to-end versleuteld.\n"
        "02-01-2026 09:01 - Anna: Dit bericht is verwijderd\n"
        "02-01-2026 09:03 - Bert: Prima, tot morgen\n"
    )
    deliver(
        client, token, later.encode(), name="WhatsApp-chat met Anna (2).txt", exported_at="2026-01-10T10:00:00+01:00"
    )
    response = client.get("/api/v1/custodians/anna-bzk/compliance", **bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["custodian"] == "anna-bzk" and body["cadence_days"] == 31
    assert body["last_secured_at"].startswith("2026-01-10T09:00:00")
    assert body["overdue"] is True  # nothing secured in the last 31 days (today is later than January 2026)
    types = sorted(f["type"] for f in body["open_findings"])
    assert "message_deleted" in types and "delivery_overdue" in types
    assert unique not in response.content.decode()
    assert AuditEvent.objects.filter(actor="api:mdm-bzk", action="api.read", details__what="compliance").count() == 1
