"""One place for what a tolerant parser cannot place: a typed defect, or in strict mode the error.

Every parser hands its defects to a `DefectSink` instead of deciding "raise if strict, else append"
itself (CPython's `email.feedparser` keeps defects the same way). A sink keeps at most `limit`
defects; beyond that it counts them, and `finish()` adds one closing defect that says how many were
not kept, so nothing a parser saw vanishes without a trace.
"""

from __future__ import annotations

from chatarchief.core.errors import FormatError
from chatarchief.core.model import Defect

DEFECT_LIMIT = 1000
MAX_RAW = 2000  # characters of the raw text a defect keeps as evidence
TRUNCATED = "format.more_defects"


class DefectSink:
    """Collects the defects of one parse. In strict mode the first defect raises a `FormatError`."""

    __slots__ = ("shown", "strict", "limit", "lines", "defects", "count")

    def __init__(self, shown: str, *, strict: bool, limit: int = DEFECT_LIMIT, lines: bool = True) -> None:
        self.shown = shown  # the file name as handed in, for the error message
        self.strict = strict
        self.limit = limit
        self.lines = lines  # a defect's `line` is a line of the file (else a frame or row number)
        self.defects: list[Defect] = []
        self.count = 0  # every defect seen, kept or not

    def add(  # noqa: PLR0913 - a defect's fields plus its two error texts
        self,
        code: str,
        line: int,
        raw: str,
        message: str,
        *,
        nl: str | None = None,
        en: str | None = None,
    ) -> None:
        """Record one defect (`message`: English, for the log and the receipt). In strict mode raise
        it as a `FormatError` with the Dutch and English texts `nl` and `en` (default: `message`)."""
        self.count += 1
        if self.strict:
            where = line if self.lines and line > 0 else None
            raise FormatError(code, nl=nl or message, en=en or message, file=self.shown, line=where)
        if len(self.defects) < self.limit:
            self.defects.append(Defect(code, line, raw[:MAX_RAW], message))

    def finish(self) -> list[Defect]:
        """The kept defects, closed by a count of those beyond the limit (if any)."""
        dropped = self.count - len(self.defects)
        if dropped > 0 and not (self.defects and self.defects[-1].code == TRUNCATED):
            self.defects.append(Defect(TRUNCATED, 0, "", f"{dropped} more defects were found and not kept"))
        return self.defects
