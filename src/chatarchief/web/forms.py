"""Forms of the web app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from chatarchief.archive.models import Custodian


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # hx-preserve: when htmx swaps the form back with errors, the chosen files stay chosen
        kwargs.setdefault("widget", MultipleFileInput(attrs={"hx-preserve": "true"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [file for file in (single(d, initial) for d in files) if file]
        if not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for file in cleaned:
            if file.size > settings.MAX_UPLOAD_SIZE:
                raise forms.ValidationError(_("Bestand %(name)s is te groot.") % {"name": file.name})
        return cleaned


class WallClockDateTimeField(forms.DateTimeField):
    """A date-time as typed, without the browser's or the server's zone: the ingest reads a naive
    one in the custodian's time zone (chatarchief.intake.moments), as the CLI and the API do."""

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        try:
            result = parse_datetime(str(value).strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if result is None:  # one of the input formats (e.g. "03-01-2026 10:00"): parsed without a zone
            result = forms.fields.BaseTemporalField.to_python(self, value)
        return result


class UploadForm(forms.Form):
    custodian = forms.ModelChoiceField(queryset=Custodian.objects.none(), label=_("Functionaris"))
    files = MultipleFileField(
        label=_("Exportbestand(en)"), help_text=_("WhatsApp .txt of .zip, Signal-back-up, SMS-XML of Telegram-JSON.")
    )
    exported_at = WallClockDateTimeField(
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
