from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

CHANNELS = [
    ("", _("Alle kanalen")),
    ("whatsapp", "WhatsApp"),
    ("signal", "Signal"),
    ("sms", _("Sms")),
    ("telegram", "Telegram"),
]
SORTS = [("time", _("Nieuwste eerst")), ("relevance", _("Best passend eerst"))]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Zoekvraag"),
        max_length=500,
        help_text=_(
            'Alle woorden moeten voorkomen. "Een zin" tussen aanhalingstekens; OR en NOT in hoofdletters; '
            "-woord sluit uit; woord* zoekt op het begin van een woord."
        ),
    )
    custodian = forms.ChoiceField(label=_("Functionaris"), required=False)
    date_from = forms.DateField(label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sender = forms.CharField(label=_("Afzender"), required=False, max_length=200)
    channel = forms.ChoiceField(label=_("Kanaal"), choices=CHANNELS, required=False)
    sort = forms.ChoiceField(label=_("Volgorde"), choices=SORTS, required=False)

    def __init__(self, *args, custodians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custodian"].choices = [("", _("Alle functionarissen"))] + [(c.slug, c.name) for c in custodians]
