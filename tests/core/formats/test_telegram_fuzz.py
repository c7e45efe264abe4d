"""Fuzzing the Telegram parser: mutated bytes and mutated JSON structures give only FormatError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchief.core.errors import FormatError
from chatarchief.core.formats import telegram
from chatarchief.core.model import ParseOptions
from tests.generators.telegram import minimal_export, rich_chat

FULL = {"personal_information": {"user_id": 42, "first_name": "Ine"}, "chats": {"list": [rich_chat()]}}
SEEDS = [
    json.dumps(minimal_export(), indent=1).encode(),
    json.dumps(minimal_export(full=True), indent=1).encode(),
    json.dumps(rich_chat(), indent=1).encode(),
    json.dumps(FULL, indent=1).encode(),
]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 5))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip":
            data[position] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 30))]
        elif action == "insert":
            data[position:position] = draw(
                st.sampled_from([b"[", b"{", b'"', b"null", b"1e999", b"\xff", b"-", b"9" * 30])
            )
        else:
            del data[position:]
        if not data:
            data = bytearray(b"{")
    return bytes(data)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, (*path, index))
    return found


@st.composite
def mutated_structure(draw: st.DrawFn) -> bytes:
    data = json.loads(draw(st.sampled_from(SEEDS[2:])))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_nodes(data)[1:]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(json_values)
    return json.dumps(data).encode()


def check(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(data)
    telegram.detect(str(path))  # never raises
    try:
        export = telegram.parse(str(path), ParseOptions())
    except FormatError as error:
        assert error.code.startswith("telegram.")
        return
    for conversation in export.conversations:
        assert conversation.key.startswith("telegram:")
        for message in conversation.messages:
            assert isinstance(message.body, str)
            message.sent_at  # noqa: B018 - the time must be representable


@SETTINGS
@given(data=mutated_bytes())
def test_mutated_bytes_raise_only_format_error(tmp_path: Path, data: bytes) -> None:
    check(tmp_path, data)


@SETTINGS
@given(data=mutated_structure())
def test_mutated_structures_raise_only_format_error(tmp_path: Path, data: bytes) -> None:
    check(tmp_path, data)
