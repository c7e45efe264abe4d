"""Master keys for the blob store: who wraps a blob's data key, and who can unwrap it again.

Every blob has its own random data key; a `KeyProvider` wraps it (AES key wrap, RFC 3394, under a
local 256-bit master key, or a KMS). The provider's `key_id` is written in the blob's header, so
several master keys can be in use at once while `chatarchief keys rotate` re-wraps old blobs.

Configuration (settings, read from the environment):
- `CHATARCHIEF_MASTER_KEY`: base64 of 32 bytes, the key new blobs are wrapped under.
- `CHATARCHIEF_PREVIOUS_MASTER_KEYS`: comma-separated older keys, used only to unwrap.
- without either (development only): a key file under the data directory, created on first use;
  its first line is the current key, further lines are previous keys.
- `CHATARCHIEF_KEY_PROVIDER`: `local` (default), `aws-kms` (with `CHATARCHIEF_KMS_KEY_ID`), or
  `package.module:factory` returning a KeyProvider (or a list, current first).

Rotating in production: `openssl rand -base64 32 > new.key`; deploy every process with
CHATARCHIEF_MASTER_KEY=<new> and CHATARCHIEF_PREVIOUS_MASTER_KEYS=<old> (new blobs use the new key,
old ones stay readable); run `chatarchief keys rotate --new-key-file new.key` (safe to run again);
then drop the old key. With the development key file, `keys rotate` updates the file itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.conf import settings

from chatarchief.core.errors import ChatarchiefError

KEY_BYTES = 32


class MasterKeyError(ChatarchiefError):
    """A master key is missing, malformed or does not fit a blob."""


class KeyProvider(Protocol):
    """Wraps and unwraps data keys. `key_id` is stored in every blob header it wraps."""

    key_id: str

    def wrap(self, data_key: bytes) -> bytes: ...
    def unwrap(self, wrapped: bytes) -> bytes: ...


def _unwrap_failed(key_id: str) -> MasterKeyError:
    return MasterKeyError(
        "blob.key_unwrap_failed",
        nl=f"De gegevenssleutel van een opgeslagen bestand kon niet worden uitgepakt met hoofdsleutel {key_id} "
        "(verkeerde sleutel of beschadigde kop).",
        en=f"The data key of a stored file could not be unwrapped with master key {key_id} "
        "(wrong key or damaged header).",
    )


class LocalKeyProvider:
    """A 256-bit master key held by this process (environment or key file); AES key wrap (RFC 3394)."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise ValueError("a master key is 32 bytes")
        self._key = master_key
        fingerprint = hashlib.sha256(b"chatarchief master key id\x00" + master_key).hexdigest()[:16]
        self.key_id = f"local:{fingerprint}"

    def wrap(self, data_key: bytes) -> bytes:
        return aes_key_wrap(self._key, data_key)

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self._key, wrapped)
        except (InvalidUnwrap, ValueError):
            raise _unwrap_failed(self.key_id) from None

    def __repr__(self) -> str:  # never show the key
        return f"LocalKeyProvider({self.key_id})"


