"""Forms of the web app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chatarchief.archive.models import Custodian


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [single(d, initial) for d in files]
        for file in cleaned:
            if file.size > settings.MAX_UPLOAD_SIZE:
                raise forms.ValidationError(_("Bestand %(name)s is te groot.") % {"name": file.name})
        return cleaned


class UploadForm(forms.Form):
    custodian = forms.ModelChoiceField(queryset=Custodian.objects.none(), label=_("Functionaris"))
    files = MultipleFileField(
        label=_("Exportbestand(en)"), help_text=_("WhatsApp .txt of .zip, Signal-back-up, SMS-XML of Telegram-JSON.")
    )
    exported_at = forms.DateTimeField(
        required=False,
        label=_("Moment van veiligstellen"),
        help_text=_("Leeg laten: het nieuwste bericht in het bestand."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    passphrase = forms.CharField(
        required=False,
        label=_("Wachtwoordzin of herstelsleutel (Signal)"),
        help_text=_("Wordt alleen gebruikt om te ontsleutelen en nooit opgeslagen."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )

    def __init__(self, *args: Any, custodians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custodian"].queryset = custodians
