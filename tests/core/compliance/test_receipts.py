"""Receipts: the detached Ed25519 signature (verify, tamper) and the "what changed" sentences."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chatarchief.core.compliance.errors import ComplianceError
from chatarchief.core.compliance.receipts import BREACH, ReceiptFacts, uncovered_periods, what_changed
from chatarchief.core.compliance.signing import (
    generate_private_key_pem,
    key_id,
    load_private_key,
    public_key_pem,
    sign_receipt,
    verify_receipt,
)
from chatarchief.core.compliance.status import FindingFact

UTC = dt.UTC
PDF = b"%PDF-1.7\n% a receipt\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
SIGNED_AT = dt.datetime(2025, 3, 4, 10, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def key_pem() -> bytes:
    return generate_private_key_pem()


def test_sign_and_verify(key_pem):
    signature = sign_receipt(PDF, key_pem, signed_at=SIGNED_AT)
    fields = json.loads(signature)
    assert fields["algorithm"] == "Ed25519" and fields["signed_at"] == "2025-03-04T10:15:00+00:00"
    assert fields["key_id"] == key_id(load_private_key(key_pem).public_key())
    assert "PRIVATE" not in signature.decode()
    found = verify_receipt(PDF, signature, public_key_pem(key_pem))
    assert found.ok and found.code == "ok" and "klopt" in found.message("nl")


def test_a_changed_pdf_is_found(key_pem):
    signature = sign_receipt(PDF, key_pem, signed_at=SIGNED_AT)
    found = verify_receipt(PDF.replace(b"receipt", b"Receipt"), signature, public_key_pem(key_pem))
    assert (found.ok, found.code) == (False, "digest_mismatch")
    assert found.message("en") == "The PDF was changed after it was signed."


@pytest.mark.parametrize("field", ["sha256", "signed_at"])
def test_a_changed_signature_file_is_found(key_pem, field):
    fields = json.loads(sign_receipt(PDF, key_pem, signed_at=SIGNED_AT))
    fields[field] = "0" * 64 if field == "sha256" else "2020-01-01T00:00:00+00:00"
    assert verify_receipt(PDF, json.dumps(fields), public_key_pem(key_pem)).code == "bad_signature"


def test_a_flipped_signature_bit_is_found(key_pem):
    fields = json.loads(sign_receipt(PDF, key_pem, signed_at=SIGNED_AT))
    raw = bytearray(base64.b64decode(fields["signature"]))
    raw[0] ^= 1
    fields["signature"] = base64.b64encode(bytes(raw)).decode()
    assert verify_receipt(PDF, json.dumps(fields), public_key_pem(key_pem)).code == "bad_signature"


def test_another_key_is_unknown_and_a_key_ring_finds_the_right_one(key_pem):
    other = generate_private_key_pem()
    signature = sign_receipt(PDF, key_pem, signed_at=SIGNED_AT)
    assert verify_receipt(PDF, signature, public_key_pem(other)).code == "unknown_key"
    ring = {"old": public_key_pem(other), "current": public_key_pem(key_pem)}
    assert verify_receipt(PDF, signature, ring).ok


@pytest.mark.parametrize(
    "garbage", [b"", b"not json", b"[]", b'{"format": "x"}', b'{"format": "chatarchief-receipt-signature/1"}']
)
def test_garbage_is_malformed(key_pem, garbage):
    assert verify_receipt(PDF, garbage, public_key_pem(key_pem)).code == "malformed"


def test_keys_as_raw_bytes_or_base64():
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signature = sign_receipt(PDF, base64.b64encode(raw).decode(), signed_at=SIGNED_AT)
    assert verify_receipt(PDF, signature, public_raw).ok
    assert sign_receipt(PDF, raw, signed_at=SIGNED_AT) == signature  # Ed25519 is deterministic
    with pytest.raises(ComplianceError) as caught:
        sign_receipt(PDF, b"too short", signed_at=SIGNED_AT)
    assert caught.value.code == "signing.bad_key"


# ---------------------------------------------------------------- what changed

PREVIOUS = dt.datetime(2025, 2, 1, 10, tzinfo=UTC)


def test_first_delivery():
    (line,) = what_changed(ReceiptFacts({"messages": 120, "new": 120}))
    assert line.code == "first_delivery"
    assert line.sentence("nl")[0] == "Eerste aanlevering van deze chats: 120 berichten veiliggesteld."


def test_nothing_changed():
    lines = what_changed(ReceiptFacts({"messages": 130, "new": 1, "unchanged": 129}, previous_at=PREVIOUS))
    assert [line.code for line in lines] == ["new_messages", "nothing_changed"]
    assert lines[0].sentence("nl")[0] == "1 nieuw bericht sinds de vorige aanlevering van 1 februari 2025."
    assert lines[0].sentence("en")[0] == "1 new message since the previous delivery of 1 February 2025."


def test_every_change_with_who_did_it_and_what_to_do():
    findings = [
        FindingFact("message_deleted", "custodian"),
        FindingFact("message_deleted", "other"),
        FindingFact("message_deleted", "other"),
        FindingFact("message_edited", "other"),
        FindingFact("view_once", "unknown"),
        FindingFact("disappearing_enabled", "custodian"),
        FindingFact("disappearing_disabled", "custodian"),
        FindingFact("sms_used", "unknown"),
    ]
    hole = (dt.datetime(2025, 2, 1, tzinfo=UTC), dt.datetime(2025, 2, 20, tzinfo=UTC))
    facts = ReceiptFacts({"messages": 140, "new": 10, "missing": 2}, findings, [hole], PREVIOUS)
    lines = what_changed(facts)
    codes = [line.code for line in lines]
    assert codes[0] == "new_messages"
    assert set(codes[1:3]) == {"message_deleted", "disappearing_enabled"}  # the custodian's own breaches first
    assert all(line.severity == BREACH for line in lines[1:3])
    assert set(codes) == {"new_messages", "message_deleted", "message_edited", "view_once", "disappearing_enabled",
                          "disappearing_disabled", "message_missing", "period_not_covered", "sms_used"}  # fmt: skip
    text = {line.code: line.sentence("nl") for line in lines}
    assert text["message_deleted"][0] == "3 berichten verwijderd (1 door de functionaris, 2 door anderen)."
    assert text["message_deleted"][1].startswith("Verwijder geen zakelijke berichten.")
    assert text["message_edited"][0] == "1 bericht bewerkt (1 door anderen)."
    assert text["view_once"][0] == "1 keer 'eenmalig bekijken' gebruikt (1 door onbekend)."
    assert text["message_missing"][0] == "2 eerder aangeleverde berichten ontbreken in deze export."
    assert (
        text["period_not_covered"][0] == "Van 1 februari 2025 tot 20 februari 2025 is niet gedekt door een aanlevering."
    )
    english = {line.code: line.sentence("en")[0] for line in lines}
    assert english["disappearing_enabled"] == "Disappearing messages switched on 1 time (1 by the custodian)."
    assert all(line.text["nl"] != line.text["en"] for line in lines)


def test_uncovered_periods_between_spans():
    day = dt.timedelta(days=1)
    t = dt.datetime(2025, 1, 1, tzinfo=UTC)
    spans = [
        (t, t + 10 * day),
        (t + 5 * day, t + 12 * day),
        (t + 30 * day, t + 40 * day),
        (t + 40 * day + dt.timedelta(hours=2), t + 50 * day),
    ]
    assert uncovered_periods(spans) == [(t + 12 * day, t + 30 * day)]
    assert uncovered_periods([]) == []
