"""Writing the index: idempotent syncs, changed messages re-indexed, clashing time keys, and removal
that leaves no word of a message in the index (entries, FTS5 shadow tables, tsvector rows)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection, transaction

from chatarchief.archive.models import Custodian, Message
from chatarchief.archive.services import registry
from chatarchief.core.search import keys
from chatarchief.intake.pipeline import ingest
from chatarchief.search import services
from chatarchief.search.models import SearchEntry
from tests.generators.whatsapp import Spec, write_export
from tests.search import world as w

SECRET = "Zwartschaapsgeheim over de coördinatie bij oom Kees"


def hits(query: str) -> set[str]:
    result = services.search(Custodian.objects.all(), query, limit=100)
    return {w.Message.objects.get(pk=h.message_id).body for h in result.hits}


def stored_words() -> set[str]:
    """Every term the full-text index holds (FTS5 vocabulary, or the tsvector lexemes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_fts, row)"
            )
            cursor.execute("SELECT term FROM temp.search_vocab")
        else:
            cursor.execute(
                "SELECT DISTINCT lexeme FROM search_document, unnest(document) AS u(lexeme)"
                " UNION SELECT lexeme FROM search_termcount"
            )
        return {r[0] for r in cursor.fetchall()}


def in_fts5_pages(fragment: bytes) -> bool:
    """Whether the FTS5 segment pages hold these bytes (a term's tail: terms are prefix-compressed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT block FROM search_fts_data")
        return any(fragment in bytes(block) for (block,) in cursor.fetchall() if block)


def fulltext_rows() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT (SELECT count(*) FROM search_fts_content) + (SELECT count(*) FROM search_fts_docsize)"
            )
            return cursor.fetchone()[0] // 2
        cursor.execute("SELECT count(*) FROM search_document")
        return cursor.fetchone()[0]


def test_syncing_again_changes_nothing(world):
    count = SearchEntry.objects.count()
    assert count == Message.objects.count()
    assert services.index_custodian(world.a.pk) == 0
    assert services.index_delivery(1) == 0
    assert services.index_messages(Message.objects.filter(conversation=world.crisisteam).values_list("pk", flat=True))
    assert SearchEntry.objects.count() == count == fulltext_rows()


def test_an_entry_filed_under_another_conversation_is_replaced_not_doubled(world):
    """The sync reads a conversation's entries by their conversation; an entry whose conversation is
    not its message's is found by the message id and indexed anew (one entry a message)."""
    message = Message.objects.filter(conversation=world.crisisteam).order_by("pk").first()
    other = Message.objects.exclude(conversation=world.crisisteam).first().conversation_id
    SearchEntry.objects.filter(message_id=message.pk).update(conversation_id=other)
    assert services.index_conversation(world.crisisteam.pk) == 1
    entry = SearchEntry.objects.get(message_id=message.pk)
    assert entry.conversation_id == world.crisisteam.pk
    assert SearchEntry.objects.count() == Message.objects.count() == fulltext_rows()
    assert services.index_conversation(world.crisisteam.pk) == 0


def test_an_edited_message_is_indexed_anew(world, tmp_path, settings):
    settings.CHATARCHIEF_SEARCH_INDEX_AT_INGEST = False  # this test indexes by hand
    specs = list(w.CRISISTEAM)
    specs[4] = w.Spec("Anne de Vries", specs[4].at, "minister financien akkoord, met aanvulling", kind="edited")
    path = tmp_path / "later" / "WhatsApp-chat met Crisisteam.txt"
    path.parent.mkdir()
    write_export(path, specs, title="Crisisteam")
    outcome = ingest(path, world.a, actor="test", exported_at=dt.datetime(2024, 4, 1, tzinfo=dt.UTC))
    assert outcome.counts["edited"] == 1
    assert hits("aanvulling") == set()
    assert services.index_delivery(outcome.delivery.pk) == 1
    assert hits("aanvulling") == {"minister financien akkoord, met aanvulling"}
    assert SearchEntry.objects.count() == Message.objects.count()


def _same_minute_chat(tmp_path, custodian) -> list[int]:
    at = dt.datetime(2024, 5, 1, 12, 0)
    specs = [Spec("Anne de Vries", at, f"botsing nummer {i}") for i in range(3)]
    path = tmp_path / "WhatsApp-chat met Botsing.txt"
    write_export(path, specs, title="Botsing")
    assert ingest(path, custodian, actor="test").status == "ingested"
    return list(Message.objects.filter(body__startswith="botsing").order_by("pk").values_list("pk", flat=True))


