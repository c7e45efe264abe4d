"""Whole WhatsApp chats as real phones write them (FORMATS.md §1), for the cases one-line scenarios miss.

Each function returns an export's text (LF line ends, a final newline), written from the published
format, not copied from anyone's export: a Dutch Android group, a Dutch iOS group (`_chat.txt`), Dutch
Android media of every kind, English iOS media, an English Android group with timers, and one short
chat in four date orders. The tests state what a parser must find in them.
"""

from __future__ import annotations

LRM, LRE, PDF, NBSP = "\u200e", "\u202a", "\u202c", "\u00a0"
E2E_ANDROID_NL = (
    "Berichten en oproepen worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of beluisteren, "
    "zelfs WhatsApp niet. Tik voor meer informatie."
)
E2E_IOS_NL = (
    "Berichten en gesprekken worden end-to-end versleuteld. Niemand buiten deze chat kan ze lezen of beluisteren, "
    "zelfs WhatsApp niet."
)


def _join(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def android_group_nl() -> str:
    """A Dutch Android group export ("WhatsApp-chat met Test export.txt"): 22 messages on 24 lines."""
    d = "02-05-2022"
    return _join(
        [
            f"{d} 16:08 - {E2E_ANDROID_NL}",
            f"{d} 16:08 - {LRM}Alice heeft de groep Test export gemaakt",
            f"{d} 16:08 - {LRM}Alice heeft u toegevoegd",
            f"{d} 16:08 - Alice: Hoi, ik heb de chat gemaakt",
            f"{d} 16:09 - Bob: Hallo allemaal",
            f"{d} 16:09 - {LRM}Alice heeft +31 6 11111111 toegevoegd",
            f"{d} 16:10 - +31 6 11111111: Hoi, ik ben er ook",
            f"{d} 16:11 - Alice: Dit bericht is verwijderd",
            f"{d} 16:12 - Carol: [5/2, 16:08] Alice: Hoi, ik heb de chat gemaakt",
            "[5/2, 16:09] Bob: De taal is ingesteld op: Engels",
            "[5/2, 16:09] Bob: Hallo allemaal",
            "[5/2, 16:10] Carol: Zie hierboven",
            "[5/2, 16:10] Carol: Klopt",
            f"{d} 16:13 - Dave: Dit bericht is verwijderd",
            f"{d} 16:14 - Alice: {LRM}IMG-20220502-WA0001.jpg (bestand bijgevoegd)",
            "Dit is een foto",
            f"{d} 16:15 - Alice: {LRM}DOC-20220502-WA0006. (bestand bijgevoegd)",
            "Manifesto.pdf",
            f"{d} 16:16 - Dave: Dit bericht is verwijderd",
            f"{d} 16:17 - {LRM}Bob heeft de groep verlaten",
            f"{d} 16:18 - {LRM}U bent nu een beheerder",
            f"{d} 16:19 - {LRM}Dave heeft de groep verlaten",
            f"{d} 16:21 - Alice: Komt een vis bij de dokter,",
            "",
            'Zegt de dokter: "ah ik zie het al: Uit de kom"',
            f"{d} 16:22 - Carol: Wat jammer zeg, ik vond het zo gezellig",
        ]
    )


def _ios_phone(number: str) -> str:
    return f"{LRE}{number}{PDF}"


def ios_group_nl() -> str:
    """A Dutch iOS group export (`_chat.txt`): the group name only in the pseudo-sender of system lines,
    one phone number written three ways, two self-deletions, a line written in airplane mode."""
    d = "02-05-2022"
    group = "Test export nieuwe naam"
    return _join(
        [
            f"[{d} 16:08:13] {group}: {LRM}{E2E_IOS_NL}",
            f"{LRM}[{d} 16:08:13] {group}: {LRM}{_ios_phone('+31 6 12345678')} heeft deze groep aangemaakt",
            f"{LRM}[{d} 16:11:34] {_ios_phone(f'+31{NBSP}6{NBSP}12345678')}: {LRM}afbeelding weggelaten",
            f"[{d} 16:12:20] Dave: Ik heb een iPhone",
            f"[{d} 16:13:01] {_ios_phone(f'+31{NBSP}6{NBSP}11111111')}: Welkom Dave",
            f"[{d} 16:13:40] {_ios_phone(f'+31{NBSP}6 22222222')}: Hallo",
            f"[{d} 16:14:02] {_ios_phone('+31 6 22222222')}: Nog een keer",
            f"{LRM}[{d} 16:15:00] Dave: {LRM}U hebt dit bericht verwijderd.",
            f"{LRM}[{d} 16:15:30] Dave: {LRM}U hebt dit bericht verwijderd.",
            f"{LRM}[{d} 16:16:00] {_ios_phone('+31 6 12345678')}: {LRM}Dit bericht is verwijderd.",
            f"[{d} 16:24:29] Dave: Ik stuur een bericht terwijl ik in vliegtuigstand ben",
            f"[{d} 16:20:12] {_ios_phone('+31 6 12345678')}: Eerder geschreven, later getoond",
            f"{LRM}[{d} 16:25:01] Dave: Manifesto.pdf • {LRM}116 pagina's {LRM}<bijgevoegd: 00000017-Manifesto.pdf>",
            f"{LRM}[{d} 16:26:00] {group}: {LRM}{_ios_phone('+31 6 12345678')} heeft het onderwerp gewijzigd naar"
            f" “{group}”",
            f"{LRM}[{d} 16:27:00] {group}: {LRM}{_ios_phone('+31 6 12345678')} heeft de groepsafbeelding gewijzigd",
        ]
    )


def android_media_nl() -> str:
    """Dutch Android media: view-once, locations, a venue, missed calls, contact cards, omitted media with
    captions, a voice note, and deletions by the owner and by others."""
    d = "23-03-2022"
    lines = [
        f"{d} 13:31 - {E2E_ANDROID_NL}",
        f"{d} 13:32 - Dmitry S: null",
        f"{d} 13:33 - Dmitry S: locatie: https://maps.google.com/?q=36.66704559326172,29.12310028076172",
        f"{d} 13:34 - Dmitry S: Çalış Plajı",
        "Fethiye, Muğla",
        "https://foursquare.com/v/calis-plaji/4c4c9b2b9c1ee21e3a1b8e10",
        f"{d} 13:35 - Ik: locatie: https://maps.google.com/?q=52.0799,4.3113",
        f"{d} 13:36 - Dmitry S: Gemiste spraakoproep",
        f"{d} 13:37 - Dmitry S: Gemiste spraakoproep",
        f"{d} 13:38 - Dmitry S: {LRM}Alex.vcf (bestand bijgevoegd)",
        f"{d} 13:39 - Ik: {LRM}TR.vcf (bestand bijgevoegd)",
        f"{d} 13:40 - Dmitry S: {LRM}PTT-20220323-WA0000.opus (bestand bijgevoegd)",
        f"{d} 13:41 - Dmitry S: <Media weggelaten>",
        "Caption",
        f"{d} 13:42 - Ik: <Media weggelaten>",
        "Some file",
    ]
    lines += [f"{d} 13:{43 + i} - Dmitry S: <Media weggelaten>" for i in range(10)]
    lines += [f"{d} 14:0{i} - Ik: U hebt dit bericht verwijderd" for i in range(2)]
    lines += [f"{d} 14:1{i} - Dmitry S: Dit bericht is verwijderd" for i in range(5)]
    return _join(lines)


def ios_media_en() -> str:
    """English iOS with media: security code changes, a document with its page count, a GIF, a deletion
    by the owner, and media omitted of every kind."""
    d = "3/27/22"
    return _join(
        [
            f"[{d}, 21:41:00] Elon Musk: {LRM}Messages and calls are end-to-end encrypted. No one outside of this"
            " chat, not even WhatsApp, can read or listen to them.",
            f"[{d}, 21:41:35] Dmitry S: Hello World",
            f"{LRM}[{d}, 21:41:40] Elon Musk: {LRM}{LRM}Your security code with Elon Musk changed. {LRM}Tap to learn more.",
            f"{LRM}[{d}, 21:42:00] Dmitry S: Resume-Dmitry-Starkov.pdf • {LRM}2 pages"
            f" {LRM}<attached: 00000047-Resume-Dmitry-Starkov.pdf>",
            f"{LRM}[{d}, 21:43:00] Dmitry S: {LRM}<attached: 00000050-GIF-2022-03-27-21-43-00.mp4>",
            f"{LRM}[{d}, 21:44:00] Dmitry S: {LRM}You deleted this message.",
            f"{LRM}[{d}, 21:45:00] Elon Musk: {LRM}{LRM}Your security code with Elon Musk changed. {LRM}Tap to learn more.",
            f"{LRM}[{d}, 21:46:00] Elon Musk: {LRM}image omitted",
            f"{LRM}[{d}, 21:46:10] Elon Musk: {LRM}video omitted",
            f"{LRM}[{d}, 21:46:20] Elon Musk: {LRM}audio omitted",
            f"{LRM}[{d}, 21:46:30] Elon Musk: {LRM}sticker omitted",
            f"{LRM}[{d}, 21:46:40] Elon Musk: {LRM}Contact card omitted",
            f"{LRM}[{d}, 21:46:50] Elon Musk: Plan.pdf • {LRM}1 page {LRM}document omitted",
        ]
    )


def android_timers_en() -> str:
    """An English Android group: created, members added and removed, the subject changed, and the
    message timer set to 24 hours, 7 days and 90 days, then switched off."""
    d = "3/18/22"

    def timer(period: str) -> str:
        return (
            f"You updated the message timer. New messages will disappear from this chat {period} after they're sent."
            " Tap to change."
        )

    return _join(
        [
            f"{d}, 14:56 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even"
            " WhatsApp, can read or listen to them. Tap to learn more.",
            f'{d}, 14:56 - You created group "Group Chat XXX"',
            f"{d}, 14:56 - You added Elon Musk",
            f"{d}, 14:57 - Dmitry S: Hello group",
            f"{d}, 14:58 - {timer('24 hours')}",
            f"{d}, 14:59 - Elon Musk: Hi",
            f"{d}, 15:00 - {timer('7 days')}",
            f"{d}, 15:01 - {timer('90 days')}",
            f'{d}, 15:02 - You changed the subject from "Group Chat XXX" to "Group Chat YYY"',
            f"{d}, 15:03 - You turned off disappearing messages. Tap to change.",
            f"{d}, 15:04 - You added Jeff",
            f"{d}, 15:05 - You removed Jeff",
            f"{d}, 15:06 - Dmitry S: Bye",
        ]
    )


def date_orders() -> dict[str, str]:
    """One short chat (1, 20 and 30 January 2019) in the date orders day-month, month-day (two- and
    four-digit years, 12 hours) and year-month-day; all but the month-day one are plain."""
    times = [(1, 1, "11:25", "11:25 a. m."), (1, 20, "11:23", "11:23 a. m."), (1, 30, "20:49", "08:49 p. m.")]
    bodies = ["Lorem ipsum dolor sit amet.", "You were added", "Consectetur adipiscing elit."]

    def chat(header) -> str:  # type: ignore[no-untyped-def]
        lines = []
        for (month, day, clock, twelve), body in zip(times, bodies, strict=True):
            sender = "" if body == "You were added" else "John Doe: "
            lines.append(header(month, day, clock, twelve) + sender + body)
        return _join(lines)

    return {
        "ddmmyy": chat(lambda m, d, c, t: f"{d:02d}/{m:02d}/19, {c} - "),
        "mmddyy": chat(lambda m, d, c, t: f"{m:02d}/{d:02d}/19, {c} - "),
        "mmddyyyy_12h": chat(lambda m, d, c, t: f"{m:02d}/{d:02d}/2019, {t} - "),
        "yyyymmdd": chat(lambda m, d, c, t: f"2019/{m:02d}/{d:02d}, {c} - "),
    }


def us_short_ambiguous() -> str:
    """M/D/YY where every date could be either order (1 and 2 May 2022): US short style is assumed."""
    return _join(
        [
            "5/1/22, 16:08 - Alice: Gisteren begonnen",
            "5/2/22, 16:08 - Alice: Hoi, ik heb de chat gemaakt",
            "5/2/22, 16:09 - Alice: You deleted this message",
        ]
    )
