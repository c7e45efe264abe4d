"""Compilation for FTS5 and tsquery: structure, and no user text read as syntax."""

from __future__ import annotations

from chatarchief.core.search import And, Phrase, Prefix, Term, parse, to_fts5, to_tsquery, to_tsvector
from chatarchief.core.search.compile import PAIR_LEADS, fts5_string, pairs, tsquery_lexeme


def test_terms_phrases_and_prefixes():
    assert to_fts5(parse("coördinatie")) == 'stems : "coordinatie"'
    assert to_tsquery(parse("coördinatie")) == "'coordinatie'"
    assert to_fts5(parse('"minister van financiën"')) == 'stems : "minister van financien"'
    assert to_tsquery(parse('"minister van financiën"')) == "('minister' <-> 'van' <-> 'financien')"
    assert to_fts5(parse("vergader*")) == '{stems variants} : "vergader" *'
    assert to_tsquery(parse("vergader*")) == "('vergader':* | '~vergader':*)"


def test_boolean_structure():
    tree = parse("crisis overleg -morgen OR kamer*")
    assert to_fts5(tree) == (
        '(((stems : "crisis" AND stems : "overleg") NOT (stems : "morg")) OR {stems variants} : "kamer" *)'
    )
    assert to_tsquery(tree) == "(('crisis' & 'overleg' & !'morg') | ('kamer':* | '~kamer':*))"


def test_user_words_cannot_inject_syntax():
    # the parser never lets quotes or operators into a token; the literal writers escape anyway
    for hostile in ['a" OR "b', "x' | 'y", "NEAR(a b)", "ab:*", "col : x", "^a", "a\\"]:
        tree = parse(hostile)
        assert '"' not in "".join(getattr(tree, "stem", ""))
        to_fts5(tree), to_tsquery(tree)
    assert fts5_string('a"b') == '"a""b"'
    assert tsquery_lexeme("it's\\") == "'it''s\\\\'"
    assert to_fts5(And((Term('x"y', 'x"y'), Phrase(("a", "b"), ("a", "b"))))) == '(stems : "x""y" AND stems : "a b")'
    assert to_tsquery(Prefix("o'r")) == "('o''r':* | '~o''r':*)"


def test_tsvector_positions_and_marked_variants():
    assert to_tsvector(("de", "vergader", "de"), ("vergaderingen",)) == (
        "'de':1,3 'vergader':2 '~vergaderingen' '^de vergader'"
    )


def test_article_pairs_follow_the_stems():
    """An article and the stem right after it, once each, in order; not for other words, not for an
    article at the end."""
    assert pairs(("de", "minist", "van", "financien", "en", "de", "minist", "het")) == ["^de minist"]
    assert pairs(("een", "het", "kabinet", "de")) == ["^een het", "^het kabinet"]
    assert pairs(("minist", "van", "financien")) == []
    assert pairs(()) == [] and pairs(("de",)) == []
    assert PAIR_LEADS == {"de", "het", "een"}
    assert "'^het kabinet'" in to_tsvector(("het", "kabinet"), ())
