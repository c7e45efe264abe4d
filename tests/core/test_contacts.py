"""Contacts files: CSV and vCard, categories in English and Dutch, and bad rows named by line."""

from __future__ import annotations

import pytest

from chatarchief.core.contacts import (
    Contact,
    ContactsError,
    normalise_signal_id,
    normalise_telegram_id,
    parse_category,
    parse_contacts,
    read_contacts,
)
from chatarchief.core.rules.labels import Label


def _csv(text: str, name: str = "contacten.csv") -> list[Contact]:
    return parse_contacts(text.encode("utf-8"), name)


def _error(data: str | bytes, name: str = "contacten.csv") -> ContactsError:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(ContactsError) as caught:
        parse_contacts(raw, name)
    return caught.value


# ---------------------------------------------------------------- CSV


def test_csv_reads_every_category_spelling_and_normalises_numbers():
    contacts = _csv(
        "name,phone,category,note\n"
        "Pieter van Dam,06-2000 0001,business,DG\n"
        "Mark,+31 6 30000001,PRIVÉ,echtgenoot\n"
        "Henk Mulder,0031640000001,Partij,\n"
        "Chloë de Wit,(06) 20000002,zakelijk,\n"
        "Anna,06 30000002,prive,\n"
        "Wim,06 40000004,party,\n"
        "Lisa,06 30000003,Private,\n"
    )
    assert [(c.name, c.category, c.phones) for c in contacts] == [
        ("Pieter van Dam", Label.BUSINESS, ("+31620000001",)),
        ("Mark", Label.PRIVATE, ("+31630000001",)),
        ("Henk Mulder", Label.PARTY, ("+31640000001",)),
        ("Chloë de Wit", Label.BUSINESS, ("+31620000002",)),
        ("Anna", Label.PRIVATE, ("+31630000002",)),
        ("Wim", Label.PARTY, ("+31640000004",)),
        ("Lisa", Label.PRIVATE, ("+31630000003",)),
    ]
    assert contacts[0].note == "DG" and contacts[0].line == 2
    assert contacts[3].line == 5


def test_csv_with_bom_semicolons_dutch_headers_and_crlf():
    data = "\ufeffnaam;telefoon;categorie;notitie\r\nJan Jansen;+31 6 20000001;zakelijk;staat, met komma\r\n"
    (contact,) = parse_contacts(data.encode("utf-8"), "export.csv")
    assert contact == Contact("Jan Jansen", Label.BUSINESS, ("+31620000001",), note="staat, met komma", line=2)


def test_csv_columns_in_any_order_several_numbers_and_ids():
    (contact,) = _csv(
        "category,note,name,phone,signal,telegram\n"
        "party,,Joke,06 40000002|+32 470 12 34 56,0a1b2c3d-0000-4000-8000-00000000abcd,@JokeB|12345\n"
    )
    assert contact.phones == ("+31640000002", "+32470123456")
    assert contact.signal_ids == ("0a1b2c3d-0000-4000-8000-00000000abcd",)
    assert contact.telegram_ids == ("jokeb", "user12345")


def test_csv_contact_without_phone_is_kept_for_name_matching():
    (contact,) = _csv("name,phone,category,note\nOma,,prive,\n")
    assert contact.phones == () and contact.category is Label.PRIVATE


def test_csv_line_numbers_count_quoted_multiline_notes_and_blank_lines():
    error = _error('name,phone,category,note\nA,0620000001,business,"twee\nregels"\n\nB,0620000002,vriend,\n')
    assert error.line == 5
    assert "vriend" in error.message("nl") and "contacten.csv" in error.message("nl")


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("Jan,0620000001,collega,", ("collega", "zakelijk")),
        ("Jan,12,business,", ("telefoonnummer", "'12'")),
        ("Jan,06-nummer volgt,business,", ("telefoonnummer",)),
        (",0620000001,business,", ("Naam",)),
        ("Jan,0620000001,business,a,b", ("5 velden",)),
    ],
)
def test_csv_bad_row_names_the_file_and_line_and_nothing_is_returned(row, words):
    error = _error(f"name,phone,category,note\nAnna,0620000009,business,\n{row}\n")
    assert error.code == "contacts.bad_row"
    assert (error.file, error.line) == ("contacten.csv", 3)
    message = error.message("nl")
    assert message.startswith("contacten.csv, regel 3: ")
    for word in words:
        assert word in message
    assert "niets ingelezen" in message
    assert "Nothing was imported" in error.message("en")


def test_csv_every_row_is_checked_and_the_count_of_further_errors_is_given():
    error = _error("name,phone,category,note\nA,1,business,\nB,0620000001,business,\nC,0620000002,x,\nD,3,y,\n")
    assert error.line == 2
    assert "en nog 3 andere fout(en)" in error.message("nl")  # D has two problems


def test_csv_header_must_name_the_columns():
    assert _error("Jan,0620000001,business,\n").line == 1
    error = _error("name,phone,catgory,note\nJan,0620000001,business,\n")
    assert "catgory" in error.message("en") and error.line == 1


def test_same_number_with_two_categories_is_a_contradiction():
    error = _error("name,phone,category,note\nA,0620000001,business,\nB,06 2000 0001,private,\n")
    assert error.line == 3 and "regel 2" in error.message("nl")


def test_not_utf8_and_empty_files_are_refused():
    error = _error("name,phone,category,note\nJosé,0620000001,business,\n".encode("cp1252"))
    assert error.code == "contacts.not_utf8" and error.line == 2
    assert _error("name,phone,category,note\n").code == "contacts.empty"


