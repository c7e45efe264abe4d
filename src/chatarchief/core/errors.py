"""One error family for everything a user can hand in wrongly.

A `FormatError` carries a stable machine code (``whatsapp.unknown_header``) for logs and tests, and a
Dutch and an English message for people. It names the file and, where it applies, the line.
"""

from __future__ import annotations


class ChatarchiefError(Exception):
    """Base class of the errors this project raises on purpose."""

    code = "error"

    def __init__(
        self,
        code: str,
        *,
        nl: str,
        en: str,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        self.code = code
        self.nl = nl
        self.en = en
        self.file = file
        self.line = line
        super().__init__(self.message("en"))

    def message(self, lang: str = "nl") -> str:
        """The message in the user's language, naming the file and line where known."""
        text = self.nl if lang.startswith("nl") else self.en
        where = []
        if self.file:
            where.append(self.file)
        if self.line:
            where.append(("regel " if lang.startswith("nl") else "line ") + str(self.line))
        return f"{': '.join([', '.join(where), text]) if where else text}"

    def as_dict(self, lang: str = "nl") -> dict[str, object]:
        return {"code": self.code, "message": self.message(lang), "file": self.file, "line": self.line}


class FormatError(ChatarchiefError):
    """The file handed in is not what it should be (unknown format, damaged, unsafe, wrong key)."""


class SecretError(FormatError):
    """A passphrase or key is missing or wrong. The message never contains the secret."""


def with_file(error: ChatarchiefError, file: str) -> ChatarchiefError:
    """Fill in the file name if the raiser did not know it."""
    if not error.file:
        error.file = file
    return error
