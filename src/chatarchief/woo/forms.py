from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chatarchief.core.packaging.grounds import WOO_GROUNDS
from chatarchief.woo.constants import Decision, Grouping


def ground_choices() -> list[tuple[str, str]]:
    return [(g.code, f"{g.code} – {g.name}") for g in WOO_GROUNDS.values()]


class RequestForm(forms.Form):
    reference = forms.CharField(label=_("Kenmerk"), max_length=100)
    subject = forms.CharField(label=_("Onderwerp"), widget=forms.Textarea(attrs={"rows": 3}))
    requester = forms.CharField(
        label=_("Verzoeker"),
        required=False,
        max_length=300,
        help_text=_("Persoonsgegevens: alleen zichtbaar voor de Woo-coördinatoren van dit verzoek."),
    )
    received = forms.DateField(label=_("Ontvangen op"), widget=forms.DateInput(attrs={"type": "date"}))
    period_from = forms.DateField(label=_("Periode vanaf"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("Periode tot en met"), widget=forms.DateInput(attrs={"type": "date"}))
    custodians = forms.MultipleChoiceField(label=_("Functionarissen"), widget=forms.CheckboxSelectMultiple)
    grouping = forms.ChoiceField(label=_("Indeling in documenten"), choices=Grouping.choices, initial=Grouping.DAY)
    four_eyes = forms.BooleanField(label=_("Elke beoordeling laten bevestigen door een tweede persoon"), required=False)

    def __init__(self, *args, custodians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custodians"].choices = [(c.slug, c.name) for c in custodians]


class QueryForm(forms.Form):
    query = forms.CharField(label=_("Zoekvraag"), max_length=500)


class AssessForm(forms.Form):
    decision = forms.ChoiceField(label=_("Beoordeling"), choices=Decision.choices)
    grounds = forms.MultipleChoiceField(
        label=_("Weigeringsgronden"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = ground_choices()


class RedactForm(forms.Form):
    text = forms.CharField(label=_("Tekst die zwart moet (elke vindplaats in het document)"), max_length=500)
    ground = forms.ChoiceField(label=_("Weigeringsgrond"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = ground_choices()
