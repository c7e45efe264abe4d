"""The Dutch stems both backends index are the ones PostgreSQL's `dutch` configuration makes."""

from __future__ import annotations

import pytest
from django.db import connection

from chatarchief.core.search import fold, stem
from tests.search import world as w
from tests.search.corpus import COMMON

EXTRA = (
    "vergaderingen vergaderde vergaderd afspraken mogelijkheden werkzaamheden gemeenten kinderen huizen "
    "regeringen ontwikkelingen ideeën zeeën knieën reële begrotingen besloten gezegd gebeld belde geplande "
    "staatssecretarissen gedeputeerden woordvoering afgestemd kamerbrieven coördinatie financiën"
).split()


@pytest.mark.django_db
def test_our_stems_are_postgresqls_dutch_stems():
    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's dutch_stem dictionary; runs in the PostgreSQL suite")
    vocabulary = {fold(word) for word in (*COMMON, *EXTRA)}
    for spec in (*w.CRISISTEAM, *w.KABINET, *w.SG_B, *w.EXTERN_C):
        vocabulary.update(fold(word) for word in spec.body.split() if word.isalpha())
    differences = {}
    with connection.cursor() as cursor:
        for word in sorted(vocabulary):
            cursor.execute("SELECT ts_lexize('dutch_stem', %s)", [word])
            lexemes = cursor.fetchone()[0]
            if lexemes and lexemes[0] != stem(word):  # [] is a stop word: we keep and stem those
                differences[word] = (lexemes[0], stem(word))
    assert len(vocabulary) > 200
    assert differences == {}
