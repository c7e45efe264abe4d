"""The search index: one entry per archived message (the archive's own tables stay untouched).

The entry keeps what a hit shows (text, sender, time) and the filters (custodian, conversation,
channel). The full-text part lives beside it, per backend (see migrations/0001_initial.py):
SQLite: the FTS5 table `search_fts` (rowid = entry id); PostgreSQL: the narrow table
`search_document` (id = entry id, custodian, conversation, tsvector) with a GIN index. Entries are written by `search.services` with raw SQL in bulk.

The links carry no database constraint: an entry is derived data, and foreign keys would check
(and on PostgreSQL lock) a parent row for every one of a million rows of a bulk load. Whoever deletes
messages (exclusion) calls `search.services.remove_messages` first; `remove_orphans()` finds and
removes entries whose message is gone, should that ever be forgotten.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class TimeKeyField(models.BigIntegerField):
    """A 64-bit key that is SQLite's rowid (declared ``integer``), so it needs no second index."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class SearchEntry(models.Model):
    id = TimeKeyField(primary_key=True)  # core.search.keys.time_key: ordered by sending time
    message = models.OneToOneField(
        "archive.Message", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    custodian = models.ForeignKey(
        "archive.Custodian", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    conversation = models.ForeignKey(
        "archive.Conversation", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    sent_at_ms = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    sender = models.CharField(max_length=300, blank=True)
    sender_words = models.TextField(blank=True)  # " anne de vries ": folded words, for the sender filter
    text = models.TextField(blank=True)  # body + attachment file names: what was indexed, for snippets
    digest = models.CharField(max_length=48)  # the message's digest when indexed: a changed one is stale

    class Meta:
        indexes = [models.Index(fields=["conversation", "id"], name="search_entry_conversation")]


class IndexedCustodian(models.Model):
    """A custodian with messages in the index (kept when they are removed: a longer list is harmless).

    SQLite's search decides its custodian filter from it: no filter when every indexed custodian
    may be read, else the shorter of "one of these" and "none of those"."""

    custodian = models.OneToOneField(
        "archive.Custodian", on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
