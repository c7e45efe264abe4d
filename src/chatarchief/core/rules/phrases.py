"""Phrase lists in data files a records manager reads and extends without code.

Each list is one UTF-8 text file (`data/*.txt` in this package; more folders can be given):

    # comment lines start with '#'; empty lines are ignored
    @label: private            # business | private | party (a `reply` list has none)
    @scope: message            # message | title | reply
    @confidence: 0.80          # how sure a hit makes the rule, 0..1
    @version: 1                # raise it when the meaning of the list changes
    @reason_nl: Felicitatie: typisch privé volgens het afwegingskader.
    @reason_en: Congratulations: typically private under the assessment framework.
    gefeliciteerd              # one phrase per line
    fijne verjaardag
    felicit*                   # '*' at the end (or start): any word characters there
    !DENK                      # '!': case-sensitive (DENK the party, not "denk" the verb)
    -proficiat                 # '-' (in a later folder): remove a phrase an earlier file listed

Matching ignores case (except '!' entries), diacritics, typographic quotes and runs of whitespace,
and respects word boundaries: "sterkte" does not match "versterkte". A '-' inside a phrase also
matches a space or nothing ("GL-PvdA", "GL PvdA", "GLPvdA").

A file with the same name in a later folder extends the list: it adds (and with '-' removes)
phrases and may override the settings. The rule's version is `@version` plus a short digest of the
final list, so any change to a list shows in the labels it gives.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.rules.labels import Label
from chatarchief.core.rules.text import fold, strip_accents

DATA_DIR = Path(__file__).with_name("data")
SCOPES = ("message", "title", "reply")
_SETTINGS = ("label", "scope", "confidence", "version", "reason_nl", "reason_en")


class PhraseFileError(ChatarchiefError):
    """A phrase list file that cannot be read (unknown setting, bad label, missing reason...)."""


@dataclass(slots=True)
class PhraseList:
    """One list: its settings, its phrases, and the compiled matchers."""

    name: str
    label: Label | None
    scope: str
    confidence: float
    declared_version: str
    reason_nl: str
    reason_en: str
    phrases: tuple[str, ...]
    sources: tuple[str, ...]
    _folded: re.Pattern[str] | None = field(default=None, repr=False)
    _exact: re.Pattern[str] | None = field(default=None, repr=False)
    _each: tuple[tuple[str, re.Pattern[str]], ...] = field(default=(), repr=False)

    @property
    def rule(self) -> str:
        return f"phrases.{self.name}"

    @property
    def version(self) -> str:
        digest = hashlib.sha256(
            "\n".join([str(self.label), self.scope, f"{self.confidence:.3f}", *sorted(self.phrases)]).encode()
        ).hexdigest()[:6]
        return f"{self.declared_version}-{digest}"

    def compile(self) -> PhraseList:
        insensitive = [p for p in self.phrases if not p.startswith("!")]
        sensitive = [p[1:] for p in self.phrases if p.startswith("!")]
        self._folded = compile_phrases(fold(p) for p in insensitive) if insensitive else None
        self._exact = compile_phrases(strip_accents(p) for p in sensitive) if sensitive else None
        each = [(p, compile_phrases([fold(p)])) for p in insensitive]
        each += [("!" + p, compile_phrases([strip_accents(p)])) for p in sensitive]
        self._each = tuple(each)
        return self

    def search(self, folded: str, accents_stripped: str | None = None) -> str | None:
        """The listed phrase that matches the text, or None. `folded` is `fold(text)`; the
        accent-stripped text is needed only for a list with case-sensitive ('!') entries."""
        found = None
        if self._folded is not None:
            found = self._folded.search(folded)
        if found is not None:
            return self._which(found.group(0), exact=False)
        if self._exact is not None and accents_stripped is not None:
            found = self._exact.search(accents_stripped)
            if found is not None:
                return self._which(found.group(0), exact=True)
        return None

    def _which(self, matched: str, *, exact: bool) -> str:
        for phrase, pattern in self._each:
            if phrase.startswith("!") == exact and pattern.fullmatch(matched):
                return phrase.lstrip("!")
        return matched  # not reached: the combined pattern is the union of the single ones

    def reason(self, phrase: str) -> tuple[str, str]:
        return f"{self.reason_nl} ('{phrase}')", f"{self.reason_en} ('{phrase}')"


def load_phrase_lists(folders: Sequence[str | Path] = ()) -> dict[str, PhraseList]:
    """Every list in this package's `data/` folder, extended by the same-named files in `folders`
    (in order), plus any new lists those folders hold. Raises `PhraseFileError` naming file and line."""
    raw: dict[str, dict[str, object]] = {}
    for folder in (DATA_DIR, *map(Path, folders)):
        for path in sorted(Path(folder).glob("*.txt")):
            _read_file(path, raw.setdefault(path.stem, {"phrases": [], "sources": []}))
    return {name: _finish(name, entry) for name, entry in sorted(raw.items())}


def _read_file(path: Path, entry: dict[str, object]) -> None:
    phrases: list[str] = entry["phrases"]  # type: ignore[assignment]
    sources: list[str] = entry["sources"]  # type: ignore[assignment]
    sources.append(str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _error(path, 0, "is geen UTF-8", "is not UTF-8") from None
    for number, line in enumerate(text.splitlines(), 1):
        line = _strip_comment(line)
        if not line:
            continue
        if line.startswith("@"):
            key, sep, value = line[1:].partition(":")
            key = key.strip()
            if not sep or key not in _SETTINGS:
                raise _error(path, number, f"onbekende instelling '{line}'", f"unknown setting '{line}'")
            entry[key] = (value.strip(), str(path), number)
        elif line.startswith("-"):
            removed = line[1:].strip()
            if removed in phrases:
                phrases.remove(removed)
        else:
            if line.strip("*!") == "":
                raise _error(path, number, f"lege zin '{line}'", f"empty phrase '{line}'")
            if line not in phrases:
                phrases.append(line)


def _strip_comment(line: str) -> str:
    """The line without a '#' comment (a '#' after whitespace, or at the start) and outer spaces."""
    found = re.search(r"(?:^|\s)#", line)
    return (line[: found.start()] if found else line).strip()


def _finish(name: str, entry: dict[str, object]) -> PhraseList:
    sources: list[str] = entry["sources"]  # type: ignore[assignment]

    def setting(key: str, default: str | None = None) -> tuple[str, str, int]:
        found = entry.get(key)
        if found is None:
            if default is None:
                raise _error(Path(sources[0]), 0, f"instelling @{key} ontbreekt", f"setting @{key} is missing")
            return default, sources[0], 0
        return found  # type: ignore[return-value]

    scope, file, line = setting("scope")
    if scope not in SCOPES:
        raise _error(Path(file), line, f"@scope moet een van {SCOPES} zijn", f"@scope must be one of {SCOPES}")
    label_text, file, line = setting("label", "" if scope == "reply" else None)
    try:
        label = Label(label_text) if label_text else None
    except ValueError:
        raise _error(Path(file), line, f"onbekend label '{label_text}'", f"unknown label '{label_text}'") from None
    confidence_text, file, line = setting("confidence")
    try:
        confidence = float(confidence_text)
    except ValueError:
        confidence = -1.0
    if not 0.0 <= confidence <= 1.0:
        raise _error(Path(file), line, "@confidence moet tussen 0 en 1 liggen", "@confidence must be between 0 and 1")
    return PhraseList(
        name=name,
        label=label,
        scope=scope,
        confidence=confidence,
        declared_version=setting("version", "1")[0],
        reason_nl=setting("reason_nl")[0],
        reason_en=setting("reason_en")[0],
        phrases=tuple(entry["phrases"]),  # type: ignore[arg-type]
        sources=tuple(sources),
    ).compile()


def _error(path: Path, line: int, nl: str, en: str) -> PhraseFileError:
    return PhraseFileError(
        "rules.bad_phrase_file",
        nl=f"Zinnenlijst onleesbaar: {nl}.",
        en=f"Phrase list cannot be read: {en}.",
        file=str(path),
        line=line or None,
    )


# ---------------------------------------------------------------- phrases to one fast regex


def _tokens(phrase: str) -> list[str]:
    """A phrase as regex units: a char, a whitespace run, an optional dash, a wildcard."""
    units: list[str] = []
    body = phrase.strip("*")
    if phrase.startswith("*"):
        units.append(r"\w*")
    for ch in body:
        if ch.isspace():
            if units and units[-1] == r"\s+":
                continue
            units.append(r"\s+")
        elif ch == "-":
            units.append(r"[-\s]?")
        else:
            units.append(re.escape(ch))
    if phrase.endswith("*") and len(phrase) > 1:
        units.append(r"\w*")
    return units


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    """One regex for many phrases, built as a trie so `re` dispatches on the first characters
    instead of trying every phrase at every position; word boundaries on both ends."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for unit in _tokens(phrase):
            node = node.setdefault(unit, {})
        node[""] = {}
    return re.compile(r"(?<!\w)" + _emit(root) + r"(?!\w)")


def _emit(node: dict[str, dict]) -> str:
    branches = [unit + _emit(child) for unit, child in sorted(node.items()) if unit]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body
