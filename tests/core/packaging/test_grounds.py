import pytest

from chatarchief.core.packaging.grounds import WOO_GROUNDS, GroundError, ground, normalise_ground, normalise_grounds


@pytest.mark.parametrize(
    "spelling",
    ["5.1.2e", "5.1.2.e", "5.1.2E", "5.1.2.E", " 5.1.2 e ", "5 . 1 . 2 . e", "art. 5.1.2e", "artikel 5.1.2.e"],
)
def test_spellings_of_one_ground_become_the_canonical_code(spelling):
    assert normalise_ground(spelling) == "5.1.2e"


@pytest.mark.parametrize("code", ["5.1.5", "5.2", "5.4", "5.1.1e"])
def test_grounds_without_letter_and_absolute_grounds(code):
    assert normalise_ground(code) == code


@pytest.mark.parametrize("bad", ["5.1.2z", "5.1.3a", "5.3", "", "e", "5.1.2ee", "geen", "5.1.2-e"])
def test_unknown_codes_are_errors_in_both_languages(bad):
    with pytest.raises(GroundError) as info:
        normalise_ground(bad)
    assert info.value.code == "woo.unknown_ground"
    assert "Onbekende Woo-weigeringsgrond" in info.value.message("nl")
    assert "Unknown Woo refusal ground" in info.value.message("en")


def test_table_holds_the_maintained_list_with_dutch_names():
    assert len(WOO_GROUNDS) == 17
    assert ground("5.1.2.e").name == "Eerbiediging van de persoonlijke levenssfeer"
    assert ground("5.1.1e").absolute and not ground("5.1.2e").absolute
    assert ground("5.2").name.startswith("Persoonlijke beleidsopvattingen")


def test_several_grounds_are_deduplicated_in_list_order():
    assert normalise_grounds(["5.2", "5.1.2.e", "5.1.2e", "5.1.1E"]) == ("5.1.1e", "5.1.2e", "5.2")
