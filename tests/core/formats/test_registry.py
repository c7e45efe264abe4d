"""The format table: one decorator per format, a taken name refused, every family registered."""

from __future__ import annotations

import importlib

import pytest

from chatarchief.core import formats
from chatarchief.core.model import Channel, Export, ParseOptions


def test_every_format_is_registered_once_from_its_family_package():
    specs = formats.formats()
    assert [s.name for s in specs] == [
        "signal_android",
        "signal_desktop",
        "signal_v2",
        "sms_backup_restore",
        "telegram",
        "whatsapp",
    ]
    families = {s.name: s.parse.__module__ for s in specs}
    assert families == {
        "signal_android": "chatarchief.core.formats.signal.android",
        "signal_desktop": "chatarchief.core.formats.signal.desktop",
        "signal_v2": "chatarchief.core.formats.signal.v2",
        "sms_backup_restore": "chatarchief.core.formats.sms.backup_restore",
        "telegram": "chatarchief.core.formats.telegram",
        "whatsapp": "chatarchief.core.formats.whatsapp",
    }
    assert formats.get("signal_v2").needs_secret and formats.get("signal_v2").accepts_directory
    assert formats.get("whatsapp").channel is Channel.WHATSAPP


def test_a_taken_name_is_refused():
    def parse(path: str, options: ParseOptions) -> Export:
        raise AssertionError("never called")

    with pytest.raises(ValueError, match="'whatsapp' is already registered by chatarchief.core.formats.whatsapp.parse"):
        formats.register(name="whatsapp", channel=Channel.WHATSAPP, label="x", detect=lambda path: False)(parse)
    assert formats.get("whatsapp").parse.__module__ == "chatarchief.core.formats.whatsapp"


def test_the_decorator_hands_parse_back_and_a_reload_replaces_itself():
    from chatarchief.core.formats import telegram

    before = formats.get("telegram")
    reloaded = importlib.reload(telegram)
    after = formats.get("telegram")
    assert after.parse is reloaded.parse and after.parse is not before.parse
    assert after.name == before.name and after.label == before.label
