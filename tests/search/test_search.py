"""Search on the database in use (the suite runs on SQLite and on PostgreSQL): the same Dutch queries
give the same messages on both, named here by their (unique) bodies."""

from __future__ import annotations

import pytest

from chatarchief.archive.models import Custodian
from chatarchief.core.search import QueryError
from chatarchief.search import services
from tests.search import world as w

BZK = ("minister-a", "sg-b")


def bodies(result) -> set[str]:
    return {w.Message.objects.get(pk=h.message_id).body for h in result.hits}


def find(query: str, slugs=BZK, **options) -> set[str]:
    result = services.search(Custodian.objects.filter(slug__in=slugs), query, limit=100, **options)
    assert result.total == len(result.hits)
    return bodies(result)


COORDINATION = {
    "De coördinatie van de crisisaanpak loopt goed",
    "Coordinatie met de gemeente is lastig",
    "Noord-Holland vraagt om coördinatie <script>alert(1)</script> & meer",
    "Coördinatie van de staatssecretarissen morgen",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("coordinatie", COORDINATION),
        ("coördinatie", COORDINATION),
        ("COÖRDINATIE", COORDINATION),
        ("ideeen reele", {"Ideeën voor het reële plan"}),
        ('"minister van financiën"', {"De minister van Financiën belt later"}),
        ('"minister van financien"', {"De minister van Financiën belt later"}),
        ("minister financiën", {"De minister van Financiën belt later", "minister financien akkoord"}),
        (
            "vergaderingen",
            {
                "Vergaderingen morgen om 10 uur over de begroting",
                "Het kamerdebat is verplaatst, geen vergadering",
                "Begroting is rond, de vergadering vervalt",
            },
        ),
        ("vergaderingen*", {"Vergaderingen morgen om 10 uur over de begroting"}),
        ("kamer*", {"Kamerbrief over de Woo-verzoeken is verstuurd", "Het kamerdebat is verplaatst, geen vergadering"}),
        ("kamer* NOT verplaatst", {"Kamerbrief over de Woo-verzoeken is verstuurd"}),
        ("kamer* -verplaatst", {"Kamerbrief over de Woo-verzoeken is verstuurd"}),
        ("coordinatie -gemeente -staatssecretarissen -noord", {"De coördinatie van de crisisaanpak loopt goed"}),
        (
            "crisis OR burgemeester OR ideeën",
            {"Crisis overleg met de burgemeester", "Ideeën voor het reële plan"},
        ),
        ("coördinatie AND morgen", {"Coördinatie van de staatssecretarissen morgen"}),
        ("(crisis OR gemeente) coordinatie", {"Coordinatie met de gemeente is lastig"}),
        ("noord-holland", {"Noord-Holland vraagt om coördinatie <script>alert(1)</script> & meer"}),
        ("woo-verzoeken", {"Kamerbrief over de Woo-verzoeken is verstuurd"}),
        ("script alert", {"Noord-Holland vraagt om coördinatie <script>alert(1)</script> & meer"}),
        ("geheim", set()),  # extern-c's message: another organisation
    ],
)
def test_dutch_queries(world, query, expected):
    assert find(query) == expected


def test_attachment_file_names_are_searchable(world):
    assert find("begroting-2024.pdf") == {"Zie bijlage"}
    assert "Zie bijlage" in find("begroting")


def test_only_the_given_custodians(world):
    assert find("geheim", slugs=("extern-c",)) == {"GEHEIM-C coördinatie van de begroting bij Financiën"}
    assert find("coordinatie", slugs=("sg-b",)) == {"Coördinatie van de staatssecretarissen morgen"}
    nobody = services.search(Custodian.objects.none(), "coordinatie")
    assert (nobody.total, nobody.hits) == (0, [])


