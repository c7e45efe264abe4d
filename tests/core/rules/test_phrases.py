"""Phrase lists: the data files, matching (case, diacritics, word boundaries, wildcards) and extension."""

from __future__ import annotations

import pytest

from chatarchief.core.rules.labels import Label
from chatarchief.core.rules.phrases import DATA_DIR, PhraseFileError, compile_phrases, load_phrase_lists
from chatarchief.core.rules.ruleset import RuleSet
from chatarchief.core.rules.text import fold, fold_name

# One sentence per shipped message list that its rule must label, and its label.
EXAMPLES = {
    "congratulations": ("Hartelijk gefeliciteerd met je verjaardag!", Label.PRIVATE),
    "condolences": ("Gecondoleerd, wat een verdrietig nieuws.", Label.PRIVATE),
    "support": ("Succes in het debat vanmiddag!", Label.PRIVATE),
    "personal_life": ("Kusjes, tot vanavond", Label.PRIVATE),
    "campaign": ("Zaterdag flyeren bij de Jumbo?", Label.PARTY),
    "elections": ("De uitslagenavond is in Utrecht", Label.PARTY),
    "party_bodies": ("Kom je naar de algemene ledenvergadering?", Label.PARTY),
}


def test_every_shipped_file_loads_with_settings_and_phrases():
    lists = load_phrase_lists()
    assert {path.stem for path in DATA_DIR.glob("*.txt")} == set(lists)
    for item in lists.values():
        assert item.phrases, item.name
        assert item.reason_nl and item.reason_en, item.name
        assert 0 < item.confidence <= 1
    scopes = {item.name: item.scope for item in lists.values()}
    assert {name for name, scope in scopes.items() if scope == "message"} == set(EXAMPLES)
    assert {name for name, scope in scopes.items() if scope == "title"} == {
        "party_names",
        "party_group_words",
        "private_group_words",
    }


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_message_list_labels_its_example(name):
    rules = RuleSet.load()
    text, label = EXAMPLES[name]
    hit = rules.message_hit(text)
    assert hit is not None and hit.rule == f"phrases.{name}" and hit.label is label
    assert hit.version.startswith("1-")
    assert "'" in hit.reason_nl and hit.reason_en


@pytest.mark.parametrize(
    "text",
    [
        "GEFELICITEERD!!",
        "gefeliciteerd🎉",
        "Gefelicitéérd",
        "Van  harte\n gefeliciteerd",
        "Feliciteer hem namens mij",
        "Innige   deelneming",
    ],
)
def test_matching_ignores_case_diacritics_and_whitespace_runs(text):
    hit = RuleSet.load().message_hit(text)
    assert hit is not None and hit.label is Label.PRIVATE


@pytest.mark.parametrize(
    "text",
    [
        "De versterkte dijk houdt het",  # 'sterkte' inside a word
        "Het overleg was een succes",
        "De fractie van D66 stelt vragen",
        "Er komt een publiekscampagne over vaccinatie",
        "Zet hem op de agenda",
        "Ik schat in dat het lang duurt",
        "Mis je nog iets in de notitie?",
        "De verkiezingswet komt in de ministerraad",
        "",
    ],
)
def test_business_sentences_are_not_hit(text):
    assert RuleSet.load().message_hit(text) is None


def test_titles_case_sensitive_entries_and_dashes():
    rules = RuleSet.load()
    assert [h.rule for h in rules.title_hits("DENK Rotterdam")] == ["phrases.party_names"]
    assert rules.title_hits("Denk mee over stikstof") == []
    assert rules.title_hits("Volt Amsterdam") and not rules.title_hits("230 volt aansluiting")
    for title in ("GL-PvdA Leiden", "GL PvdA Leiden", "GroenLinks–PvdA Leiden"):
        assert rules.title_hits(title), title
    assert [h.rule for h in rules.title_hits("Campagneteam TK2025")] == ["phrases.party_group_words"]
    assert rules.title_hits("Afdeling Juridische Zaken") == []
    assert [h.label for h in rules.title_hits("Familie Bakker")] == [Label.PRIVATE]
    both = rules.title_hits("VVD fractie Utrecht")
    assert {h.rule for h in both} == {"phrases.party_names", "phrases.party_group_words"}


def test_compiled_trie_respects_word_boundaries_and_wildcards():
    pattern = compile_phrases(["kus", "kusjes", "felicit*", "*verjaardag", "gl-pvda"])
    assert pattern.search("dikke kus") and pattern.search("kusjes!")
    assert not pattern.search("kussen") and not pattern.search("zoenkus")
    assert pattern.search("felicitaties allemaal") and pattern.search("oma's 90e verjaardag")
    assert pattern.search("tachtigste-verjaardag") and pattern.search("moederverjaardag")
    assert pattern.search("gl pvda") and pattern.search("glpvda") and not pattern.search("glxpvda")


def test_fold_and_fold_name():
    assert fold("Gecondoléérd ’m") == "gecondoleerd 'm"
    assert fold_name("  Mark   ❤️ ") == "mark"
    assert fold_name("Chloë de\u00a0Wit") == fold_name("chloe de wit")


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")


def test_a_records_manager_extends_and_trims_a_list_and_adds_one(tmp_path):
    before = load_phrase_lists()["congratulations"]
    _write(tmp_path, "congratulations", "# lokaal\n@version: 2\nproost op je jubileum\n-proficiat\n")
    _write(
        tmp_path,
        "sports",
        "@label: private\n@scope: message\n@confidence: 0.55\n@reason_nl: Sport\n@reason_en: Sport\nhockeytraining\n",
    )
    rules = RuleSet.load([tmp_path])
    after = rules.lists["congratulations"]
    assert "proost op je jubileum" in after.phrases and "proficiat" not in after.phrases
    assert after.version.startswith("2-") and after.version != before.version
    assert len(after.sources) == 2
    assert rules.message_hit("Proost op je jubileum!").rule == "phrases.congratulations"
    assert rules.message_hit("proficiat") is None
    hit = rules.message_hit("hockeytraining vanavond")
    assert hit.rule == "phrases.sports" and hit.confidence == 0.55
    assert rules.fingerprint != RuleSet.load().fingerprint


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("@label: private\n@scope: message\n@colour: red\n", 3, "colour"),
        ("@label: vriendelijk\n@scope: message\n@confidence: 0.5\n@reason_nl: x\n@reason_en: x\na\n", 1, "vriendelijk"),
        ("@label: party\n@scope: message\n@confidence: 1.5\n@reason_nl: x\n@reason_en: x\na\n", 3, "confidence"),
        ("@label: party\n@scope: overal\n", 2, "scope"),
        ("@label: party\n@scope: title\n@confidence: 0.5\n@reason_nl: x\n@reason_en: x\n*\n", 6, "*"),
    ],
)
def test_bad_phrase_files_name_file_and_line(tmp_path, text, line, words):
    _write(tmp_path, "kapot", text)
    with pytest.raises(PhraseFileError) as caught:
        load_phrase_lists([tmp_path])
    assert caught.value.file.endswith("kapot.txt")
    assert caught.value.line == line
    assert words in caught.value.message("nl")


def test_missing_reason_is_an_error(tmp_path):
    _write(tmp_path, "kort", "@label: party\n@scope: title\n@confidence: 0.5\nabc\n")
    with pytest.raises(PhraseFileError) as caught:
        load_phrase_lists([tmp_path])
    assert "reason_nl" in caught.value.message("en")
