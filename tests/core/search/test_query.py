"""The query language: what each form parses to, and a clear error for each malformed form."""

from __future__ import annotations

import pytest

from chatarchief.core.search import And, Not, Or, Phrase, Prefix, QueryError, Term, parse


def term(word: str, stem: str | None = None) -> Term:
    return Term(stem or word, word)


def test_words_are_anded_and_stemmed():
    assert parse("vergaderingen morgen") == And((Term("vergader", "vergaderingen"), Term("morg", "morgen")))


def test_diacritics_fold_both_ways():
    assert parse("coördinatie") == parse("coordinatie") == parse("COÖRDINATIE") == term("coordinatie")
    assert parse("Financiën") == parse("financien")


def test_phrase_in_quotes():
    assert parse('"de minister van Financiën"') == Phrase(
        ("de", "minister", "van", "financien"), ("de", "minister", "van", "financien")
    )


def test_one_word_phrase_is_a_term_and_an_empty_phrase_is_nothing():
    assert parse('"begroting"') == parse("begroting")
    assert parse('begroting ""') == parse("begroting")


def test_a_word_of_several_tokens_is_a_phrase():
    assert parse("Noord-Holland") == Phrase(("noord", "holland"), ("noord", "holland"))
    assert parse("begroting-2024.pdf") == Phrase(("begrot", "2024", "pdf"), ("begroting", "2024", "pdf"))


def test_operators_in_capitals_only():
    assert parse("crisis OR overleg") == Or((term("crisis"), term("overleg")))
    assert parse("crisis AND overleg") == parse("crisis overleg")
    assert parse("crisis or overleg") == And((term("crisis"), term("or"), term("overleg")))
    assert parse("crisis not overleg") == And((term("crisis"), term("not"), term("overleg")))


def test_not_and_minus_exclude():
    expected = And((term("crisis"), Not(term("overleg"))))
    assert parse("crisis NOT overleg") == expected
    assert parse("crisis -overleg") == expected
    assert parse("NOT overleg crisis") == And((Not(term("overleg")), term("crisis")))
    assert parse('crisis -"de minister"') == And((term("crisis"), Not(Phrase(("de", "minister"), ("de", "minister")))))


def test_a_hyphen_inside_a_word_is_no_negation():
    assert parse("e-mail") == Phrase(("e", "mail"), ("e", "mail"))
    assert parse("crisis - overleg") == parse("crisis overleg")


def test_and_binds_tighter_than_or_and_parentheses_group():
    assert parse("a b OR c") == Or((And((term("a"), term("b"))), term("c")))
    assert parse("a (b OR c)") == And((term("a"), Or((term("b"), term("c")))))
    assert parse("a -(b OR c)") == And((term("a"), Not(Or((term("b"), term("c"))))))


def test_prefix_is_folded_not_stemmed():
    assert parse("vergadering*") == Prefix("vergadering")
    assert parse("Coörd*") == Prefix("coord")


def test_double_negation_cancels():
    assert parse("crisis NOT -overleg") == And((term("crisis"), term("overleg")))


def test_duplicates_collapse():
    assert parse("crisis crisis") == term("crisis")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "search.empty"),
        ("   ", "search.empty"),
        ("!!! ???", "search.empty"),
        ('"coördinatie', "search.unbalanced_quote"),
        ('crisis "de minister', "search.unbalanced_quote"),
        ("NOT", "search.lone_not"),
        ("crisis NOT", "search.lone_not"),
        ("crisis AND NOT", "search.lone_not"),
        ("AND crisis", "search.lone_operator"),
        ("crisis OR", "search.lone_operator"),
        ("crisis AND OR overleg", "search.lone_operator"),
        ("OR", "search.lone_operator"),
        ("(crisis", "search.unbalanced_parenthesis"),
        ("crisis)", "search.unbalanced_parenthesis"),
        ("(", "search.unbalanced_parenthesis"),
        ("-crisis", "search.only_negative"),
        ("NOT crisis -overleg", "search.only_negative"),
        ("crisis OR -overleg", "search.not_in_or"),
        ("crisis OR NOT overleg", "search.not_in_or"),
        ("k*", "search.prefix_too_short"),
        ("noord-hol*", "search.prefix_one_word"),
    ],
)
def test_malformed_queries_give_a_clear_error(query, code):
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.code == code
    assert caught.value.message("nl") and caught.value.message("en")
    assert caught.value.message("nl") != caught.value.message("en")


def test_errors_name_the_position():
    with pytest.raises(QueryError) as caught:
        parse('crisis "de minister')
    assert "positie 8" in caught.value.message("nl")
    assert "position 8" in caught.value.message("en")
