"""Fuzzing the Signal-Android parser with damaged copies of the fixtures: only FormatError may escape.

The seeds are the shared fixtures, or without ../shared the generated account of the same shape."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.signal import android as signal_android
from chatarchief.core.formats.signal import android_frames as _signal_android_crypto
from chatarchief.core.model import ParseOptions
from tests.generators.signal_android import small_account_rows, write_small_backup
from tests.paths import HAVE_SHARED, SHARED_FIXTURES

PASSPHRASE = "123451234512345123451234512345"


def _seeds() -> list[bytes]:
    """The shared fixtures (header v1, v0) when ../shared is there, else the generated small account
    without its edit: seven message rows, and a row never gives more than one message, so a damaged
    copy gives at most seven (with the edit pair, damage to the link could give eight)."""
    if HAVE_SHARED:
        names = ("signal-2024-06-01-12-00-00.backup", "signal-2019-01-01-12-00-00_v0.backup")
        return [(SHARED_FIXTURES / "signal-android" / name).read_bytes() for name in names]
    with tempfile.TemporaryDirectory() as folder:
        rows = small_account_rows(edited=False)
        return [write_small_backup(Path(folder) / f"v{v}.backup", version=v, rows=rows).read_bytes() for v in (1, 0)]


FIXTURES = _seeds()


@pytest.fixture(autouse=True)
def _cached_key(monkeypatch):
    """The 250,000-round KDF costs 0.2 s; reader and writer reuse few salts, so cache it per salt."""
    from tests.generators import signal_android as writer_module

    cached = functools.lru_cache(maxsize=64)(_signal_android_crypto.legacy_backup_key)
    monkeypatch.setattr(_signal_android_crypto, "legacy_backup_key", cached)
    monkeypatch.setattr(writer_module, "backup_key", cached)


mutation = st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=255))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.sampled_from([0, 1]),
    flips=st.lists(mutation, max_size=4),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
    extra=st.binary(max_size=64),
)
def test_damaged_fixture_raises_only_format_error(which, flips, cut, extra):
    data = bytearray(FIXTURES[which])
    for offset, xor in flips:
        data[offset % len(data)] ^= xor
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    data += extra
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/signal-2024-06-01-12-00-00.backup"
        with open(path, "wb") as handle:
            handle.write(bytes(data))
        assert signal_android.detect(path) in (True, False)
        try:
            export = signal_android.parse(path, ParseOptions(secret=PASSPHRASE, workdir=folder, source_name="x.backup"))
        except FormatError as error:
            assert error.code.startswith("signal.")
            assert PASSPHRASE not in error.message("nl") + error.message("en")
        else:
            assert export.format == "signal_android"


def _plain_frames(data: bytes) -> list[tuple[bytes, bytes | None]]:
    """The fixture's frames as (plaintext, blob) pairs, read with the real reader."""
    import io

    stream = io.BytesIO(data)
    header = _signal_android_crypto.read_header(stream)
    reader = _signal_android_crypto.BackupReader(stream, header, PASSPHRASE, "x", len(data))
    frames: list[tuple[bytes, bytes | None]] = []
    while True:
        frame = reader.next_frame()
        blob = None
        if frame.HasField("attachment"):
            parts: list[bytes] = []
            reader.read_blob(frame.attachment.length, parts.append)
            blob = b"".join(parts)
        frames.append((frame.SerializeToString(), blob))
        if frame.end:
            return frames


PLAIN = _plain_frames(FIXTURES[0])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(PLAIN) - 1), st.integers(0, 1000), st.integers(1, 255)),
        max_size=3,
    ),
    drop=st.one_of(st.none(), st.integers(min_value=0, max_value=len(PLAIN) - 1)),
)
def test_damaged_plaintext_with_valid_macs_raises_only_format_error(flips, drop):
    """Damage inside correctly encrypted frames: protobuf, SQL and mapping must cope, not crash."""
    import io

    from tests.generators.signal_android import BackupWriter

    frames = [bytearray(plain) for plain, _blob in PLAIN]
    for index, offset, xor in flips:
        if frames[index]:
            frames[index][offset % len(frames[index])] ^= xor
    stream = io.BytesIO()
    writer = BackupWriter(stream, PASSPHRASE, version=1, seed=0)
    for position, (plain, (_original, blob)) in enumerate(zip(frames, PLAIN, strict=True)):
        if position == drop:
            continue
        writer.frame_bytes(bytes(plain))
        if blob is not None:
            writer.blob([blob])
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/signal-2024-06-01-12-00-00.backup"
        with open(path, "wb") as handle:
            handle.write(stream.getvalue())
        try:
            export = signal_android.parse(path, ParseOptions(secret=PASSPHRASE, workdir=folder, source_name="x.backup"))
        except FormatError as error:
            assert error.code.startswith("signal.")
        else:
            assert export.message_count <= 7