def test_filters(world):
    assert find("coordinatie", conversation=world.crisisteam.pk) == {
        "De coördinatie van de crisisaanpak loopt goed",
        "Coordinatie met de gemeente is lastig",
    }
    assert find("coordinatie", sender="anne") == {"De coördinatie van de crisisaanpak loopt goed"}
    assert find("coordinatie", sender="Anne de Vries") == {"De coördinatie van de crisisaanpak loopt goed"}
    assert find("coordinatie", sender="de vries anne") == set()
    assert find("coordinatie", channel="whatsapp") == COORDINATION
    assert find("coordinatie", channel="sms") == set()
    assert find("coordinatie", date_from="2024-03-03", date_to="2024-03-05") == {
        "Noord-Holland vraagt om coördinatie <script>alert(1)</script> & meer",
        "Coördinatie van de staatssecretarissen morgen",
    }
    assert find("coordinatie", date_to="2024-03-01") == {
        "De coördinatie van de crisisaanpak loopt goed",
        "Coordinatie met de gemeente is lastig",
    }


def test_a_conversation_of_another_custodian_shows_nothing(world):
    other = w.Conversation.objects.get(custodian=world.c)
    assert find("coordinatie", conversation=other.pk) == set()


def test_excluded_conversations_are_left_out_even_from_the_count(world):
    result = services.search(
        Custodian.objects.filter(slug__in=BZK), "coordinatie", exclude_conversations=[world.crisisteam.pk]
    )
    assert result.total == 2
    assert bodies(result) == COORDINATION - {
        "De coördinatie van de crisisaanpak loopt goed",
        "Coordinatie met de gemeente is lastig",
    }
    queryset = w.Conversation.objects.filter(title__in=["Crisisteam", "Kabinet"])
    assert services.search(Custodian.objects.all(), "coordinatie", exclude_conversations=queryset).total == 2


def test_registered_exclusions_apply_to_every_search(world, monkeypatch):
    from chatarchief.search.services import querying

    monkeypatch.setattr(querying, "_exclusion_sources", [])
    services.register_exclusion(lambda: [world.kabinet.pk])
    assert services.excluded_conversation_ids() == {world.kabinet.pk}
    assert "Noord-Holland vraagt om coördinatie <script>alert(1)</script> & meer" not in find("coordinatie")


def test_sorted_by_time_newest_first_with_pages_and_total(world):
    everyone = Custodian.objects.all()
    full = services.search(everyone, "de", limit=100)
    times = [h.sent_at for h in full.hits]
    assert times == sorted(times, reverse=True)
    assert full.total == len(full.hits) == 9
    page = services.search(everyone, "de", limit=3, offset=3)
    assert page.total == 9
    assert [h.message_id for h in page.hits] == [h.message_id for h in full.hits[3:6]]
    last = services.search(everyone, "de", limit=3, offset=7)  # a short last page tells the total itself
    assert (last.total, [h.message_id for h in last.hits]) == (9, [h.message_id for h in full.hits[7:]])
    beyond = services.search(everyone, "de", limit=3, offset=50)
    assert (beyond.total, beyond.hits) == (9, [])


def test_sorted_by_relevance_holds_the_same_hits_best_first(world):
    everyone = Custodian.objects.all()
    by_time = services.search(everyone, "coordinatie OR begroting", limit=100)
    by_relevance = services.search(everyone, "coordinatie OR begroting", sort="relevance", limit=100)
    assert by_relevance.total == by_time.total
    assert {h.message_id for h in by_relevance.hits} == {h.message_id for h in by_time.hits}
    best = by_relevance.hits[0]
    assert world.body_of(best.message_id) == "GEHEIM-C coördinatie van de begroting bij Financiën"


def test_hit_shape_and_snippet(world):
    result = services.search(Custodian.objects.filter(slug="minister-a"), "noord-holland coördinatie")
    data = result.as_dict()
    assert data["total"] == 1
    (hit,) = data["hits"]
    assert set(hit) == {
        "message_id", "conversation_id", "conversation_title", "custodian", "sent_at", "sender", "snippet",
    }  # fmt: skip
    assert hit["conversation_title"] == "Kabinet"
    assert hit["custodian"] == "minister-a"
    assert hit["sent_at"] == "2024-03-03T09:10:00+01:00"
    assert hit["sender"] == "Carol Smit"
    assert hit["snippet"] == (
        "<mark>Noord-Holland</mark> vraagt om <mark>coördinatie</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; meer"
    )


