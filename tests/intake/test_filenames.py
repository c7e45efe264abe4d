"""The file-name rules (intake.filenames): the same name is recorded whichever way a file came in."""

from __future__ import annotations

import pytest

from chatarchief.intake.filenames import delivery_name, download_name


@pytest.mark.parametrize(
    ("given", "recorded"),
    [
        ("WhatsApp-chat met Anna.txt", "WhatsApp-chat met Anna.txt"),
        ("/home/jan/exports/WhatsApp-chat met Anna.txt", "WhatsApp-chat met Anna.txt"),  # the CLI's path
        ("SignalBackups/", "SignalBackups"),  # a folder given with its slash
        ("C:\\Users\\jan\\WhatsApp-chat met Anna.txt", "WhatsApp-chat met Anna.txt"),  # a browser on Windows
        ("", "upload"),
        (None, "upload"),
        ("x" * 600 + ".txt", "x" * 500),
    ],
)
def test_delivery_name(given, recorded):
    assert delivery_name(given) == recorded


def test_download_name_drops_folders_controls_and_bidi_overrides():
    assert download_name("../../etc/factuur\u202efdp.exe") == "factuurfdp.exe"
    assert download_name("...") == "bestand"
