"""Reconciliation as a pure function: matching an export against archived messages."""

from __future__ import annotations

from chatarchief.core.identity import content_digest, normalise_text, occurrence_keys
from chatarchief.core.model import Attachment, Deleter, Kind, Message
from chatarchief.core.reconcile import ArchivedRef, Change, reconcile

T0 = 1_700_000_000_000 - (1_700_000_000_000 % 60_000)


def msg(
    index: int, body: str, *, sender: str = "Alice", minute: int = 0, second: int = 0, kind: Kind = Kind.TEXT, **kw
) -> Message:
    return Message(
        index=index, sender=sender, sent_at_ms=T0 + minute * 60_000 + second * 1000, kind=kind, body=body, **kw
    )


def archive_of(messages: list[Message], start_id: int = 1) -> list[ArchivedRef]:
    refs = []
    for n, (m, key) in enumerate(zip(messages, occurrence_keys(messages), strict=True)):
        refs.append(ArchivedRef(start_id + n, key[0], key[1], key[2], key[3], m.kind.value, m.native_id, m.edited))
    return refs


def test_normalise_text_folds_bidi_marks_and_spaces():
    assert normalise_text("\u200eHoi\u00a0 daar\u202f!") == "Hoi daar !"
    assert normalise_text("  a\r\nb ") == "a b"


def test_same_export_again_is_all_unchanged():
    export = [msg(0, "hoi"), msg(1, "hoe gaat het", minute=1), msg(2, "hoi", minute=1)]
    result = reconcile(export, archive_of(export))
    assert [m.change for m in result.matches] == [Change.UNCHANGED] * 3
    assert result.new == [] and result.unmatched == []


def test_equal_texts_in_one_minute_stay_two_messages():
    once = [msg(0, "ok")]
    twice = [msg(0, "ok"), msg(1, "ok", second=30)]
    result = reconcile(twice, archive_of(once))
    assert len(result.matches) == 1 and result.new == [1]
    assert result.keys[0][3] == 0 and result.keys[1][3] == 1


def test_android_minute_matches_ios_second():
    android = [msg(0, "zelfde bericht", minute=3)]
    ios = [msg(0, "zelfde bericht", minute=3, second=41)]
    result = reconcile(ios, archive_of(android))
    assert [m.change for m in result.matches] == [Change.UNCHANGED]


def test_tombstone_lines_up_with_the_archived_original():
    january = [msg(0, "eerste"), msg(1, "geheim", minute=2), msg(2, "derde", minute=5)]
    february = [
        msg(0, "eerste"),
        msg(1, "", minute=2, kind=Kind.DELETED, deleted_by=Deleter.OTHER),
        msg(2, "derde", minute=5),
    ]
    result = reconcile(february, archive_of(january))
    changes = {m.index: m.change for m in result.matches}
    assert changes == {0: Change.UNCHANGED, 1: Change.DELETED, 2: Change.UNCHANGED}
    assert result.new == []


def test_original_arriving_after_its_tombstone_enriches_it():
    february = [msg(0, "", kind=Kind.DELETED, deleted_by=Deleter.SELF)]
    january = [msg(0, "nog leesbaar")]
    result = reconcile(january, archive_of(february))
    assert [m.change for m in result.matches] == [Change.ENRICHED]


def test_edit_marker_pairs_with_the_old_text_both_ways():
    old = [msg(0, "om 10:00")]
    new = [msg(0, "om 11:00", edited=True)]
    assert [m.change for m in reconcile(new, archive_of(old)).matches] == [Change.EDITED]
    assert [m.change for m in reconcile(old, archive_of(new)).matches] == [Change.EDITED]


def test_plain_different_text_same_minute_is_a_new_message():
    result = reconcile([msg(0, "b")], archive_of([msg(0, "a")]))
    assert result.matches == [] and result.new == [0] and [r.id for r in result.unmatched] == [1]


def test_media_enriches_placeholder_and_placeholder_matches_media():
    placeholder = [msg(0, "", kind=Kind.MEDIA, attachments=[Attachment(None, omitted=True, media_type="image")])]
    present = [msg(0, "", kind=Kind.MEDIA, attachments=[Attachment("IMG.jpg", sha256="ab" * 32, media_type="image")])]
    assert content_digest(placeholder[0]).startswith("media?")
    assert [m.change for m in reconcile(present, archive_of(placeholder)).matches] == [Change.ENRICHED]
    assert [m.change for m in reconcile(placeholder, archive_of(present)).matches] == [Change.UNCHANGED]


def test_two_different_files_stay_two_messages():
    one = [msg(0, "", kind=Kind.MEDIA, attachments=[Attachment("a.jpg", sha256="aa" * 32)])]
    two = [msg(0, "", kind=Kind.MEDIA, attachments=[Attachment("b.jpg", sha256="bb" * 32)])]
    result = reconcile(two, archive_of(one))
    assert result.new == [0] and [r.id for r in result.unmatched] == [1]


def test_native_ids_match_whatever_the_content():
    archived = [msg(0, "origineel", native_id="123:alice:1")]
    deleted = [msg(0, "", kind=Kind.DELETED, deleted_by=Deleter.OTHER, native_id="123:alice:1", minute=9)]
    result = reconcile(deleted, archive_of(archived))
    assert [m.change for m in result.matches] == [Change.DELETED]


def test_missing_message_is_left_unmatched():
    january = [msg(0, "a"), msg(1, "b", minute=1), msg(2, "c", minute=2)]
    february = [msg(0, "a"), msg(2, "c", minute=2)]
    result = reconcile(february, archive_of(january))
    assert [r.id for r in result.unmatched] == [2]


def test_lines_out_of_time_order_still_match():
    january = [msg(0, "vliegtuigstand", minute=4), msg(1, "eerder verzonden", minute=0)]
    february = list(reversed(january))
    result = reconcile(february, archive_of(january))
    assert sorted(m.change for m in result.matches) == [Change.UNCHANGED, Change.UNCHANGED]


def test_fast_digest_path_equals_the_normalised_digest():
    from hypothesis import given
    from hypothesis import strategies as st

    @given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
    def check(body):
        fast = occurrence_keys([msg(0, body)])[0][2]
        slow = content_digest(msg(0, normalise_text(body)))
        assert fast == slow

    check()


def test_occurrences_count_equal_keys_in_export_order():
    export = [msg(0, "ok"), msg(1, "anders"), msg(2, "ok", second=10), msg(3, "ok", sender="Bob"), msg(4, "ok")]
    keys = occurrence_keys(export)
    assert keys.occurrences == [0, 0, 1, 0, 2]
    assert keys[4] == ("Alice", T0 // 60_000, keys.digests[0], 2)
    assert len(set(keys.match)) == 5 and keys[1:3] == [keys[1], keys[2]]


def test_match_key_keeps_a_sender_with_separators_apart():
    from chatarchief.core.identity import SEPARATOR, match_key

    tricky = f"Alice{SEPARATOR}1"
    assert match_key(tricky, 5, "d", 0) != match_key("Alice", 5, "d", 1)
    assert match_key(tricky, 5, "d", 0).split(SEPARATOR, 3)[3] == tricky