def test_sent_at_is_in_the_custodians_time_zone(world):
    Custodian.objects.filter(pk=world.a.pk).update(time_zone="America/Curacao")
    (hit,) = services.search(Custodian.objects.filter(slug="minister-a"), "ideeën").hits
    assert hit.sent_at == "2024-03-04T04:00:00-04:00"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"sort": "random"}, "search.bad_sort"),
        ({"limit": 0}, "search.bad_page"),
        ({"offset": -1}, "search.bad_page"),
        ({"channel": "fax"}, "search.bad_channel"),
        ({"sender": "!!"}, "search.bad_sender"),
        ({"date_from": "gisteren"}, "search.bad_date"),
    ],
)
def test_bad_options_are_clear_errors(world, options, code):
    with pytest.raises(QueryError) as caught:
        services.search(Custodian.objects.all(), "coordinatie", **options)
    assert caught.value.code == code


def test_a_malformed_query_is_a_clear_error(world):
    with pytest.raises(QueryError) as caught:
        services.search(Custodian.objects.all(), 'coordinatie "de minister')
    assert caught.value.code == "search.unbalanced_quote"


@pytest.mark.parametrize(
    "hostile",
    ['coördinatie" OR "geheim', "coördinatie' | 'geheim", "coördinatie:* & !x", "NEAR(coördinatie geheim)",
     "scope : c3", "{stems scope} : geheim", "coördinatie\\", "coördinatie ^geheim"],
)  # fmt: skip
def test_query_syntax_of_the_engines_is_only_text(world, hostile):
    result = services.search(Custodian.objects.filter(slug__in=BZK), hostile, limit=100)
    assert "GEHEIM-C coördinatie van de begroting bij Financiën" not in bodies(result)
    assert result.total == len(result.hits)


@pytest.mark.parametrize("query", ["minister", '"de minister"', "minister -akkoord"])
def test_postgresql_searches_without_parallel_workers_and_leaves_the_setting(world, query):
    """On PostgreSQL a search's statements run with parallel query off (backends/postgres.py SERIAL:
    at 11 M messages two parallel workers made a search 1.5-3 times slower), for that search only:
    the connection's own setting is back afterwards. SQLite has no such setting."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's parallel query; runs in the PostgreSQL suite")
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 3")
    with CaptureQueriesContext(connection) as captured:
        result = services.search(Custodian.objects.all(), query)
    statements = [q["sql"] for q in captured.captured_queries]
    assert result.total > 0
    serial = [i for i, sql in enumerate(statements) if _turns_parallel_off(sql)]
    searching = [i for i, sql in enumerate(statements) if "search_document" in sql]
    assert len(serial) == 1 and searching and serial[0] < min(searching)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "3"


def _turns_parallel_off(sql: str) -> bool:
    return "set_config('max_parallel_workers_per_gather', '0'" in sql


def test_postgresql_leaves_parallel_workers_to_a_search_over_a_huge_posting_list(world, monkeypatch):
    """A phrase whose rarest word more than PARALLEL_ABOVE messages hold keeps the planner's parallel
    workers (they pay off there); forced here with the threshold at nought, with the same hits."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's parallel query; runs in the PostgreSQL suite")
    from chatarchief.search.backends import postgres

    everyone = Custodian.objects.all()
    serial = services.search(everyone, '"de minister"')
    monkeypatch.setattr(postgres, "PARALLEL_ABOVE", 0)
    with CaptureQueriesContext(connection) as captured:
        parallel = services.search(everyone, '"de minister"')
        within = services.search(everyone, "minister", conversation=serial.hits[0].conversation_id)
    statements = [q["sql"] for q in captured.captured_queries]
    assert sum(map(_turns_parallel_off, statements)) == 1  # the conversation search only
    assert [h.message_id for h in parallel.hits] == [h.message_id for h in serial.hits] and parallel.total
    assert within.total > 0
