"""The legal-hold form of the holds page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class HoldForm(forms.Form):
    custodian = forms.ChoiceField(label=_("Functionaris"))
    conversation = forms.IntegerField(
        label=_("Gespreksnummer"),
        required=False,
        min_value=1,
        help_text=_("Leeg: het hele archief van de functionaris."),
    )
    period_from = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_to = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Reden"), max_length=2000, help_text=_("Bijvoorbeeld het kenmerk van het Woo-verzoek of de zaak.")
    )

    def __init__(self, *args: Any, custodians: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custodian"].choices = custodians