def test_read_contacts_names_the_file(tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_text("name,phone,category,note\nJan,0620000001,onbekend,\n", encoding="utf-8")
    with pytest.raises(ContactsError) as caught:
        read_contacts(path)
    assert caught.value.file == "lijst.csv" and caught.value.line == 2


def test_categories_and_ids_normalise():
    assert [parse_category(t) for t in ("Zakelijk", " PRIVE ", "privé", "Partij", "werk")] == [
        Label.BUSINESS,
        Label.PRIVATE,
        Label.PRIVATE,
        Label.PARTY,
        None,
    ]
    assert normalise_signal_id("sgnl://+31 6 20000001") == "+31620000001"
    assert normalise_signal_id("https://signal.me/#p/+31620000001") == "+31620000001"
    assert normalise_signal_id("Eva.01") == "eva.01"
    assert normalise_telegram_id("https://t.me/EvaB") == "evab"
    assert normalise_telegram_id("user42") == "user42" and normalise_telegram_id("42") == "user42"


# ---------------------------------------------------------------- vCard

_VCARD3 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Mark ❤️\r\n"
    "N:Bakker;Mark;;;\r\n"
    "TEL;TYPE=CELL:+31 6 30000001\r\n"
    "TEL;TYPE=HOME:070 1234567\r\n"
    "CATEGORIES:myContacts,Privé\r\n"
    "NOTE:Echtgenoot van de minister\\, sinds 2001\\nTweede regel die lang is en daarom gev\r\n"
    " ouwen wordt\r\n"
    "item1.IMPP;X-SERVICE-TYPE=Signal:sgnl://+31630000001\r\n"
    "X-TELEGRAM:@markb\r\n"
    "END:VCARD\r\n"
)


def test_vcard3_reads_name_numbers_category_folded_note_and_ids():
    (contact,) = parse_contacts(_VCARD3.encode("utf-8"), "telefoon.vcf")
    assert contact.name == "Mark ❤️"
    assert contact.category is Label.PRIVATE
    assert contact.phones == ("+31630000001", "+31701234567")
    assert contact.note == "Echtgenoot van de minister, sinds 2001\nTweede regel die lang is en daarom gevouwen wordt"
    assert contact.signal_ids == ("+31630000001",)
    assert contact.telegram_ids == ("markb",)
    assert contact.line == 1


def test_vcard4_with_tel_uris_and_impp_entries():
    data = (
        "BEGIN:VCARD\nVERSION:4.0\nFN:Henk Mulder\nTEL;VALUE=uri;TYPE=cell:tel:+31-6-40000001\n"
        "CATEGORIES:party\nIMPP;PREF=1:tg://resolve?domain=HenkM\n"
        "IMPP:signal:0a1b2c3d-0000-4000-8000-00000000abcd\nEND:VCARD\n"
    )
    (contact,) = parse_contacts(data.encode(), "x.vcf")
    assert contact.phones == ("+31640000001",)
    assert contact.telegram_ids == ("henkm",)
    assert contact.signal_ids == ("0a1b2c3d-0000-4000-8000-00000000abcd",)


def test_vcard21_quoted_printable_name_with_soft_breaks_and_n_only():
    data = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Wit;Chlo=C3=AB;de;;\r\n"
        "TEL;CELL;PREF:0620000002\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:Secretaris-generaal, bel via het secr=\r\n"
        "etariaat\r\n"
        "CATEGORIES:Zakelijk\r\n"
        "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQ\r\n"
        "AAAQABAAD\r\n"
        "\r\n"
        "END:VCARD\r\n"
    )
    (contact,) = parse_contacts(data.encode(), "android.vcf")
    assert contact.name == "Chloë de Wit"
    assert contact.note == "Secretaris-generaal, bel via het secretariaat"
    assert contact.phones == ("+31620000002",) and contact.category is Label.BUSINESS


def test_vcard_without_category_fails_the_whole_file_naming_its_line():
    data = _VCARD3 + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Oom Piet\r\nTEL:0612345678\r\nEND:VCARD\r\n"
    error = _error(data, "telefoon.vcf")
    assert (error.file, error.line) == ("telefoon.vcf", 13)
    assert "Oom Piet" in error.message("nl") and "CATEGORIES" in error.message("en")


def test_vcard_bad_number_and_unknown_category_name_their_lines():
    data = "BEGIN:VCARD\nVERSION:3.0\nFN:A\nTEL:12\nCATEGORIES:zakelijk\nEND:VCARD\n"
    assert _error(data, "a.vcf").line == 4
    data = "BEGIN:VCARD\nVERSION:3.0\nFN:A\nTEL:0612345678\nCATEGORIES:Vrienden\nEND:VCARD\n"
    error = _error(data, "a.vcf")
    assert error.line == 5 and "Vrienden" in error.message("nl")


def test_vcard_structure_errors():
    assert _error("BEGIN:VCARD\nFN:A\nCATEGORIES:party\n", "a.vcf").line == 1
    error = _error("BEGIN:VCARD\nFN:A\nCATEGORIES:party\nEND:VCARD\nFN:B\n", "a.vcf")
    assert error.line == 5
    assert _error("BEGIN:VCARD\nCATEGORIES:party\nEND:VCARD\n", "a.vcf").line == 1


def test_generated_year_contact_files_parse(tmp_path):
    from tests.generators.minister_year import minister_year

    year = minister_year()
    year.write(tmp_path)
    business = read_contacts(tmp_path / "contacts.csv")
    others = read_contacts(tmp_path / "contacts.vcf")
    assert {c.category for c in business} == {Label.BUSINESS}
    assert {c.category for c in others} == {Label.PRIVATE, Label.PARTY}
    assert len(business) + len(others) == sum(1 for p in year.people if p.category is not None)
    assert "Chloe de Wit" in {c.name for c in business}
    assert others[0].note.endswith("zakelijke telefoon.")
