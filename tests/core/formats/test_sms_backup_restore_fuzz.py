"""Fuzzing the SMS Backup & Restore parser: mutated and truncated fixture bytes give only FormatError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError
from chatarchief.core.formats.sms import backup_restore as sms
from chatarchief.core.model import ParseOptions
from tests.paths import PEER

FIXTURES = PEER / "sms-backup-restore-parser" / "tests" / "fixtures"
SEEDS = [(FIXTURES / name).read_bytes() for name in ("minimal_mms.xml", "mixed.xml", "edge_cases.xml")]


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
