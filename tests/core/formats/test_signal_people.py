"""One people mapper for the three Signal formats: keys, stable ids and names by the same rules."""

from __future__ import annotations

from chatarchief.core.formats.signal.people import Directory, e164, person

ACI = "7B06FC8B-D487-490C-9FA4-7367E771D32F"


def _person(phone_first: bool = False, **handles):
    return person(
        names=handles.pop("names", []),
        key_fallback="recipient:9",
        stable_fallback="recipient-9",
        name_fallback="recipient 9",
        phone_first=phone_first,
        **handles,
    )


def test_phone_is_the_key_aci_the_stable_id_unless_phone_first():
    both = _person(phone="+31611110002", aci=ACI, names=["", "Bram"])
    assert (both.key, both.stable_id, both.name, both.aci) == ("+31611110002", ACI.lower(), "Bram", ACI.lower())
    legacy = _person(phone="+31611110002", aci=ACI, phone_first=True)
    assert (legacy.key, legacy.stable_id, legacy.name) == ("+31611110002", "+31611110002", "+31611110002")
    participant = both.participant()
    assert (participant.key, participant.name, participant.phone, participant.native_id) == (
        "+31611110002",
        "Bram",
        "+31611110002",
        ACI.lower(),
    )


def test_without_phone_or_aci_the_format_fallbacks_apply():
    only_aci = _person(phone=None, aci=ACI)
    assert (only_aci.key, only_aci.stable_id, only_aci.name) == (f"signal:{ACI.lower()}",) + (ACI.lower(),) * 2
    nothing = _person(phone=None, aci="  ")
    assert (nothing.key, nothing.stable_id, nothing.name, nothing.aci) == (
        "signal:recipient:9",
        "recipient-9",
        "recipient 9",
        None,
    )


def test_e164_from_text_or_from_the_v2_integer():
    assert e164(31611110002) == "+31611110002"
    assert e164("06 1111 0002") == "+31611110002"
    assert e164(0) is None and e164("KPN") is None and e164(None) is None and e164(True) is None


def test_directory_finds_by_any_handle_in_any_case():
    people: Directory[str] = Directory()
    people.add("bram", ACI.lower(), "+31611110002", "c-bram")
    assert people.find(ACI) == people.find("C-BRAM") == people.find("+31611110002") == "bram"
    assert people.find("someone") is None and people.find(None) is None
