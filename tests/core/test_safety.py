"""Zip safety: member names are checked before anything is read."""

from __future__ import annotations

import zipfile

import pytest

from chatarchief.core.errors import FormatError
from chatarchief.core.safety import open_zip


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "zip.bad_name"),
        ("/etc/passwd", "zip.absolute_path"),
        ("../x", "zip.path_traversal"),
    ],
)
def test_bad_member_names_are_refused(tmp_path, name, code):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("ok.txt"), b"ok")
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # ZipInfo() would clean the name; a hostile zip does not
        archive.writestr(info, b"data")
    with pytest.raises(FormatError) as caught:
        open_zip(str(path), "x.zip")
    assert caught.value.code == code and caught.value.file == "x.zip"
