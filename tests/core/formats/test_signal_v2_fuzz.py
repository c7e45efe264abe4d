"""Fuzzing Signal backup v2: damaged plaintext frames (re-encrypted with the right key), raw bytes, metadata."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.signal import v2 as signal_v2
from chatarchief.core.model import ParseOptions
from tests.core.formats.test_signal_v2 import KEY, SNAPSHOT_A
from tests.generators.signal_v2_backup import read_plain_frames, write_main

PLAIN = read_plain_frames(SNAPSHOT_A, KEY)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "SignalBackups"
    shutil.copytree(SNAPSHOT_A.parent, root)
    for path in root.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return root / SNAPSHOT_A.name


def run(snapshot: Path, workdir: Path) -> None:
    try:
        export = signal_v2.parse(str(snapshot), ParseOptions(secret=KEY, workdir=str(workdir)))
    except FormatError:
        return
    assert export.format == "signal_v2"


def test_reencrypted_plaintext_round_trips(snapshot, tmp_path):
    write_main(snapshot, PLAIN, KEY, seed=3)
    export = signal_v2.parse(str(snapshot), ParseOptions(secret=KEY, workdir=str(tmp_path)))
    assert export.message_count == 25


mutations = st.lists(
    st.tuples(st.integers(0, len(PLAIN) - 1), st.integers(0, 255)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=mutations, cut=st.one_of(st.none(), st.integers(0, len(PLAIN))))
def test_garbled_frames_raise_only_format_error(snapshot, tmp_path, changes, cut):
    data = bytearray(PLAIN)
    for position, value in changes:
        data[position] = value
    if cut is not None:
        del data[cut:]
    write_main(snapshot, bytes(data), KEY)
    run(snapshot, tmp_path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(["main", "metadata", "files"]),
    changes=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 2400)),
)
def test_garbled_files_raise_only_format_error(snapshot, tmp_path, target, changes, cut):
    original = (SNAPSHOT_A / target).read_bytes()
    data = bytearray(original)
    for position, value in changes:
        if data:
            data[position % len(data)] = value
    if cut is not None:
        del data[cut:]
    (snapshot / target).write_bytes(bytes(data))
    try:
        run(snapshot, tmp_path)
    finally:
        (snapshot / target).write_bytes(original)
