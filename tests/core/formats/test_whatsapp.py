"""WhatsApp parser against the real peer fixtures (read in place)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from chatarchief.core import formats
from chatarchief.core.formats import whatsapp
from chatarchief.core.model import Channel, Deleter, Kind, ParseOptions, SystemEvent
from tests.paths import PEER, SHARED_CORPUS

MINVWS = PEER / "DSA-WhatsApp-merger" / "Demo Data" / "Chats"
CAROL = MINVWS / "Carol Christmas" / "Export Carol" / "WhatsApp-chat met Test export.txt"
DAVE = MINVWS / "Dave Davidson" / "Dave 1 media" / "_chat.txt"
ALICE = MINVWS / "Alice Wonderland" / "Export 1" / "WhatsApp Chat with Test export.txt"
BOB = MINVWS / "Bob Bobsen" / "Export Bob" / "WhatsApp Chat with Test export.txt"
WJ = PEER / "whats_json" / "test" / "data"
DUTCH_ANDROID = WJ / "languages" / "deutch_android_media.txt"
GROUP_XXX = WJ / "android" / "WhatsApp Chat with Group Chat XXX Android.txt"
AMS = dt.timezone(dt.timedelta(hours=2))  # CEST, for the May 2022 fixtures

# (path relative to PEER, message count, platform): counts checked by reading the files
# (header lines; continuation lines do not count).
FIXTURES = (
    [
        (
            "DSA-WhatsApp-merger/Demo Data/Chats/Alice Wonderland/Export 1/WhatsApp Chat with Test export.txt",
            68,
            "android",
        ),
        ("DSA-WhatsApp-merger/Demo Data/Chats/Bob Bobsen/Export Bob/WhatsApp Chat with Test export.txt", 77, "android"),
        (
            "DSA-WhatsApp-merger/Demo Data/Chats/Carol Christmas/Export Carol/WhatsApp-chat met Test export.txt",
            78,
            "android",
        ),
        ("DSA-WhatsApp-merger/Demo Data/Chats/Dave Davidson/Dave 1 media/_chat.txt", 75, "ios"),
        ("rwhatsapp/inst/extdata/sample.txt", 9, "android"),
        ("rwhatsapp/inst/extdata/sample.zip", 9, "android"),
        ("chat-miner/test/whatsapp/test_[mmddyy]_24hrs.txt", 9, "ios"),
        ("chat-miner/test/whatsapp/test_ddmmyy_24hrs.txt", 9, "android"),
        ("chat-miner/test/whatsapp/test_mmddyy_24hrs.txt", 9, "android"),
        ("chat-miner/test/whatsapp/test_mmddyyyy_12hrs.txt", 9, "android"),
        ("chat-miner/test/whatsapp/test_yyyymmdd_24hrs.txt", 9, "android"),
        ("whatstk/chats/whatsapp/lorem-2000.txt", 2000, "ios"),
        ("whatstk/chats/whatsapp/lorem.txt", 500, "ios"),
        ("whatstk/chats/whatsapp/lorem-merge-part1.txt", 300, "android"),
        ("whatstk/chats/whatsapp/lorem-merge-part2.txt", 300, "android"),
        ("whatstk/chats/whatsapp/pokemon.txt", 20, "android"),
        ("whats_json/test/data/android/Chat WhatsApp s\u00a0uživatelem Dmitry S CZ Android.txt", 60, "android"),
        ("whats_json/test/data/android/WhatsApp Chat with Dmitry S EN Android.txt", 60, "android"),
        ("whats_json/test/data/android/WhatsApp Chat with Dmitry S EN+Media Android.txt", 60, "android"),
        ("whats_json/test/data/android/WhatsApp Chat with Group Chat XXX Android.txt", 20, "android"),
        ("whats_json/test/data/android/Чат WhatsApp с\u00a0контактом Dmitry S RU Android.txt", 60, "android"),
        ("whats_json/test/data/calendars/Buddhist iOS.txt", 28, "ios"),
        ("whats_json/test/data/calendars/Gregorian iOS.txt", 25, "ios"),
        ("whats_json/test/data/calendars/Japanese iOS.txt", 28, "ios"),
        ("whats_json/test/data/ios/iOS Hindi.txt", 28, "ios"),
        ("whats_json/test/data/ios/iOS Indonesian.txt", 28, "ios"),
        ("whats_json/test/data/ios/iOS Japanese.txt", 28, "ios"),
        ("whats_json/test/data/ios/iOS Thai.txt", 28, "ios"),
        ("whats_json/test/data/ios/iOS Vietnamese.txt", 28, "ios"),
        ("whats_json/test/data/ios/WhatsApp Chat - Elon Musk (RU).zip", 25, "ios"),
    ]
    + [
        (f"whats_json/test/data/ios/WhatsApp Chat - Elon Musk ({lang}).txt", 25, "ios")
        for lang in ("Arabic", "CZ", "EN", "EN+Media", "FR", "German", "IT", "Portugal", "RU", "Spanish", "UKR")
    ]
    + [
        (f"whats_json/test/data/languages/{name}.txt", count, platform)
        for name, count, platform in (
            ("arabic2_ios", 23, "ios"),
            ("arabic_ios", 23, "ios"),
            ("czech_android", 60, "android"),
            ("czech_ios", 23, "ios"),
            ("deutch_android_media", 41, "android"),
            ("deutch_ios", 23, "ios"),
            ("english_android", 60, "android"),
            ("english_android_media", 60, "android"),
            ("english_ios", 23, "ios"),
            ("english_ios_media", 25, "ios"),
            ("french_ios", 23, "ios"),
            ("hindi_ios", 23, "ios"),
            ("indonesian_ios", 23, "ios"),
            ("italian_ios", 23, "ios"),
            ("japanese_ios", 23, "ios"),
            ("portugal_ios", 23, "ios"),
            ("russian_android", 60, "android"),
            ("russian_ios", 23, "ios"),
            ("spanish_ios", 23, "ios"),
            ("thai_ios", 23, "ios"),
            ("ukrainian_ios", 23, "ios"),
            ("vietnamese_ios", 23, "ios"),
        )
    ]
)


def parse(path, **options):
    return whatsapp.parse(str(path), ParseOptions(**options))


def messages(path, **options):
    return parse(path, **options).conversations[0].messages


def raw_lines(path, message):
    """The raw text of a message (the parser leaves `raw` empty; the file keeps it)."""
    return whatsapp.raw_lines(str(path), message)


@SHARED_CORPUS
@pytest.mark.parametrize(("relative", "count", "platform"), FIXTURES, ids=[f[0].rsplit("/", 1)[-1] for f in FIXTURES])
def test_every_peer_fixture_parses(relative, count, platform):
    path = PEER / relative
    assert whatsapp.detect(str(path))
    export = parse(path)
    conversation = export.conversations[0]
    assert export.format == "whatsapp" and export.channel is Channel.WHATSAPP
    assert export.platform == platform
    assert len(conversation.messages) == count
    assert export.defects == []
    assert [m.index for m in conversation.messages] == list(range(count))
    lines = [m.line for m in conversation.messages]
    assert lines == sorted(lines) and lines[0] == 1
    years = {m.sent_at.year for m in conversation.messages}
    assert years <= set(range(2015, 2024)), years  # Buddhist/Japanese years converted, 2-digit years 20xx
    assert all(
        m.precision_ms == (60_000 if platform == "android" and "lorem" not in relative else m.precision_ms)
        for m in conversation.messages
    )


@SHARED_CORPUS
def test_registered_and_detected_by_registry():
    assert formats.get("whatsapp").label == "WhatsApp-export"
    assert formats.detect(str(CAROL)).name == "whatsapp"


@SHARED_CORPUS
def test_carol_android_dutch():
    export = parse(CAROL)
    conv = export.conversations[0]
    msgs = conv.messages
    assert conv.title == "Test export" and conv.key == "test export" and conv.is_group
    assert export.locale == "nl" and export.platform == "android"
    first = msgs[0]
    assert first.kind is Kind.SYSTEM and first.event is SystemEvent.E2E_NOTICE and first.sender is None
    assert msgs[1].event is SystemEvent.GROUP_CREATED and msgs[1].body == "Alice heeft de groep Test export gemaakt"
    assert msgs[1].raw == "" and raw_lines(CAROL, msgs[1]).startswith("02-05-2022 16:08 - \u200eAlice")
    hoi = msgs[3]
    assert (hoi.sender, hoi.body, hoi.raw_time, hoi.precision_ms) == (
        "Alice",
        "Hoi, ik heb de chat gemaakt",
        "",
        60_000,
    )
    assert raw_lines(CAROL, hoi) == "02-05-2022 16:08 - Alice: Hoi, ik heb de chat gemaakt"  # the time as written
    assert hoi.sent_at == dt.datetime(2022, 5, 2, 16, 8, tzinfo=AMS)
    assert msgs[6].sender == "+31611111111" and msgs[6].sender_name == "+31 6 11111111"
    deleted = [m for m in msgs if m.kind is Kind.DELETED]
    assert [(m.sender, m.deleted_by, m.body) for m in deleted] == [
        ("Alice", Deleter.OTHER, ""),
        ("Dave", Deleter.OTHER, ""),
        ("Dave", Deleter.OTHER, ""),
    ]
    quote = next(m for m in msgs if m.body.startswith("[5/2, 16:08] Alice"))
    assert quote.body.count("\n") == 4 and "[5/2, 16:09] Bob: De taal is ingesteld op: Engels" in quote.body
    joke = next(m for m in msgs if m.body.startswith("Komt een vis"))
    assert joke.body == 'Komt een vis bij de dokter,\n\nZegt de dokter: "ah ik zie het al: Uit de kom"'
    assert raw_lines(CAROL, joke) == "02-05-2022 16:21 - Alice: " + joke.body
    photo = next(m for m in msgs if m.attachments and m.attachments[0].filename == "IMG-20220502-WA0001.jpg")
    assert photo.kind is Kind.MEDIA and photo.body == "Dit is een foto"
    attachment = photo.attachments[0]
    assert (attachment.omitted, attachment.open, attachment.sha256, attachment.media_type) == (
        False,
        None,
        None,
        "image",
    )
    document = next(m for m in msgs if m.attachments and m.attachments[0].filename == "DOC-20220502-WA0006.")
    assert document.attachments[0].media_type == "document" and document.body == "Manifesto.pdf"
    events = [m.event for m in msgs if m.kind is Kind.SYSTEM]
    assert events.count(SystemEvent.MEMBER_LEFT) == 2 and SystemEvent.ADMIN_CHANGED in events
    assert SystemEvent.MEMBER_ADDED in events
    assert msgs[-1].body == "Wat jammer zeg, ik vond het zo gezellig" and msgs[-1].line == 88


@SHARED_CORPUS
def test_dave_ios_dutch():
    export = parse(DAVE)
    conv = export.conversations[0]
    msgs = conv.messages
    assert export.platform == "ios" and export.locale == "nl"
    assert conv.title == "Test export nieuwe naam"  # from the E2E pseudo-sender: the file is _chat.txt
    assert msgs[0].sender is None and msgs[0].event is SystemEvent.E2E_NOTICE
    assert msgs[1].event is SystemEvent.GROUP_CREATED and msgs[1].sender is None
    assert msgs[3].precision_ms == 1000 and msgs[3].sent_at == dt.datetime(2022, 5, 2, 16, 12, 20, tzinfo=AMS)
    # U+202A/U+202C and NBSP variants of one phone number become one participant key
    keys = {m.sender for m in msgs if m.sender}
    assert keys == {"Dave", "+31611111111", "+31612345678", "+31622222222"}
    assert export.self_participant is not None and export.self_participant.key == "Dave"
    assert [p.is_self for p in conv.participants if p.key == "Dave"] == [True]
    self_deleted = [m for m in msgs if m.deleted_by is Deleter.SELF]
    assert len(self_deleted) == 2 and all(m.sender == "Dave" and m.body == "" for m in self_deleted)
    other = [m for m in msgs if m.deleted_by is Deleter.OTHER]
    assert [m.sender for m in other] == ["+31612345678"]
    # out-of-order lines stay in file order
    airplane = next(m for m in msgs if m.body == "Ik stuur een bericht terwijl ik in vliegtuigstand ben")
    following = msgs[airplane.index + 1]
    assert following.sent_at_ms < airplane.sent_at_ms and following.index == airplane.index + 1
    manifesto = next(m for m in msgs if m.attachments and m.attachments[0].filename == "00000017-Manifesto.pdf")
    assert manifesto.kind is Kind.MEDIA and manifesto.body == "Manifesto.pdf"
    assert manifesto.attachments[0].media_type == "document" and manifesto.attachments[0].mime_type == "application/pdf"
    subject = next(m for m in msgs if m.event is SystemEvent.SUBJECT_CHANGED)
    assert subject.sender is None and "Test export nieuwe naam" in subject.body
    assert any(m.event is SystemEvent.ICON_CHANGED for m in msgs)
    assert raw_lines(DAVE, msgs[2]).startswith("[02-05-2022 16:11:34] \u200e+31 6 12345678")


@SHARED_CORPUS
def test_dutch_android_view_once_location_calls_contacts():
    msgs = messages(DUTCH_ANDROID)
    view_once = [m for m in msgs if m.kind is Kind.VIEW_ONCE]
    assert len(view_once) == 1 and view_once[0].body == "" and view_once[0].sender == "Dmitry S"
    locations = [m for m in msgs if m.kind is Kind.LOCATION]
    assert len(locations) == 3
    assert locations[0].details["latitude"] == pytest.approx(36.66704559326172)
    assert locations[1].body.startswith("Çalış Plajı\nFethiye, Muğla\nhttps://foursquare.com/v/")
    calls = [m for m in msgs if m.kind is Kind.CALL]
    assert [(m.event, m.sender, m.details) for m in calls] == [
        (SystemEvent.MISSED_CALL, "Dmitry S", {"call": "voice"})
    ] * 2
    contacts = [m for m in msgs if m.kind is Kind.CONTACT]
    assert [m.attachments[0].filename for m in contacts] == ["Alex.vcf", "TR.vcf"]
    omitted = [m for m in msgs if m.attachments and m.attachments[0].omitted]
    assert len(omitted) == 12 and all(m.kind is Kind.MEDIA and m.attachments[0].open is None for m in omitted)
    captioned = [m.body for m in omitted if m.body]
    assert captioned[:2] == ["Caption", "Some file"]
    voice = next(m for m in msgs if m.attachments and m.attachments[0].filename == "PTT-20220323-WA0000.opus")
    assert voice.attachments[0].media_type == "audio"
    assert sum(1 for m in msgs if m.deleted_by is Deleter.SELF) == 2
    assert sum(1 for m in msgs if m.deleted_by is Deleter.OTHER) == 5


@SHARED_CORPUS
def test_english_ios_media_security_code_and_self_delete():
    export = parse(WJ / "ios" / "WhatsApp Chat - Elon Musk (EN+Media).txt")
    msgs = export.conversations[0].messages
    codes = [m for m in msgs if m.event is SystemEvent.SECURITY_CODE_CHANGED]
    assert len(codes) == 2 and all(m.sender is None for m in codes)
    assert export.self_participant is not None and export.self_participant.key == "Dmitry S"
    resume = next(m for m in msgs if m.attachments and "Resume" in (m.attachments[0].filename or ""))
    assert (
        resume.body == "Resume-Dmitry-Starkov.pdf"
        and resume.attachments[0].filename == "00000047-Resume-Dmitry-Starkov.pdf"
    )
    gif = next(m for m in msgs if m.attachments and "GIF" in (m.attachments[0].filename or ""))
    assert gif.attachments[0].media_type == "gif"
    omitted = parse(WJ / "ios" / "WhatsApp Chat - Elon Musk (EN).txt").conversations[0].messages
    kinds = {m.attachments[0].media_type for m in omitted if m.attachments}
    assert {"image", "video", "audio", "sticker", "contact", "document"} <= kinds


@SHARED_CORPUS
def test_disappearing_timer_and_group_events():
    msgs = messages(GROUP_XXX)
    timers = [m.details["timer_seconds"] for m in msgs if m.event is SystemEvent.DISAPPEARING_ENABLED]
    assert timers == [86400, 604800, 7776000]
    assert [m.kind for m in msgs if m.event is SystemEvent.DISAPPEARING_DISABLED] == [Kind.SYSTEM]
    assert [m.event for m in msgs[1:3]] == [SystemEvent.GROUP_CREATED, SystemEvent.MEMBER_ADDED]
    assert msgs[15].event is SystemEvent.MEMBER_REMOVED and msgs[14].event is SystemEvent.MEMBER_ADDED
    assert msgs[8].event is SystemEvent.SUBJECT_CHANGED and msgs[8].sender is None


@SHARED_CORPUS
def test_date_orders_and_twelve_hour_clocks():
    alice = messages(ALICE)  # M/D/YY, all dates ambiguous: US short style wins
    assert alice[2].sent_at == dt.datetime(2022, 5, 2, 16, 8, tzinfo=AMS)
    assert alice[0].sent_at.date() == dt.date(2022, 5, 1)
    assert parse(BOB).self_participant is None  # Bob's export has no "You deleted" line
    assert parse(ALICE).self_participant.key == "Alice"
    twelve = messages(PEER / "chat-miner/test/whatsapp/test_mmddyyyy_12hrs.txt")
    local = [m.sent_at.astimezone(dt.timezone(dt.timedelta(hours=1))) for m in twelve]
    assert local[0].replace(tzinfo=None) == dt.datetime(2019, 1, 1, 11, 25)
    assert local[2].replace(tzinfo=None) == dt.datetime(2019, 1, 30, 20, 49)
    assert twelve[5].body == "You were added" and twelve[5].sender is None
    ymd = messages(PEER / "chat-miner/test/whatsapp/test_yyyymmdd_24hrs.txt")
    assert ymd[1].sent_at.date() == dt.date(2019, 1, 20)
    dmy = messages(PEER / "chat-miner/test/whatsapp/test_ddmmyy_24hrs.txt")
    mdy = messages(PEER / "chat-miner/test/whatsapp/test_mmddyy_24hrs.txt")
    assert [m.sent_at_ms for m in dmy] == [m.sent_at_ms for m in mdy]


@SHARED_CORPUS
def test_non_gregorian_calendars_are_converted():
    gregorian = messages(WJ / "calendars" / "Gregorian iOS.txt")
    for name in ("Buddhist iOS.txt", "Japanese iOS.txt"):
        other = messages(WJ / "calendars" / name)
        assert other[1].sent_at_ms == gregorian[1].sent_at_ms


@SHARED_CORPUS
def test_arabic_and_vietnamese_headers():
    arabic = messages(WJ / "languages" / "arabic_ios.txt")
    assert arabic[1].sent_at.astimezone(dt.timezone(dt.timedelta(hours=2))).hour == 21  # ٩ م = 9 pm
    assert arabic[0].sender is None or arabic[0].sender.startswith("+40")
    vietnamese = messages(WJ / "languages" / "vietnamese_ios.txt")
    assert vietnamese[1].body == "Hello World" and vietnamese[1].sent_at.date() == dt.date(2022, 3, 27)


@SHARED_CORPUS
def test_zip_with_chat_and_names():
    export = parse(PEER / "whats_json/test/data/ios/WhatsApp Chat - Elon Musk (RU).zip")
    assert export.conversations[0].title == "Elon Musk (RU)" and export.metadata["chat_file"] == "_chat.txt"
    sample = parse(PEER / "rwhatsapp/inst/extdata/sample.zip", source_name="WhatsApp Chat with Tes.zip")
    assert sample.conversations[0].title == "Tes" and sample.source_name == "WhatsApp Chat with Tes.zip"
    text = messages(PEER / "rwhatsapp/inst/extdata/sample.txt")
    assert [m.body for m in sample.conversations[0].messages] == [m.body for m in text]


@SHARED_CORPUS
def test_zip_media_become_readable_attachments(tmp_path):
    target = tmp_path / "WhatsApp Chat with Test export.zip"
    folder = ALICE.parent
    import zipfile

    with zipfile.ZipFile(target, "w") as archive:
        for item in folder.iterdir():
            archive.write(item, item.name)
    msgs = parse(target).conversations[0].messages
    photo = next(m for m in msgs if m.attachments and m.attachments[0].filename == "IMG-20220502-WA0003.jpg")
    attachment = photo.attachments[0]
    with attachment.open() as stream:
        data = stream.read()
    assert data == (folder / "IMG-20220502-WA0003.jpg").read_bytes() and attachment.size == len(data)
    assert hashlib.sha256(data).hexdigest()
    missing = next(m for m in msgs if m.attachments and m.attachments[0].filename == "Manifesto.pdf")
    assert missing.attachments[0].open is not None  # Manifesto.pdf is in Alice's folder too


def test_the_android_attachment_shortcut_classifies_like_the_general_path():
    from hypothesis import given
    from hypothesis import strategies as st

    from chatarchief.core.formats.whatsapp.content import classify

    names = st.text(alphabet=st.sampled_from(list("aZ9 ().-\u200e\u200f\u202a\u00e9\U0001f600")), max_size=20)
    marks = st.sampled_from(["", "\u200e", "\u200e\u200e", "\u200f", " ", "\u202a"])
    ends = st.sampled_from([" (bestand bijgevoegd)", " (file attached)", ")", " (bestand)"])

    @given(marks, names, ends)
    def check(mark, name, end):
        body = mark + name + end
        shortcut, general = classify(body, False), classify(body + " ", False)  # a trailing space: no shortcut
        assert (shortcut is None) == (general is None)
        if shortcut is not None and general is not None:
            assert (shortcut.kind, shortcut.body, shortcut.filename, shortcut.media_type, shortcut.locale) == (
                general.kind,
                general.body,
                general.filename,
                general.media_type,
                general.locale,
            )

    check()


def test_a_body_the_hint_passes_over_is_plain_text():
    """The scan classifies only bodies its hint points at (`scan._hinted`). It once pointed at every
    "(" (`broad` below); the narrower hint must still point at every such body `classify` finds
    special, or a special message would be stored as text."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from chatarchief.core.formats.whatsapp.content import EXACT, classify
    from chatarchief.core.formats.whatsapp.scan import _hinted

    pieces = [
        "(", ")", " ", "\n", ".", ":", "<", ">", "\u200e", "https://", "maps.google.com/?q=52.1,4.3",
        "foursquare.com/v/x", "IMG-1.jpg", "rapport.pdf", " • 3 pagina's", "document weggelaten",
        "document omitted", "file attached", "bestand bijgevoegd", "(file attached)", "(bestand bijgevoegd)",
        "attached: x.jpg", "bijgevoegd: x.jpg", "overleg", "de minister (BZK)", "ok", "image omitted",
        "Dit bericht is verwijderd", "null",
    ]  # fmt: skip
    bodies = st.lists(st.sampled_from(pieces), min_size=1, max_size=6).map("".join)

    broad = re.compile("[\u200e\u200f\u202a<(]|://")

    @settings(max_examples=600)
    @given(bodies)
    def check(body):
        if broad.search(body) and body not in EXACT and not _hinted(body):
            assert classify(body, False) is None, body

    check()
    for body in ("(document weggelaten", "x (y) document omitted", "IMG-1.jpg (file attached)"):
        assert classify(body, False) is not None and _hinted(body)
    assert not _hinted("de minister (BZK) belt morgen") and _hinted("scan.pdf (file attached)")


@SHARED_CORPUS
def test_columns_read_like_a_list_of_messages():
    """The parser keeps plain messages as columns; read out, they are the same messages."""
    from chatarchief.core.model import MessageColumns

    messages = parse(CAROL).conversations[0].messages
    assert isinstance(messages, MessageColumns) and messages.objects  # some kept as objects, most not
    as_list = list(messages)
    assert messages == as_list and as_list == list(parse(CAROL).conversations[0].messages)
    assert [m.index for m in messages] == list(range(len(messages)))
    assert messages[-1] == as_list[-1] and messages[1:3] == as_list[1:3]
    plain = next(i for i in range(len(messages)) if i not in messages.objects)
    assert messages[plain] is not messages[plain]  # a fresh object each time: change it via materialise
    kept = messages.materialise(plain)
    assert kept is messages[plain] and kept == as_list[plain]
    assert messages != as_list[:-1]
    with pytest.raises(IndexError):
        messages[-len(messages) - 1]
    with pytest.raises(IndexError):
        messages[len(messages)]
