"""The migration that adds article pairs to the PostgreSQL tsvectors indexed before them
(search/migrations/0003_article_pairs.py): documents written in the old form are rebuilt from their
entries' text, equal to what the indexer writes now, and a phrase found through its pairs finds them."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from chatarchief.archive.models import Custodian
from chatarchief.core.search import compile as compiled
from chatarchief.core.search import index_forms, to_tsvector
from chatarchief.search import services

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's tsvectors; runs in the PostgreSQL suite"
)


def _documents() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT d.id, e.text FROM search_document d JOIN search_searchentry e ON e.id = d.id")
        return dict(cursor.fetchall())


def _stored() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, document::text FROM search_document")
        return dict(cursor.fetchall())


def _as_postgres_writes(documents: dict[int, str]) -> dict[int, str]:
    """The tsvectors' text as PostgreSQL gives it back (lexemes sorted), for comparison."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.id, v.document::tsvector::text FROM unnest(%s::bigint[], %s::text[]) AS v(id, document)",
            [list(documents), list(documents.values())],
        )
        return dict(cursor.fetchall())


def test_old_documents_gain_their_pairs(world, monkeypatch):
    texts = _documents()
    assert any("De minister" in text for text in texts.values())
    with monkeypatch.context() as patched:  # the indexer as it was: no pairs
        patched.setattr(compiled, "pairs", lambda stems: [])
        old = {key: to_tsvector(*_forms(text)) for key, text in texts.items()}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE search_document d SET document = v.document::tsvector"
            " FROM unnest(%s::bigint[], %s::text[]) AS v(id, document) WHERE d.id = v.id",
            [list(old), list(old.values())],
        )
    everyone = Custodian.objects.all()
    assert "^" not in "".join(_stored().values())
    assert services.search(everyone, '"de minister"').total == 0  # the pair is asked for and not there yet

    migration = importlib.import_module("chatarchief.search.migrations.0003_article_pairs")
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches
    migration.rebuild(None, type("Editor", (), {"connection": connection})())

    new = {key: to_tsvector(*_forms(text)) for key, text in texts.items()}
    assert _stored() == _as_postgres_writes(new)
    assert f"'{compiled.pairs(_forms('De minister')[0])[0]}'" in "".join(_stored().values())
    hits = services.search(everyone, '"de minister"').hits
    assert [h.snippet for h in hits] and all("<mark>De minister</mark>" in h.snippet for h in hits)


def _forms(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    forms = index_forms(text)
    return forms.stems, forms.variants