def test_messages_of_the_same_moment_whose_slots_clash_get_free_keys(world, tmp_path, monkeypatch, settings):
    settings.CHATARCHIEF_SEARCH_INDEX_AT_INGEST = False  # this test indexes by hand
    first, _, third = _same_minute_chat(tmp_path, world.a)
    monkeypatch.setattr(keys, "SLOTS", third - first)  # two slots a millisecond: first and third want one
    services.index_messages([first])
    services.index_messages([third])  # clashes in the database, moves to the next slot
    entries = list(SearchEntry.objects.filter(message_id__in=[first, third]))
    assert len({e.id for e in entries}) == 2
    assert {e.id // keys.SLOTS for e in entries} == {entries[0].sent_at_ms}
    assert hits("botsing") == {"botsing nummer 0", "botsing nummer 2"}


def test_removal_leaves_no_word_behind(world, tmp_path):
    custodian = registry.add_custodian("oom-kees", name="Oom Kees", actor="test")
    path = tmp_path / "WhatsApp-chat met Familie.txt"
    write_export(path, [Spec("Kees", dt.datetime(2024, 6, 1, 20, 0), SECRET)], title="Familie")
    outcome = ingest(path, custodian, actor="test")
    services.index_delivery(outcome.delivery.pk)
    message = Message.objects.get(body=SECRET)
    assert hits("zwartschaapsgeheim") == {SECRET}
    assert "zwartschaapsgeheim" in stored_words()
    sqlite = connection.vendor == "sqlite"
    assert in_fts5_pages(b"chaapsgeheim") if sqlite else True
    before = fulltext_rows()

    assert services.remove_conversation(message.conversation_id) == 2  # with the chat's system line
    assert services.remove_messages([message.pk]) == 0  # idempotent

    assert hits("zwartschaapsgeheim") == set()
    assert hits("coordinatie") and SECRET not in hits("coordinatie")
    assert not {"zwartschaapsgeheim", "oom", "kees", "~zwartschaapsgeheim"} & stored_words()
    assert not (sqlite and in_fts5_pages(b"chaapsgeheim"))  # deleted rows' terms merged away
    assert fulltext_rows() == before - 2
    assert not SearchEntry.objects.filter(message=message).exists()
    assert not SearchEntry.objects.filter(text__contains="Zwartschaap").exists()


def test_removal_then_scrub_on_a_committed_database(transactional_db, tmp_path):
    world = w.build(tmp_path)
    message = Message.objects.get(body="Ideeën voor het reële plan")
    services.remove_messages([message.pk])
    services.scrub_freed_space()
    assert hits("ideeen") == set()
    assert "reel" not in stored_words() and "ideeen" not in stored_words()
    assert hits("coordinatie")
    with transaction.atomic(), pytest.raises(RuntimeError):
        services.scrub_freed_space()
    assert world.a.slug == "minister-a"


def test_entries_of_messages_deleted_without_removal_are_found_and_removed(world):
    message = Message.objects.get(body="Crisis overleg met de burgemeester")
    Message.objects.filter(pk=message.pk).delete()  # as a careless deletion would: the entry stays
    assert SearchEntry.objects.filter(message_id=message.pk).exists()
    assert services.remove_orphans() == 1
    assert services.remove_orphans() == 0
    assert not SearchEntry.objects.filter(message_id=message.pk).exists()
    assert "burgemeester" not in stored_words()
    assert SearchEntry.objects.count() == Message.objects.count() == fulltext_rows()


def test_a_big_load_ends_with_the_index_merged_and_statistics_fresh(world, monkeypatch):
    from chatarchief.search.backends import postgres, sqlite

    monkeypatch.setattr(sqlite, "OPTIMIZE_AFTER", 1)
    monkeypatch.setattr(postgres, "ANALYZE_AFTER", 1)
    before = hits("coordinatie OR begroting")
    assert services.index_messages(Message.objects.values_list("pk", flat=True)) == Message.objects.count()
    assert hits("coordinatie OR begroting") == before
    assert SearchEntry.objects.count() == Message.objects.count() == fulltext_rows()


def test_emptied_entries_take_the_fulltext_rows_with_them(world):
    from chatarchief.search.backends import clear_fulltext_without_entries

    clear_fulltext_without_entries()
    assert fulltext_rows() == SearchEntry.objects.count() > 0  # entries exist: nothing touched
    SearchEntry.objects.all().delete()  # as `flush` does between transactional tests
    clear_fulltext_without_entries()
    assert fulltext_rows() == 0


def test_an_ingest_indexes_its_delivery(world, tmp_path):
    """The pipeline's after-ingest hook indexes what a delivery brought (search.ingest_hook)."""
    specs = [Spec("Anne de Vries", dt.datetime(2024, 6, 1, 9, 0), "nieuwe zaak over dijkversterking")]
    path = tmp_path / "WhatsApp-chat met Dijken.txt"
    write_export(path, specs, title="Dijken")
    assert ingest(path, world.a, actor="test").status == "ingested"
    assert hits("dijkversterking") == {"nieuwe zaak over dijkversterking"}
    assert SearchEntry.objects.count() == Message.objects.count()


WORDS = ("coördinatie", "begroting", "minister", "de", "vergadering", "crisis", "financien", "geheim")


def totals(custodians, **options) -> dict[str, int]:
    """Each word's total as a one-hit page reports it (the page cannot tell it: the count runs)."""
    return {word: services.search(custodians, word, limit=1, **options).total for word in WORDS}


def counted(custodians, **options) -> dict[str, int]:
    """Each word's total by listing every hit."""
    return {word: len(services.search(custodians, word, limit=500, **options).hits) for word in WORDS}


def test_a_one_word_total_is_the_number_of_hits_through_every_change(world, tmp_path):
    """On PostgreSQL a one-word total comes from the per-custodian word counts the indexer keeps
    (search_termcount), not from the documents: it must agree with the hits after indexing,
    re-indexing, removal and with the custodian, conversation and exclusion filters."""
    everyone, some = Custodian.objects.all(), Custodian.objects.filter(pk__in=[world.a.pk, world.b.pk])
    expected = counted(everyone)
    assert expected["coördinatie"] >= 4 and expected["de"] >= 6  # the count path runs (more hits than 1)
    assert totals(everyone) == expected
    assert totals(some) == counted(some) != expected
    assert totals(everyone, conversation=world.crisisteam.pk) == counted(everyone, conversation=world.crisisteam.pk)
    skip = {"exclude_conversations": [world.kabinet.pk]}
    assert totals(everyone, **skip) == counted(everyone, **skip) != expected

    services.index_messages(Message.objects.values_list("pk", flat=True))  # everything again: no double counts
    assert totals(everyone) == expected
    gone = Message.objects.filter(body__icontains="coördinatie").values_list("pk", flat=True)[:2]
    assert services.remove_messages(list(gone)) == 2
    after = counted(everyone)
    assert after["coördinatie"] == expected["coördinatie"] - 2
    assert totals(everyone) == after
    services.remove_conversation(world.crisisteam.pk)
    assert totals(everyone) == counted(everyone)
    services.remove_messages(Message.objects.filter(conversation__custodian=world.c).values_list("pk", flat=True))
    assert totals(everyone) == counted(everyone)
    if connection.vendor == "postgresql":  # nothing counted for a custodian no longer indexed
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_termcount WHERE custodian_id = %s", [world.c.pk])
            assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word counts; runs in the PostgreSQL suite")
def test_the_migration_counts_what_the_indexer_counted(world):
    """Search migration 0002 counts the words of rows indexed before it from their tsvectors; that
    must be what the indexer keeps itself, batch after batch and after a removal."""
    migration = importlib.import_module("chatarchief.search.migrations.0002_termcount")
    services.remove_messages(Message.objects.filter(body__icontains="begroting").values_list("pk", flat=True)[:1])
    with connection.cursor() as cursor:
        cursor.execute(migration.COUNTS)
        counted_now = set(cursor.fetchall())
        cursor.execute("SELECT lexeme, custodian_id, n FROM search_termcount")
        kept = set(cursor.fetchall())
    assert kept == counted_now
    assert len(kept) > 20 and {custodian for _, custodian, _ in kept} == {world.a.pk, world.b.pk, world.c.pk}