class AwsKmsKeyProvider:
    """AWS KMS (or a KMS with the same API): the data key is encrypted by the KMS, never seen by us."""

    def __init__(self, kms_key_id: str, client: Any = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("kms")
        self._client = client
        self._kms_key_id = kms_key_id
        self.key_id = f"aws-kms:{kms_key_id}"[:255]

    def wrap(self, data_key: bytes) -> bytes:
        return bytes(self._client.encrypt(KeyId=self._kms_key_id, Plaintext=data_key)["CiphertextBlob"])

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return bytes(self._client.decrypt(KeyId=self._kms_key_id, CiphertextBlob=wrapped)["Plaintext"])
        except Exception:
            raise _unwrap_failed(self.key_id) from None


@dataclass
class Keyring:
    """The provider new blobs are wrapped under, and every provider that may unwrap."""

    current: KeyProvider
    others: dict[str, KeyProvider] = field(default_factory=dict)

    def provider(self, key_id: str) -> KeyProvider:
        if key_id == self.current.key_id:
            return self.current
        if key_id in self.others:
            return self.others[key_id]
        raise MasterKeyError(
            "blob.unknown_key",
            nl=f"Een opgeslagen bestand is versleuteld met hoofdsleutel {key_id}, maar die sleutel is niet "
            "ingesteld (CHATARCHIEF_MASTER_KEY / CHATARCHIEF_PREVIOUS_MASTER_KEYS).",
            en=f"A stored file is encrypted under master key {key_id}, but that key is not configured "
            "(CHATARCHIEF_MASTER_KEY / CHATARCHIEF_PREVIOUS_MASTER_KEYS).",
        )

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        return self.provider(key_id).unwrap(wrapped)

    def rotated_to(self, new: KeyProvider) -> Keyring:
        """A keyring wrapping under `new` that still unwraps with every key this one knows."""
        others = dict(self.others)
        others[self.current.key_id] = self.current
        others.pop(new.key_id, None)
        return Keyring(new, others)


def decode_key(text: str, source: str = "CHATARCHIEF_MASTER_KEY") -> bytes:
    """A master key from its base64 text (standard or URL-safe alphabet)."""
    cleaned = text.strip()
    try:
        raw = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise MasterKeyError(
            "keys.bad_master_key",
            nl=f"De hoofdsleutel in {source} is geen base64-tekst van 32 bytes.",
            en=f"The master key in {source} is not base64 text of 32 bytes.",
        )
    return raw


def generate_key_text() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def read_key_file(path: str | os.PathLike[str]) -> list[bytes]:
    """Keys in a key file: one base64 key per line, the current one first; `#` starts a comment."""
    try:
        lines = Path(path).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MasterKeyError(
            "keys.unreadable_key_file",
            nl=f"Het sleutelbestand {path} kan niet worden gelezen ({exc.__class__.__name__}).",
            en=f"The key file {path} cannot be read ({exc.__class__.__name__}).",
        ) from None
    keys = [decode_key(line, str(path)) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not keys:
        raise MasterKeyError(
            "keys.empty_key_file",
            nl=f"Het sleutelbestand {path} bevat geen sleutel.",
            en=f"The key file {path} holds no key.",
        )
    return keys


def write_key_file(path: str | os.PathLike[str], keys: Iterable[bytes]) -> None:
    """Replace a key file atomically (mode 0600)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = "# chatarchief master keys: current first, then previous ones (unwrap only)\n"
    text += "".join(base64.b64encode(k).decode("ascii") + "\n" for k in keys)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".master-key-")
    with os.fdopen(fd, "w", encoding="ascii") as sink:
        sink.write(text)
        sink.flush()
        os.fsync(sink.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)


def ensure_dev_key_file(path: str | os.PathLike[str]) -> list[bytes]:
    """The development key file, created with a fresh key on first use (race-free between processes)."""
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".master-key-")
        with os.fdopen(fd, "w", encoding="ascii") as sink:
            sink.write("# chatarchief development master key (set CHATARCHIEF_MASTER_KEY in production)\n")
            sink.write(generate_key_text() + "\n")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, target)  # fails if another process was first: then theirs is used
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return read_key_file(target)


def _import_factory(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


@lru_cache(maxsize=8)
def _build(provider: str, master: str, previous: tuple[str, ...], key_file: str, kms_key_id: str) -> Keyring:
    extra = [LocalKeyProvider(decode_key(text, "CHATARCHIEF_PREVIOUS_MASTER_KEYS")) for text in previous]
    if provider == "aws-kms":
        chain: list[KeyProvider] = [AwsKmsKeyProvider(kms_key_id)]
    elif ":" in provider:
        made = _import_factory(provider)()
        chain = list(made) if isinstance(made, list | tuple) else [made]
    elif master:
        chain = [LocalKeyProvider(decode_key(master))]
    else:
        chain = [LocalKeyProvider(k) for k in ensure_dev_key_file(key_file)]
    chain += extra
    return Keyring(chain[0], {p.key_id: p for p in chain[1:] if p.key_id != chain[0].key_id})


def keyring() -> Keyring:
    """The keyring the settings describe (cached per configuration)."""
    return _build(
        getattr(settings, "BLOB_KEY_PROVIDER", "local") or "local",
        getattr(settings, "BLOB_MASTER_KEY", "") or "",
        tuple(getattr(settings, "BLOB_PREVIOUS_MASTER_KEYS", ()) or ()),
        str(getattr(settings, "BLOB_KEY_FILE", Path(settings.DATA_DIR) / "master.key")),
        getattr(settings, "BLOB_KMS_KEY_ID", "") or "",
    )


def reset() -> None:
    """Forget cached keyrings (after a key file changed)."""
    _build.cache_clear()


def key_file_in_use() -> Path | None:
    """The key file the keyring came from, if it came from one (development set-up)."""
    if (getattr(settings, "BLOB_KEY_PROVIDER", "local") or "local") != "local" or getattr(
        settings, "BLOB_MASTER_KEY", ""
    ):
        return None
    return Path(str(getattr(settings, "BLOB_KEY_FILE", Path(settings.DATA_DIR) / "master.key")))


def promote_in_key_file(new: bytes) -> Path | None:
    """Before a rotation with the development key file: make `new` its current key and keep the
    others for unwrapping (so a rotation cut short leaves every blob readable). None: no key file."""
    path = key_file_in_use()
    if path is None:
        return None
    old = read_key_file(path) if path.exists() else []
    write_key_file(path, [new, *[k for k in old if k != new]])
    reset()
    return path
