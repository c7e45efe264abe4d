"""Both backends agree with a plain-Python reference on a generated Dutch chat: so they agree with
each other. Queries are drawn from the chat itself: words, phrases, prefixes, OR and NOT."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from chatarchief.archive.models import Custodian, Message
from chatarchief.archive.services import registry
from chatarchief.core.search import QueryError, parse
from chatarchief.intake.pipeline import ingest
from chatarchief.search import services
from chatarchief.search.models import SearchEntry
from tests.generators.whatsapp import Spec, write_export
from tests.search.corpus import Corpus
from tests.search.reference import matches

SENDERS = ("Anne de Vries", "Bob Jansen", "Carol Smit")


@pytest.fixture
def chat(db, tmp_path):
    corpus = Corpus(seed=3, tail=2_000)
    rng = random.Random(5)
    start = dt.datetime(2024, 1, 1, 8, 0)
    specs = [Spec(rng.choice(SENDERS), start + dt.timedelta(minutes=3 * i), corpus.message()) for i in range(400)]
    custodian = registry.add_custodian("gegenereerd", name="Gegenereerd", actor="test")
    path = tmp_path / "WhatsApp-chat met Gegenereerd.txt"
    write_export(path, specs, title="Gegenereerd")
    outcome = ingest(path, custodian, actor="test")
    assert outcome.status == "ingested"
    assert services.index_delivery(outcome.delivery.pk) == 0  # indexed by the ingest itself (search.ingest_hook)
    assert SearchEntry.objects.count() == outcome.counts["messages"]
    texts = dict(Message.objects.filter(conversation__custodian=custodian).values_list("pk", "body"))
    return corpus, texts, [s.body for s in specs]


def queries(corpus: Corpus, bodies: list[str], count: int = 60) -> list[str]:
    rng = random.Random(9)
    words = [w for body in bodies for w in body.split()]
    out = []
    for i in range(count):
        a, b = rng.choice(words), rng.choice(corpus.vocabulary[:150])
        body = rng.choice(bodies).split()
        at = rng.randrange(max(1, len(body) - 2))
        forms = [
            a,
            f"{a} {b}",
            f"{a} OR {b}",
            f"{b} -{a}",
            f"{b} NOT {a}",
            '"' + " ".join(body[at : at + 3]) + '"',
            (a[:4] + "*") if len(a) >= 4 else a,
            f"({a} OR {b}) {rng.choice(words)}",
            f"{b[:3]}* -{a}",
        ]
        out.append(forms[i % len(forms)])
    return out


def test_backend_agrees_with_the_reference(chat):
    corpus, texts, bodies = chat
    checked, _ = _agreeing(texts, queries(corpus, bodies), "")
    assert checked >= 50


def test_every_hit_shows_a_marked_word(chat):
    corpus, _, bodies = chat
    for query in queries(corpus, bodies, 30):
        try:
            result = services.search(Custodian.objects.all(), query, limit=20)
        except QueryError:
            continue
        for hit in result.hits:
            assert "<mark>" in hit.snippet, (query, hit.snippet)


def _agreeing(texts: dict[int, str], queries: list[str], marker: str, **options) -> tuple[int, int]:
    """Search every custodian for each query and hold the hits to the reference's. Returns how
    many queries were checked (those that parse) and how many of them ran SQL holding `marker`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    checked = marked = 0
    for query in queries:
        try:
            tree = parse(query)
        except QueryError:
            continue
        expected = {pk for pk, text in texts.items() if matches(tree, text or "")}
        with CaptureQueriesContext(connection) as captured:
            result = services.search(Custodian.objects.all(), tree, limit=1000, **options)
        assert result.total == len(expected), query
        assert {h.message_id for h in result.hits} == expected, query
        checked += 1
        marked += any(marker in q["sql"] for q in captured.captured_queries)
    return checked, marked


def test_phrases_agree_with_their_common_words_left_to_the_check(chat, monkeypatch):
    """On PostgreSQL a phrase's words much commoner than its rarest stay out of the GIN condition
    (backends/postgres.py `narrowed`); forced here for every phrase (no floor, factor 1: only the
    rarest words are asked of the index), the hits are still the reference's."""
    from django.db import connection

    from chatarchief.search.backends import postgres

    monkeypatch.setattr(postgres, "COMMON_FLOOR", 0)
    monkeypatch.setattr(postgres, "COMMON_FACTOR", 1)
    _, texts, bodies = chat
    rng = random.Random(17)
    phrases = []
    for _ in range(40):
        body = rng.choice(bodies).split()
        at = rng.randrange(max(1, len(body) - 3))
        pair, other = '"' + " ".join(body[at : at + 2]) + '"', rng.choice(bodies).split()[0]
        phrases += [
            '"' + " ".join(body[at : at + 3]) + '"',
            f"{pair} {body[-1]}",
            f"{pair} {other[:3]}*",
            f"{pair} -{other}",
        ]
    checked, narrowed = _agreeing(texts, phrases, ") IS TRUE")
    assert checked >= 120
    if connection.vendor == "postgresql":
        assert narrowed >= 40  # the path was taken, not only the plain one


def test_a_conversation_checked_row_by_row_agrees(chat, monkeypatch):
    """On PostgreSQL a conversation filter with a very common word reads the conversation's rows
    instead of the word's posting list (backends/postgres.py CONVERSATION_SCAN_ABOVE); forced here
    for every query, the hits are still the reference's."""
    from django.db import connection

    from chatarchief.archive.models import Conversation
    from chatarchief.search.backends import postgres

    monkeypatch.setattr(postgres, "CONVERSATION_SCAN_ABOVE", -1)
    corpus, texts, bodies = chat
    conversation = Conversation.objects.get()
    checked, scanned = _agreeing(
        texts, queries(corpus, bodies, 40), "WHERE (d.document @@", conversation=conversation.pk
    )
    assert checked >= 30
    if connection.vendor == "postgresql":
        assert scanned >= 15


def test_phrases_with_an_article_agree_through_their_pairs(chat):
    """On PostgreSQL a phrase holding an article asks GIN for the article and its next word as one
    pair lexeme (``^de begrot``, core.search.compile.pairs) instead of the two words: the hits are
    still the reference's, for phrases cut from the chat and for the same words out of order or apart
    (which the pair must not find)."""
    from django.db import connection

    _, texts, bodies = chat
    rng = random.Random(23)
    phrases = []
    for body in bodies:
        words = body.split()
        for at, word in enumerate(words[:-1]):
            if word.lower() in {"de", "het", "een"} and len(phrases) < 120:
                following = words[at + 1]
                phrases += [f'"{word} {following}"', f'"{following} {word}"']
                if at + 2 < len(words):
                    phrases.append(f'"{word} {following} {words[at + 2]}"')
                    phrases.append(f'"{word} {words[at + 2]}"')  # the article with a word further on
    rng.shuffle(phrases)
    checked, paired = _agreeing(texts, phrases, "'^")
    assert checked >= 100
    if connection.vendor == "postgresql":
        assert paired >= 50  # the pairs were asked for, not only the words
