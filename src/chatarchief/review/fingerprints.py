"""Keyed fingerprints of what was excluded: a conversation's identity and a message's identity.

A plain hash of a short message or a chat name could be confirmed by guessing ("Hoi schat"), so
the fingerprints are HMAC-SHA256 under the installation's blob-name key (archive.services.blob_names:
made once, never changed, re-wrapped on a key rotation). They let the ingest recognise excluded
conversations and messages without keeping anything of their content.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from chatarchief.archive.services import blobs

_PURPOSE = b"chatarchief review exclusion fingerprint\x00"


def _key() -> bytes:
    return blobs.store().namer().key


def fingerprint(*parts: object) -> str:
    data = "\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")
    return hmac.new(_key(), _PURPOSE + data, hashlib.sha256).hexdigest()


def conversation_fingerprint(custodian_id: int, channel: str, key: str) -> str:
    """The identity of a conversation as the loader knows it (custodian, channel, key; key cut at 300
    characters as stored)."""
    return fingerprint("conversation", custodian_id, channel, key[:300])


def message_fingerprints(match_key: str, native_id: str | None) -> list[str]:
    """A message's identity: its match key (sender, minute, digest, occurrence), and its source id."""
    found = [fingerprint("message", match_key)]
    if native_id:
        found.append(fingerprint("native", native_id))
    return found


def many(match_keys: Iterable[str]) -> list[str]:
    key = _key()
    return [
        hmac.new(key, _PURPOSE + f"message\x1f{m}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        for m in match_keys
    ]
