"""File names as senders wrote them are hostile input: the two rules for them, in one place.

- `delivery_name`: the name a delivery records (CLI, web upload and API alike): the last part of
  the path as given (folders dropped, a backslash read as a separator, as browsers send Windows
  paths), at most 500 characters.
- `download_name`: the name offered when a file is downloaded: also no control or bidi-format
  characters (U+202E would show "factuur\u202efdp.exe" as "factuurexe.pdf").
"""

from __future__ import annotations

import os
import unicodedata

MAX_LENGTH = 500


def delivery_name(name: str | None, fallback: str = "upload") -> str:
    base = os.path.basename((name or "").replace("\\", "/").rstrip("/"))
    return base[:MAX_LENGTH] or fallback


def download_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/"))
    cleaned = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cc", "Cf"}).strip(" .")
    return cleaned or "bestand"
