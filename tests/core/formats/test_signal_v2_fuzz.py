"""Fuzzing Signal backup v2: damaged plaintext frames (re-encrypted with the right key), raw bytes, metadata.

The seed is the generated week of backups (tests/generators/signal_v2_backup.py), so the fuzzing runs
with or without ../shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.signal import v2 as signal_v2
from chatarchief.core.model import ParseOptions
from tests.generators import signal_v2_backup as gen
from tests.generators.signal_v2_backup import write_main

KEY = gen.RECOVERY_KEY
PLAIN = gen.plain_frames(gen.week_items("A"), gen.TIME_A)


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    """The untouched generated snapshot A."""
    return gen.write_week(tmp_path_factory.mktemp("seed") / "SignalBackups") / gen.SNAPSHOT_A


@pytest.fixture(scope="module")
def snapshot(original, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "SignalBackups"
    shutil.copytree(original.parent, root)
    return root / gen.SNAPSHOT_A


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
def test_garbled_files_raise_only_format_error(original, snapshot, tmp_path, target, changes, cut):
    seed = (original / target).read_bytes()
    data = bytearray(seed)
    for position, value in changes:
        if data:
            data[position % len(data)] = value
    if cut is not None:
        del data[cut:]
    (snapshot / target).write_bytes(bytes(data))
    try:
        run(snapshot, tmp_path)
    finally:
        (snapshot / target).write_bytes(seed)
