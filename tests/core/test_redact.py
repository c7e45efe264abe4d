"""Redaction suggestions on Dutch samples, with negatives (things that look alike but are not)."""

import logging

import pytest

from chatarchief.core.redact import SuggestionKind, deduce_person_names, is_bsn, suggest_redactions

K = SuggestionKind


def found(text, **kwargs):
    kwargs.setdefault("names", False)
    return [(s.kind, s.text) for s in suggest_redactions(text, **kwargs)]


@pytest.mark.parametrize(
    "number", ["06-12345678", "0612345678", "+31 6 87654321", "020-5551234", "070 - 123 45 67", "0031612345678"]
)
def test_dutch_phone_numbers(number):
    assert found(f"Bel me op {number} na vijven.") == [(K.PHONE, number)]


@pytest.mark.parametrize(
    "text",
    ["Bedrag 1.234.567 euro", "op 12-03-2025 om 15:00", "zaaknummer 2025/0012345", "versie 3.14.159", "kamer 06"],
)
def test_no_phone_number_in_dates_amounts_and_case_numbers(text):
    assert found(text) == []


def test_email_addresses():
    text = "Mail j.de.vries+woo@minbzk.nl of sanne_b@example.co.uk; niet @minbzk of jan@localhost."
    assert found(text) == [(K.EMAIL, "j.de.vries+woo@minbzk.nl"), (K.EMAIL, "sanne_b@example.co.uk")]


def test_iban_with_and_without_spaces_checked_with_mod_97():
    text = "Rekening NL91 ABNA 0417 1643 00 of NL91ABNA0417164300 staat klaar; be68539007547034 ook."
    assert found(text) == [
        (K.IBAN, "NL91 ABNA 0417 1643 00"),
        (K.IBAN, "NL91ABNA0417164300"),
        (K.IBAN, "be68539007547034"),
    ]


@pytest.mark.parametrize("bad", ["NL91ABNA0417164301", "NL12ABNA0417164300", "XX91ABNA0417164300", "NL91 ABNA 0417"])
def test_iban_lookalikes_with_wrong_check_digits_are_not_suggested(bad):
    assert found(f"Rekening {bad} graag.") == []


def test_bsn_passes_the_eleven_test_in_its_written_forms():
    assert is_bsn("123456782") and is_bsn("111222333")
    assert not is_bsn("123456789") and not is_bsn("000000000") and not is_bsn("12345678")
    text = "BSN 123456782, ook als 1234.56.782 of 111 222 333."
    assert found(text) == [(K.BSN, "123456782"), (K.BSN, "1234.56.782"), (K.BSN, "111 222 333")]
    assert {s.ground for s in suggest_redactions(text, names=False)} == {"5.1.1e"}


@pytest.mark.parametrize(
    "text",
    [
        "Ordernummer 123456789 is verstuurd.",  # fails the eleven-test
        "Bel 0612345678 even.",  # ten digits: a phone number, not a BSN
        "Bel +31 123456782 even.",  # an international number, even though its digits pass the test
        "Factuur 1234567820 en 01234567829.",  # more than nine digits
        "Datum 12.03.2025 en bedrag 123.456.78",
    ],
)
def test_no_bsn_in_phone_numbers_and_other_numbers(text):
    assert K.BSN not in [kind for kind, _ in found(text)]


@pytest.mark.parametrize(
    "plate",
    ["GV-12-TH", "12-BXF-3", "1-KBB-12", "ZG-123-B", "T-123-BR", "XXL-12-H", "5-TZ-123", "123-RX-7", "73-NT-JR"],
)
def test_dutch_licence_plates_of_the_sidecodes(plate):
    assert found(f"De auto met kenteken {plate} stond er.") == [(K.LICENCE_PLATE, plate)]


@pytest.mark.parametrize(
    "text", ["COVID-19 maatregelen", "datum 12-03-25", "AB-12-CD", "de A-12 richting", "BV-1234-X", "artikel 12-ABC-3"]
)
def test_licence_plate_lookalikes(text):
    assert found(text) == []


def test_known_contacts_full_name_and_surname_whole_words():
    text = "Sanne Bakker belde; ik zei Bakker dat sanne   bakker mag komen. De bakkerij en Bakkeren niet."
    assert found(text, contacts=["Sanne Bakker"]) == [
        (K.CONTACT_NAME, "Sanne Bakker"),
        (K.CONTACT_NAME, "Bakker"),
        (K.CONTACT_NAME, "sanne   bakker"),
    ]


def test_overlaps_keep_the_stronger_kind():
    suggestions = found(
        "Mail sanne.bakker@example.nl", contacts=["Bakker"], name_finder=lambda t: [(5, 17)], names=True
    )
    assert suggestions == [(K.EMAIL, "sanne.bakker@example.nl")]


def test_officials_are_not_suggested_private_persons_are():
    def finder(text):
        return [(m, m + len(name)) for name in ("minister Rutte", "Henk Smit") if (m := text.find(name)) >= 0]

    text = "Overleg met minister Rutte en Henk Smit."
    assert found(text, names=True, name_finder=finder, officials=["Mark Rutte"]) == [(K.PERSON_NAME, "Henk Smit")]


def test_suggestion_carries_exact_offsets_and_ground():
    text = "Zie 😀 mail: a@b.nl"
    (suggestion,) = suggest_redactions(text, names=False)
    assert text[suggestion.start : suggestion.end] == "a@b.nl" == suggestion.text
    assert suggestion.ground == "5.1.2e"


def test_deduce_finds_dutch_person_names_and_leaves_logging_alone():
    """One test on purpose: deduce takes ~10 s and ~1 GB to load, so load it in one test worker only."""
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    positives = {
        "Ik sprak Pieter de Vries gisteren over de begroting.": "Pieter de Vries",
        "Kun je dit naar Annemarie Bakker-Smit sturen?": "Annemarie Bakker-Smit",
        "Groeten aan mevrouw Jansen van de gemeente.": "Jansen",
    }
    for text, name in positives.items():
        spans = [text[a:b] for a, b in deduce_person_names(text)]
        assert any(name in span for span in spans), (text, spans)
    negatives = [
        "Het overleg met Financiën is verzet naar dinsdag.",
        "De Kamerbrief gaat vrijdag naar de Tweede Kamer.",
        "Prima, doen we zo.",
        "",
    ]
    for text in negatives:
        assert deduce_person_names(text) == [], text
    text = "Overleg met Pieter de Vries en minister Mark Rutte, bel 06-12345678."
    kinds = [(s.kind, s.text) for s in suggest_redactions(text, officials=["Mark Rutte"])]
    assert (K.PERSON_NAME, "Pieter de Vries") in kinds and (K.PHONE, "06-12345678") in kinds
    assert not any("Rutte" in t for _, t in kinds)
    assert (root.handlers[:], root.level) == before
