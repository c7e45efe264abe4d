"""Fuzzing the SMS Backup & Restore parser: mutated and truncated fixture bytes give only FormatError.

Seeds: a generated backup with SMS and MMS (tests/generators/sms.py), plus the peer fixtures when
../shared is there."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.sms import backup_restore as sms
from chatarchief.core.model import ParseOptions
from tests.generators.sms import write_sms_backup
from tests.paths import HAVE_SHARED, PEER

FIXTURES = PEER / "sms-backup-restore-parser" / "tests" / "fixtures"


def _seeds() -> list[bytes]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sms.xml"
        write_sms_backup(path, messages=12, contacts=3, mms_every=4, media_bytes=48, seed=2)
        seeds = [path.read_bytes()]
    if HAVE_SHARED:
        seeds += [(FIXTURES / name).read_bytes() for name in ("minimal_mms.xml", "mixed.xml", "edge_cases.xml")]
    return seeds


SEEDS = _seeds()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip":
            data[position] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "insert":
            data[position:position] = draw(
                st.sampled_from(
                    [b'"', b"<", b"null", b"~", b"&amp;", b'data="@@"', b"\xff\xfe", b'date="-5"', b"</mms>"]
                )
            )
        else:
            del data[position:]
        if not data:
            data = bytearray(b"<")
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated())
def test_mutated_fixtures_raise_only_format_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.xml"
    path.write_bytes(data)
    sms.detect(str(path))  # never raises
    try:
        export = sms.parse(str(path), ParseOptions(workdir=str(tmp_path)))
    except FormatError as error:
        assert error.code.startswith(("xml.", "sms."))
        return
    for conversation in export.conversations:
        assert conversation.key.startswith("sms:")
        for message in conversation.messages:
            assert isinstance(message.body, str)
            message.sent_at  # noqa: B018 - the time must be representable
