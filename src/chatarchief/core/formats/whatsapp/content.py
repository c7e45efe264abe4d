"""What a WhatsApp message body is: tombstone, media, location, system event, or plain text.

The literal strings come from FORMATS.md §1.4-1.5 (Dutch and English). Plain text bodies never get
here: the scanner only calls `classify` when a cheap check hints at something special.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chatarchief.core.model import Deleter, Kind, SystemEvent

BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
_SPACES = {0x00A0: " ", 0x202F: " ", 0x2007: " "}
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
MATCH_TABLE = {**BIDI, **_SPACES, **_DASHES}
_STRIP = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e "


@dataclass(slots=True)
class Content:
    """The outcome of classifying a body (only the fields that differ from plain text)."""

    kind: Kind
    body: str
    deleted_by: Deleter | None = None
    event: SystemEvent | None = None
    details: dict[str, Any] | None = None
    media_type: str | None = None
    filename: str | None = None  # media named in the text
    omitted: bool = False
    edited: bool = False
    locale: str | None = None
    system: bool = False  # a system text (iOS pseudo-sender lines lose their sender)


def _variants(phrase: str) -> list[str]:
    return [p + end for p in (phrase, "\u200e" + phrase, "\u200e\u200e" + phrase) for end in ("", ".")]


_DELETED = {
    "Dit bericht is verwijderd": (Deleter.OTHER, "nl"),
    "This message was deleted": (Deleter.OTHER, "en"),
    "U hebt dit bericht verwijderd": (Deleter.SELF, "nl"),
    "Je hebt dit bericht verwijderd": (Deleter.SELF, "nl"),
    "You deleted this message": (Deleter.SELF, "en"),
}
_OMITTED = {
    "<Media weggelaten>": (None, "nl"),
    "<Media omitted>": (None, "en"),
    "afbeelding weggelaten": ("image", "nl"),
    "image omitted": ("image", "en"),
    "video weggelaten": ("video", "nl"),
    "video omitted": ("video", "en"),
    "audio weggelaten": ("audio", "nl"),
    "audio omitted": ("audio", "en"),
    "sticker weggelaten": ("sticker", "nl"),
    "sticker omitted": ("sticker", "en"),
    "GIF weggelaten": ("gif", "nl"),
    "GIF omitted": ("gif", "en"),
    "document weggelaten": ("document", "nl"),
    "document omitted": ("document", "en"),
    "videonotitie weggelaten": ("video_note", "nl"),
    "video note omitted": ("video_note", "en"),
    "Contactkaart weggelaten": ("contact", "nl"),
    "contactkaart weggelaten": ("contact", "nl"),
    "Contact card omitted": ("contact", "en"),
}
_CALLS = {
    "Gemiste spraakoproep": ("voice", "nl"),
    "Gemiste video-oproep": ("video", "nl"),
    "Gemiste groepsspraakoproep": ("voice", "nl"),
    "Gemiste groepsvideo-oproep": ("video", "nl"),
    "Missed voice call": ("voice", "en"),
    "Missed video call": ("video", "en"),
    "Missed group voice call": ("voice", "en"),
    "Missed group video call": ("video", "en"),
}

EXACT: dict[str, Content] = {}
for _text, (_who, _lang) in _DELETED.items():
    for _v in _variants(_text):
        EXACT[_v] = Content(Kind.DELETED, "", deleted_by=_who, locale=_lang)
for _text, (_media, _lang) in _OMITTED.items():
    for _v in _variants(_text):
        _kind = Kind.CONTACT if _media == "contact" else Kind.MEDIA
        EXACT[_v] = Content(_kind, "", media_type=_media, omitted=True, locale=_lang)
for _text, (_call, _lang) in _CALLS.items():
    for _v in _variants(_text):
        EXACT[_v] = Content(Kind.CALL, _text, event=SystemEvent.MISSED_CALL, details={"call": _call}, locale=_lang)
EXACT["null"] = Content(Kind.VIEW_ONCE, "")

_EDITED = ("<Dit bericht is bewerkt>", "<This message was edited>")
_IOS_ATTACHED = re.compile(r"<(attached|bijgevoegd): ([^>\n]+)>")
_ANDROID_ATTACHED = re.compile(r"^[\u200e\u200f]*(.+?) \((file attached|bestand bijgevoegd)\)$")
_PAGES = re.compile(r"\s*\u2022\s*[\u200e\u200f]*\d+\s*(?:pages?|pagina's|pagina)\s*$")
_DOC_OMITTED = re.compile(r"^(.*?)\s*[\u200e\u200f]*(document omitted|document weggelaten)$")
_MAPS = re.compile(
    r"^[\u200e\u200f]*[^\s:]{2,24}: (https://maps\.google\.com/\?q=(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?))\s*$"
)
_VENUE = re.compile(r"https://foursquare\.com/v/\S+$")
_TIMER = re.compile(r"(\d+)\s*(dagen|dag|days?|uur|uren|hours?|minuten|minutes?|weken|weeks?|seconden|seconds?)\b")
_TIMER_UNITS = {"d": 86400, "u": 3600, "h": 3600, "m": 60, "w": 604800, "s": 1}
_MEDIA_PREFIX = (
    ("IMG-", "image"),
    ("VID-", "video"),
    ("PTT-", "audio"),
    ("AUD-", "audio"),
    ("STK-", "sticker"),
    ("DOC-", "document"),
)
_MEDIA_WORD = (
    ("-PHOTO-", "image"),
    ("-VIDEO-", "video"),
    ("-AUDIO-", "audio"),
    ("-STICKER-", "sticker"),
    ("-GIF-", "gif"),
)

_GROUP_EVENTS = {
    SystemEvent.GROUP_CREATED,
    SystemEvent.MEMBER_ADDED,
    SystemEvent.MEMBER_LEFT,
    SystemEvent.MEMBER_REMOVED,
    SystemEvent.ADMIN_CHANGED,
    SystemEvent.SUBJECT_CHANGED,
    SystemEvent.ICON_CHANGED,
}
_SYSTEM_RULES: list[tuple[SystemEvent, re.Pattern[str]]] = [
    (r[0], re.compile(r[1], re.IGNORECASE))
    for r in (
        (SystemEvent.E2E_NOTICE, r"end-to-end|end\u2011to\u2011end"),
        (SystemEvent.SECURITY_CODE_CHANGED, r"security code|beveiligingscode"),
        (
            SystemEvent.DISAPPEARING_DISABLED,
            r"turned off disappearing|disappearing messages (?:were|was) turned off|"
            r"(?:vervaldatum|verdwijnende berichten) uitgeschakeld",
        ),
        (
            SystemEvent.DISAPPEARING_ENABLED,
            r"disappearing messages|message timer|vervaldatum|verdwijnende berichten|berichten verdwijnen",
        ),
        (
            SystemEvent.MISSED_CALL,
            r"^(?:missed (?:group )?(?:voice|video) call|gemiste (?:groeps)?(?:spraak|video-)oproep)",
        ),
        (SystemEvent.OTHER, r"group's settings|group description|groepsbeschrijving|groepsinstellingen"),
        (
            SystemEvent.GROUP_CREATED,
            r"created group|created this group|heeft de groep .+ gemaakt|hebt de groep .+ gemaakt|groep .*aangemaakt",
        ),
        (SystemEvent.SUBJECT_CHANGED, r"changed the subject|changed the group name|onderwerp gewijzigd|groepsnaam"),
        (SystemEvent.ICON_CHANGED, r"group's icon|group icon|group photo|groepsafbeelding|groepsfoto"),
        (SystemEvent.ADMIN_CHANGED, r"\ban admin\b|\badmin now\b|beheerder"),
        (
            SystemEvent.NUMBER_CHANGED,
            r"changed (?:their|his|her) (?:phone )?number|changed to \+|nieuw telefoonnummer|nummer gewijzigd",
        ),
        (SystemEvent.MEMBER_LEFT, r"\bleft$|\bleft the group|de groep verlaten"),
        (SystemEvent.MEMBER_REMOVED, r"\bremoved\b|\bhee?f?t .+ verwijderd$|\bhebt .+ verwijderd$"),
        (SystemEvent.MEMBER_ADDED, r"\badded\b|\bjoined\b|toegevoegd|neemt deel|deelgenomen"),
    )
]
_DUTCH_SYSTEM = re.compile(r"\b(?:heeft|hebt|bent|berichten|worden|gewijzigd|toegevoegd|verlaten)\b", re.IGNORECASE)


def normalise(text: str) -> str:
    """Text for matching: no bidi controls, NBSP/narrow NBSP as spaces, Unicode dashes as '-'."""
    return text.translate(MATCH_TABLE)


def media_type_of(filename: str) -> str | None:
    for prefix, kind in _MEDIA_PREFIX:
        if filename.startswith(prefix):
            return kind
    for word, kind in _MEDIA_WORD:
        if word in filename:
            return kind
    if filename.lower().endswith(".vcf"):
        return "contact"
    return "document"


def mime_of(filename: str) -> str | None:
    head, dot, tail = filename.rpartition(".")
    extension = (dot + tail).lower() if head.strip(".") and "/" not in tail else os.path.splitext(filename)[1].lower()
    if extension not in _MIME:
        _MIME[extension] = mimetypes.guess_type("x" + extension, strict=False)[0]
    return _MIME[extension]


_MIME: dict[str, str | None] = {}  # extension -> MIME type, so each extension is looked up once


def is_group_event(event: SystemEvent | None) -> bool:
    return event in _GROUP_EVENTS


def system_event(text: str) -> tuple[SystemEvent, dict[str, Any] | None] | None:
    """The system event a system line describes, with details (timer), or None if unknown."""
    plain = normalise(text).strip()
    for event, pattern in _SYSTEM_RULES:
        if pattern.search(plain):
            details: dict[str, Any] | None = None
            if event is SystemEvent.DISAPPEARING_ENABLED:
                details = {"timer_seconds": _timer_seconds(plain)}
            elif event is SystemEvent.MISSED_CALL:
                details = {"call": "video" if "vide" in plain.lower() else "voice"}
            return event, details
    return None


def system_locale(text: str) -> str | None:
    return "nl" if _DUTCH_SYSTEM.search(text) else None


def _timer_seconds(text: str) -> int | None:
    found = _TIMER.search(text)
    if not found:
        return None
    return int(found.group(1)) * _TIMER_UNITS[found.group(2)[0].lower()]


def classify(body: str, system_hint: bool) -> Content | None:
    """Classify a body that may be special; None means plain text (body unchanged).

    ``system_hint``: the body started with an invisible mark or opens the file, so on iOS it may be
    a system text under a pseudo-sender.
    """
    if body[-1:] == ")" and body.lstrip("\u200e\u200f")[:1] not in _STRIP and "\n" not in body:
        # the common Android "NAME (bestand bijgevoegd)": what the general path below gives it
        attached = _ANDROID_ATTACHED.match(body)
        if attached is not None:
            return _attached(attached.group(1).strip(), "", "en" if attached.group(2) == "file attached" else "nl")
    core = body.strip(_STRIP)
    found = EXACT.get(core)
    if found is not None:
        return found
    edited = False
    for marker in _EDITED:
        if core.endswith(marker):
            core = core[: -len(marker)].rstrip(_STRIP)
            edited = True
            break
    found = _classify_core(core, system_hint)
    if edited:
        if found is None:
            found = Content(Kind.TEXT, core.translate(BIDI))
        found.edited = True
    return found


def _classify_core(core: str, system_hint: bool) -> Content | None:
    exact = EXACT.get(core)
    if exact is not None:
        return Content(
            exact.kind,
            exact.body,
            exact.deleted_by,
            exact.event,
            exact.details,
            exact.media_type,
            None,
            exact.omitted,
            False,
            exact.locale,
        )
    first, _, rest = core.partition("\n")
    first_core = first.strip(_STRIP)
    exact = EXACT.get(first_core)
    if exact is not None and exact.omitted:  # "<Media omitted>" + caption lines
        return Content(exact.kind, rest.translate(BIDI), media_type=exact.media_type, omitted=True, locale=exact.locale)
    finders = _ANDROID_FIRST if first.endswith(")") else _IOS_FIRST  # the likely form first
    for finder in finders:
        result = finder(first, rest, core)
        if result is not None:
            return result
    if system_hint:
        event = system_event(core)
        if event is not None:
            kind = Kind.CALL if event[0] is SystemEvent.MISSED_CALL else Kind.SYSTEM
            return Content(kind, core.translate(BIDI), event=event[0], details=event[1], system=kind is Kind.SYSTEM)
    return None


_Finder = Callable[[str, str, str], "Content | None"]


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p).translate(BIDI)


def _attachment_ios(first: str, rest: str, core: str) -> Content | None:
    found = _IOS_ATTACHED.search(first)
    if found is None:
        return None
    filename = found.group(2).strip()
    title = _PAGES.sub("", first[: found.start()].translate(BIDI)).strip()
    caption = (title + " " + first[found.end() :].translate(BIDI)).strip()
    return _attached(filename, _join(caption, rest), "en" if found.group(1) == "attached" else "nl")


def _attachment_android(first: str, rest: str, core: str) -> Content | None:
    found = _ANDROID_ATTACHED.match(first)
    if found is None:
        return None
    return _attached(found.group(1).strip(), _join(rest), "en" if found.group(2) == "file attached" else "nl")


def _attached(filename: str, body: str, locale: str) -> Content:
    media = media_type_of(filename)
    kind = Kind.CONTACT if media == "contact" else Kind.MEDIA
    return Content(kind, body, media_type=media, filename=filename, locale=locale)


def _document_omitted(first: str, rest: str, core: str) -> Content | None:
    found = _DOC_OMITTED.match(first)
    if found is None:
        return None
    title = _PAGES.sub("", found.group(1).translate(BIDI)).strip()
    locale = "en" if found.group(2).endswith("omitted") else "nl"
    return Content(Kind.MEDIA, _join(title, rest), media_type="document", omitted=True, locale=locale)


def _location(first: str, rest: str, core: str) -> Content | None:
    found = _MAPS.match(first)
    if found is not None and not rest:
        details = {"url": found.group(1), "latitude": float(found.group(2)), "longitude": float(found.group(3))}
        return Content(Kind.LOCATION, core.translate(BIDI), details=details)
    lines = core.split("\n")
    if len(lines) <= 3:
        venue = _VENUE.search(lines[-1])
        if venue is not None:
            return Content(Kind.LOCATION, core.translate(BIDI), details={"url": venue.group(0)})
    return None


_IOS_FIRST: tuple[_Finder, ...] = (_attachment_ios, _attachment_android, _document_omitted, _location)
_ANDROID_FIRST: tuple[_Finder, ...] = (_attachment_android, _attachment_ios, _document_omitted, _location)
