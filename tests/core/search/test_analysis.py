"""Analysis: folding, tokens with spans, the Dutch stemmer, and what is indexed."""

from __future__ import annotations

from chatarchief.core.search import analysis, fold, index_forms, stem, tokens, words


def test_fold_removes_diacritics_and_case():
    assert fold("Coördinatie") == "coordinatie"
    assert fold("FINANCIËN") == "financien"
    assert fold("café") == "cafe"
    assert fold("Straße") == "strasse"


def test_decomposed_diacritics_are_one_word():
    decomposed = "coo\u0308rdinatie overleg"
    assert words(decomposed) == ["coordinatie", "overleg"]


def test_tokens_keep_their_spans_in_the_normalised_text():
    text = "De coördinatie, morgen!"
    found = list(tokens(text))
    assert [(text[t.start : t.end], t.folded, t.stem) for t in found] == [
        ("De", "de", "de"),
        ("coördinatie", "coordinatie", "coordinatie"),
        ("morgen", "morgen", "morg"),
    ]


def test_dutch_stemming_as_postgresql_dutch_config():
    # the same Snowball algorithm as PostgreSQL's dutch_stem (checked against it in tests/search)
    assert stem("vergaderingen") == stem("vergadering") == "vergader"
    assert stem("afspraken") == stem("afspraak") == "afsprak"
    assert stem("begrotingen") == "begrot"


def test_index_forms_hold_one_stem_per_position_and_the_differing_words():
    forms = index_forms("De vergaderingen en de vergadering")
    assert forms.stems == ("de", "vergader", "en", "de", "vergader")
    assert forms.variants == ("vergaderingen", "vergadering")
    assert forms == index_forms("DE VERGADERINGEN EN DE VERGADERING")


def test_index_forms_agree_with_tokens():
    text = "Noord-Holland: ½ ideeën, auto's & IMG-0001.jpg " + "x" * 300
    assert index_forms(text).stems == tuple(t.stem for t in tokens(text))


def test_separators_from_folding_split_a_word():
    assert words("½") == ["1", "2"]


def test_overlong_tokens_are_skipped_and_positions_capped():
    assert words("a" * (analysis.MAX_TOKEN_CHARS + 1) + " kort") == ["kort"]
    many = " ".join(["woord"] * (analysis.MAX_POSITIONS + 10))
    assert len(index_forms(many).stems) == analysis.MAX_POSITIONS
    assert len(list(tokens(many))) == analysis.MAX_POSITIONS


def test_underscore_separates_words():
    assert words("snake_case") == ["snake", "case"]
