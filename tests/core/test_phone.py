"""One phone normaliser: lenient for senders read from exports, strict for numbers typed in."""

from __future__ import annotations

import pytest

from chatarchief.core.phone import PhoneNumberError, normalise_phone, phone_or_none


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+31 6 12345678", "+31612345678"),
        ("+31\u00a06\u00a012345678", "+31612345678"),
        ("06-12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("(020) 123 4567", "+31201234567"),
        ("1200", "1200"),  # a short code stays digits
        ("KPN", "KPN"),  # an alphanumeric sender stays as written
        ("alice@example.com", "alice@example.com"),
    ],
)
def test_lenient_keeps_every_sender(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("+31 6 12345678", "+31612345678"), ("06 1234 5678", "+31612345678"), ("+44 20 7946 0958", "+442079460958")],
)
def test_strict_gives_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw, strict=True) == expected


@pytest.mark.parametrize("raw", ["KPN", "", "12", "alice@example.com", "+31 6 1"])
def test_strict_refuses_what_is_no_phone_number(raw: str) -> None:
    with pytest.raises(PhoneNumberError) as caught:
        normalise_phone(raw, strict=True)
    assert caught.value.code == "phone.invalid"
    assert caught.value.message("nl") == f"Ongeldig telefoonnummer: {raw!r}."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+31600000001", "+31600000001"),
        ("0612345678", "+31612345678"),
        ("KPN", None),
        ("", None),
        (None, None),
        (31, None),
    ],
)
def test_phone_or_none(value: object, expected: str | None) -> None:
    assert phone_or_none(value) == expected
