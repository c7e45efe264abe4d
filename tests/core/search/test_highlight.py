"""Snippets: hit words marked, context around them, everything escaped."""

from __future__ import annotations

from chatarchief.core.search import Part, parse, snippet, to_html, to_text


def test_hits_are_marked_in_their_original_spelling():
    parts = snippet("De coördinatie van de vergaderingen loopt", parse("coordinatie vergadering"))
    assert parts == [
        Part("De ", False),
        Part("coördinatie", True),
        Part(" van de ", False),
        Part("vergaderingen", True),
        Part(" loopt", False),
    ]


def test_phrase_marks_the_whole_sequence_only():
    parts = snippet("minister belt; de minister van Financiën komt", parse('"minister van financiën"'))
    assert [p.text for p in parts if p.hit] == ["minister van Financiën"]


def test_prefix_marks_words_starting_with_it():
    parts = snippet("Vergaderingen en de vergadering, geen verslag", parse("vergaderi*"))
    assert [p.text for p in parts if p.hit] == ["Vergaderingen", "vergadering"]


def test_excluded_words_are_not_marked():
    parts = snippet("crisis overleg morgen", parse("crisis -morgen"))
    assert [p.text for p in parts if p.hit] == ["crisis"]


def test_long_text_is_cut_around_the_hits():
    text = " ".join(f"woord{i}" for i in range(100)) + " coördinatie " + " ".join(f"rest{i}" for i in range(100))
    parts = snippet(text, parse("coordinatie"))
    plain = to_text(parts)
    assert plain.startswith("… ") and plain.endswith(" …")
    assert "coördinatie" in plain and "woord94" in plain and "woord0 " not in plain
    assert len(plain.split()) <= 26


def test_html_is_escaped_and_only_hits_are_marked():
    html = to_html(snippet('<script>alert("x")</script> & de coördinatie', parse("coordinatie")))
    assert html == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; de <mark>coördinatie</mark>"


def test_whitespace_is_collapsed():
    assert to_text(snippet("regel een\n\n  regel   twee", parse("twee"))) == "regel een regel twee"


def test_mark_all_marks_every_hit_of_the_whole_text() -> None:
    from chatarchief.core.search.highlight import mark_all

    text = "De kamerbrief komt morgen. " + "vulling " * 40 + "Nog een Kamerbrief-versie."
    parts = mark_all(text, parse("kamerbrief"))
    assert "".join(p.text for p in parts) == text  # nothing cut: the message is shown in full
    assert [p.text for p in parts if p.hit] == ["kamerbrief", "Kamerbrief"]
    assert mark_all("niets te vinden", parse("kamerbrief")) == [Part("niets te vinden", False)]
    assert mark_all("", parse("kamerbrief")) == []
