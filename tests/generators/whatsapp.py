"""Seeded WhatsApp export generators: a big realistic Android export, and a scenario renderer.

`write_android_export(path, n)` writes an Android export of `n` messages (mixed content: multiline
bodies, media lines, omitted media, tombstones, system lines, emoji, LRM marks), reproducible by seed.

`render_export(specs, platform=..., locale=...)` renders a list of `Spec` as export text; use
`write_export(path, specs, ...)` to write it as a `.txt`, or as a `.zip` with media files.

    specs = [
        Spec("Alice", datetime(2024, 3, 1, 9, 30), "Goedemorgen"),
        Spec("Bob", datetime(2024, 3, 1, 9, 31, 12), kind="media", media="IMG-20240301-WA0001.jpg"),
        Spec("Bob", datetime(2024, 3, 1, 9, 32), kind="deleted"),
        Spec(None, datetime(2024, 3, 1, 9, 33), "Alice heeft Carol toegevoegd", kind="system"),
    ]
    write_export(tmp_path / "WhatsApp-chat met Team.txt", specs, platform="android", locale="nl")

Kinds: "text", "media" (with `media`: a file name; `with_media=False` renders it omitted), "deleted"
(deleted by the sender), "deleted_self" (deleted by the exporter), "edited" (body + edit marker),
"view_once", "system" (sender None on Android; on iOS the line carries the chat-name pseudo-sender
only for the E2E notice), "location" (body is ignored; `location` is a (lat, lon) pair).
Android renders `DD-MM-YYYY HH:MM - ` (nl) or `M/D/YY, HH:MM - ` (en) with minute precision; iOS
renders `[DD-MM-YYYY HH:MM:SS] ` (nl) or `[M/D/YY, HH:MM:SS] ` (en), LRM marks, and phone senders
wrapped in U+202A/U+202C with NBSP between the digit groups.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

LRM = "\u200e"
_WORDS = (
    "de het een en van ik je dat die in is niet op te met voor zijn er maar om vergadering notitie "
    "minister kamerbrief besluit morgen vandaag graag dank overleg stuk wob woo advies concept versie "
    "akkoord bellen later agenda planning regio gemeente provincie budget"
).split()
_EMOJI = ("😀", "👍", "🙏", "😂", "✅", "📎")


@dataclass
class Spec:
    """One message of a scenario. `at` is local wall-clock time (naive)."""

    sender: str | None
    at: dt.datetime
    body: str = ""
    kind: str = "text"
    media: str | None = None
    location: tuple[float, float] | None = None


_PHRASES = {
    "nl": {
        "deleted": "Dit bericht is verwijderd",
        "deleted_self": "U hebt dit bericht verwijderd",
        "edited": "<Dit bericht is bewerkt>",
        "omitted_android": "<Media weggelaten>",
        "omitted_ios": "afbeelding weggelaten",
        "attached_android": "(bestand bijgevoegd)",
        "attached_ios": "bijgevoegd",
        "location": "locatie",
        "e2e": "Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of "
        "beluisteren, zelfs WhatsApp niet. Tik voor meer informatie.",
    },
    "en": {
        "deleted": "This message was deleted",
        "deleted_self": "You deleted this message",
        "edited": "<This message was edited>",
        "omitted_android": "<Media omitted>",
        "omitted_ios": "image omitted",
        "attached_android": "(file attached)",
        "attached_ios": "attached",
        "location": "location",
        "e2e": "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
        "can read or listen to them. Tap to learn more.",
    },
}


def _stamp(at: dt.datetime, platform: str, locale: str) -> str:
    if platform == "android":
        if locale == "nl":
            return at.strftime("%d-%m-%Y %H:%M") + " - "
        return f"{at.month}/{at.day}/{at:%y}, {at:%H:%M} - "
    if locale == "nl":
        return at.strftime("[%d-%m-%Y %H:%M:%S] ")
    return f"[{at.month}/{at.day}/{at:%y}, {at:%H:%M:%S}] "


def _ios_sender(name: str) -> str:
    if name.startswith("+"):
        return "\u202a" + name.replace(" ", "\u00a0") + "\u202c"
    return name


def render_line(spec: Spec, *, platform: str = "android", locale: str = "nl", with_media: bool = True) -> str:
    """One message as export text (may span lines)."""
    words = _PHRASES[locale]
    ios = platform == "ios"
    body = spec.body
    mark = ""
    if spec.kind == "deleted":
        body = (LRM + words["deleted"] + ".") if ios else words["deleted"]
    elif spec.kind == "deleted_self":
        body = (LRM + words["deleted_self"] + ".") if ios else words["deleted_self"]
    elif spec.kind == "edited":
        body = f"{spec.body} {words['edited']}"
    elif spec.kind == "view_once":
        body = "null"
    elif spec.kind == "location":
        lat, lon = spec.location or (52.0799, 4.3113)
        body = f"{LRM if ios else ''}{words['location'].capitalize() if ios else words['location']}: https://maps.google.com/?q={lat},{lon}"
    elif spec.kind == "media":
        mark = LRM if ios else ""
        if not with_media or not spec.media:
            first = (LRM + words["omitted_ios"]) if ios else words["omitted_android"]
        elif ios:
            first = f"{LRM}<{words['attached_ios']}: {spec.media}>"
        else:
            first = f"{LRM if locale == 'nl' else ''}{spec.media} {words['attached_android']}"
        body = first + ("\n" + spec.body if spec.body else "")
    elif spec.kind == "system":
        if ios:
            return f"{LRM}{_stamp(spec.at, platform, locale)}{LRM}{spec.body}"
        return f"{_stamp(spec.at, platform, locale)}{spec.body}"
    sender = _ios_sender(spec.sender or "") if ios else spec.sender
    if ios and body.startswith(LRM):
        mark = LRM
    return f"{mark}{_stamp(spec.at, platform, locale)}{sender}: {body}"


def render_export(
    specs: list[Spec], *, platform: str = "android", locale: str = "nl", with_media: bool = True, title: str = "Chat"
) -> str:
    """The whole export text: an E2E notice first, then each spec; LF line ends, final newline."""
    first_at = specs[0].at if specs else dt.datetime(2024, 1, 1)
    e2e = _PHRASES[locale]["e2e"]
    if platform == "ios":
        head = f"{_stamp(first_at, platform, locale)}{title}: {LRM}{e2e.rsplit(' Tap', 1)[0].rsplit(' Tik', 1)[0]}"
    else:
        head = f"{_stamp(first_at, platform, locale)}{e2e}"
    lines = [head] + [render_line(s, platform=platform, locale=locale, with_media=with_media) for s in specs]
    return "\n".join(lines) + "\n"


def write_export(
    path: str | Path,
    specs: list[Spec],
    *,
    platform: str = "android",
    locale: str = "nl",
    with_media: bool = True,
    title: str = "Chat",
) -> Path:
    """Write a scenario as `.txt`, or as `.zip` (chat text + a small file per media spec)."""
    path = Path(path)
    text = render_export(specs, platform=platform, locale=locale, with_media=with_media, title=title)
    if path.suffix != ".zip":
        path.write_text(text, encoding="utf-8")
        return path
    inner = "_chat.txt" if platform == "ios" else f"WhatsApp Chat with {title}.txt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(inner, text)
        if with_media:
            for spec in specs:
                if spec.kind == "media" and spec.media:
                    archive.writestr(spec.media, f"media {spec.media} {spec.at.isoformat()}".encode())
    return path


def write_android_export(
    path: str | Path,
    n_messages: int,
    *,
    seed: int = 1,
    start: dt.datetime = dt.datetime(2021, 1, 4, 8, 0),
    senders: tuple[str, ...] = ("Anne de Vries", "Bram", "+31 6 12345678", "Carla Jansen"),
    locale: str = "nl",
) -> Path:
    """Write a realistic Android export of `n_messages` messages (about 75 bytes each)."""
    rng = random.Random(seed)
    words = _PHRASES[locale]
    at = start
    out: list[str] = []
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(_stamp(at, "android", locale) + words["e2e"] + "\n")
        for i in range(1, n_messages):
            at += dt.timedelta(minutes=rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8, 13, 30, 60)))
            stamp = _stamp(at, "android", locale)
            roll = rng.random()
            sender = rng.choice(senders)
            if roll < 0.82:
                body = " ".join(rng.choices(_WORDS, k=rng.randint(2, 14)))
                if rng.random() < 0.1:
                    body += " " + rng.choice(_EMOJI)
                out.append(f"{stamp}{sender}: {body}")
            elif roll < 0.88:
                lines = [" ".join(rng.choices(_WORDS, k=rng.randint(2, 9))) for _ in range(rng.randint(2, 4))]
                if rng.random() < 0.3:
                    lines.insert(1, "")
                out.append(f"{stamp}{sender}: " + "\n".join(lines))
            elif roll < 0.92:
                name = f"IMG-{at:%Y%m%d}-WA{i % 10000:04d}.jpg"
                caption = "\n" + " ".join(rng.choices(_WORDS, k=3)) if rng.random() < 0.3 else ""
                out.append(
                    f"{stamp}{sender}: {LRM if locale == 'nl' else ''}{name} {words['attached_android']}{caption}"
                )
            elif roll < 0.95:
                out.append(f"{stamp}{sender}: {words['omitted_android']}")
            elif roll < 0.97:
                out.append(f"{stamp}{sender}: {words['deleted']}")
            elif roll < 0.98:
                out.append(f"{stamp}{sender}: " + " ".join(rng.choices(_WORDS, k=5)) + f" {words['edited']}")
            elif roll < 0.99:
                added = rng.choice(senders)
                text = f"{LRM}{sender} heeft {added} toegevoegd" if locale == "nl" else f"{sender} added {added}"
                out.append(stamp + text)
            else:
                out.append(f"{stamp}{sender}: {rng.choice(('Hoe laat?', 'Ok', 'Top', 'Prima, tot dan'))}")
            if len(out) >= 10000:
                handle.write("\n".join(out) + "\n")
                out.clear()
        if out:
            handle.write("\n".join(out) + "\n")
    return path
