"""A detached Ed25519 signature of a receipt PDF, so a custodian can later prove what they handed in.

The signature file is JSON:

    {"format": "chatarchief-receipt-signature/1", "algorithm": "Ed25519", "key_id": "ed25519:…",
     "sha256": "<hex of the PDF>", "signed_at": "<ISO 8601 UTC>", "signature": "<base64>"}

The signature covers the canonical JSON (sorted keys, no spaces, UTF-8) of every field except
`signature`, so neither the PDF's digest nor the signing time can be changed unnoticed. `key_id` is
"ed25519:" and the first 16 hex digits of the SHA-256 of the raw public key. The private key comes
from settings (raw 32 bytes, base64 of them, or PKCS#8 PEM); it is never written into the file.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from chatarchief.core.compliance.errors import ComplianceError

FORMAT = "chatarchief-receipt-signature/1"
ALGORITHM = "Ed25519"
SIGNED_FIELDS = ("format", "algorithm", "key_id", "sha256", "signed_at")


def _key_error() -> ComplianceError:
    return ComplianceError(
        "signing.bad_key",
        nl="De ondertekeningssleutel is onbruikbaar: verwacht Ed25519 (32 bytes, base64 of PEM).",
        en="The signing key is unusable: expected Ed25519 (32 bytes, base64 or PEM).",
    )


def _material(material: bytes | str) -> bytes:
    return material.encode("ascii", errors="replace") if isinstance(material, str) else material


def _raw_or_base64(data: bytes) -> bytes | None:
    if len(data) == 32:
        return data
    try:
        decoded = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if len(decoded) == 32 else None


def load_private_key(material: bytes | str) -> Ed25519PrivateKey:
    data = _material(material)
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
            if isinstance(key, Ed25519PrivateKey):
                return key
            raise _key_error()
        raw = _raw_or_base64(data)
        if raw is not None:
            return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, TypeError):
        pass
    raise _key_error()


def load_public_key(material: bytes | str) -> Ed25519PublicKey:
    data = _material(material)
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
            if isinstance(key, Ed25519PublicKey):
                return key
            raise _key_error()
        raw = _raw_or_base64(data)
        if raw is not None:
            return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError):
        pass
    raise _key_error()


def generate_private_key_pem() -> bytes:
    """A new private key as PKCS#8 PEM (for settings; keep it out of the database)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(private_key: bytes | str) -> bytes:
    return (
        load_private_key(private_key)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def _canonical(fields: Mapping[str, Any]) -> bytes:
    return json.dumps({k: fields[k] for k in SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_receipt(pdf: bytes, private_key: bytes | str, *, signed_at: dt.datetime) -> bytes:
    """The detached signature file (JSON bytes) of `pdf`."""
    key = load_private_key(private_key)
    fields: dict[str, Any] = {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "key_id": key_id(key.public_key()),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "signed_at": signed_at.astimezone(dt.UTC).isoformat(),
    }
    fields["signature"] = base64.b64encode(key.sign(_canonical(fields))).decode("ascii")
    return (json.dumps(fields, indent=2) + "\n").encode("utf-8")


MESSAGES = {
    "ok": (
        "De handtekening klopt: dit is het ontvangstbewijs zoals chatarchief het heeft ondertekend.",
        "The signature is valid: this is the receipt as chatarchief signed it.",
    ),
    "malformed": (
        "Het handtekeningbestand is onleesbaar of onvolledig.",
        "The signature file is unreadable or incomplete.",
    ),
    "unknown_key": (
        "De handtekening is gezet met een sleutel die hier niet bekend is.",
        "The signature was made with a key that is not known here.",
    ),
    "digest_mismatch": (
        "Het PDF-bestand is gewijzigd na het ondertekenen.",
        "The PDF was changed after it was signed.",
    ),
    "bad_signature": (
        "De handtekening klopt niet: het handtekeningbestand is gewijzigd of vals.",
        "The signature does not match: the signature file was changed or forged.",
    ),
}


@dataclass(frozen=True)
class Verification:
    ok: bool
    code: str  # ok | malformed | unknown_key | digest_mismatch | bad_signature
    key_id: str | None = None
    sha256: str | None = None
    signed_at: str | None = None

    def message(self, lang: str = "nl") -> str:
        nl, en = MESSAGES[self.code]
        return nl if lang.startswith("nl") else en

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        return {
            "ok": self.ok,
            "code": self.code,
            "key_id": self.key_id,
            "sha256": self.sha256,
            "signed_at": self.signed_at,
            "message": self.message(lang),
        }


def verify_receipt(
    pdf: bytes, signature_file: bytes | str, public_keys: Mapping[str, bytes | str] | bytes | str
) -> Verification:
    """Check a receipt PDF against its signature file. `public_keys`: one key, or key id -> key."""
    try:
        fields = json.loads(signature_file)
        if not isinstance(fields, dict) or fields.get("format") != FORMAT or fields.get("algorithm") != ALGORITHM:
            return Verification(False, "malformed")
        if not all(isinstance(fields.get(k), str) for k in (*SIGNED_FIELDS, "signature")):
            return Verification(False, "malformed")
        signature = base64.b64decode(fields["signature"], validate=True)
    except (ValueError, TypeError, binascii.Error):
        return Verification(False, "malformed")
    found = Verification(False, "ok", fields["key_id"], fields["sha256"], fields["signed_at"])
    key = _public_key_for(fields["key_id"], public_keys)
    if key is None:
        return _with(found, "unknown_key")
    try:
        key.verify(signature, _canonical(fields))
    except InvalidSignature:
        return _with(found, "bad_signature")
    if hashlib.sha256(pdf).hexdigest() != fields["sha256"]:
        return _with(found, "digest_mismatch")
    return Verification(True, "ok", found.key_id, found.sha256, found.signed_at)


def _with(found: Verification, code: str) -> Verification:
    return Verification(False, code, found.key_id, found.sha256, found.signed_at)


def _public_key_for(wanted: str, public_keys: Mapping[str, bytes | str] | bytes | str) -> Ed25519PublicKey | None:
    candidates = [public_keys] if isinstance(public_keys, bytes | str) else list(public_keys.values())
    for material in candidates:
        key = load_public_key(material)
        if key_id(key) == wanted:
            return key
    return None
