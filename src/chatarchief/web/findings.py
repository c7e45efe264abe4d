"""The findings of the custodian page: all of them (open and closed), filtered, paginated, open first,
with every detail in words and a link to the message.

Open or closed is decided in ONE place, `open_q()` / `is_open()`, as the compliance dashboard decides it:
a finding is open while its workflow status is `open` (not yet explained, closed or accepted as a risk)
and it was not retracted (`retracted_at`: a cadence gap closed by a later-ingested older delivery).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chatarchief.archive.models import Conversation, Custodian, DeliveryStatus
from chatarchief.compliance import cadence
from chatarchief.compliance import words as compliance_words
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.compliance.workflow import FindingStatus
from chatarchief.web.chat import is_own, self_keys
from chatarchief.web.templatetags.ca_words import duration_words

PER_PAGE = 50
DATE_FORMAT = "j F Y H:i"


def open_q() -> Q:
    """The findings that are open (see the module's docstring)."""
    return Q(retracted_at__isnull=True, status=FindingStatus.OPEN.value)


def is_open(finding: Finding) -> bool:
    return finding.retracted_at is None and finding.status == FindingStatus.OPEN.value


class FindingFilter(forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("Soort"), required=False)
    conversation = forms.TypedChoiceField(label=gettext_lazy("Gesprek"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(
        label=gettext_lazy("Open of gesloten"),
        required=False,
        choices=[("", gettext_lazy("Alle")), ("open", gettext_lazy("Open")), ("closed", gettext_lazy("Gesloten"))],
    )
    date_from = forms.DateField(
        label=gettext_lazy("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any, custodian: Custodian) -> None:
        super().__init__(data, auto_id="id_findings_%s")
        self.fields["type"].choices = [("", _("Alle soorten")), *FindingType.choices]
        with_findings = Finding.objects.filter(custodian=custodian, conversation__isnull=False).values(
            "conversation_id"
        )
        titles = Conversation.objects.filter(pk__in=with_findings).order_by("title").values_list("pk", "title")
        self.fields["conversation"].choices = [("", _("Alle gesprekken")), *titles]


@dataclass
class Listing:
    page: Page
    rows: list[dict[str, Any]]
    total: int  # every finding of the custodian, open and closed
    open: int
    matching: int  # those the filters let through
    form: FindingFilter


def _ms(day: dt.date, zone: ZoneInfo) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=zone).timestamp() * 1000)


def _filtered(custodian: Custodian, form: FindingFilter) -> QuerySet[Finding]:
    query = Finding.objects.filter(custodian=custodian)
    if not form.is_valid():
        return query
    data, zone = form.cleaned_data, custodian.zone
    if data.get("type"):
        query = query.filter(type=data["type"])
    if data.get("conversation"):
        query = query.filter(conversation_id=data["conversation"])
    if data.get("state") == "open":
        query = query.filter(open_q())
    elif data.get("state") == "closed":
        query = query.exclude(open_q())
    if data.get("date_from"):  # the message's time, else the time the finding was made
        low = data["date_from"]
        start = dt.datetime.combine(low, dt.time(), tzinfo=zone)
        query = query.filter(
            Q(message__sent_at_ms__gte=_ms(low, zone)) | Q(message__isnull=True, detected_at__gte=start)
        )
    if data.get("date_to"):
        high = data["date_to"] + dt.timedelta(days=1)
        end = dt.datetime.combine(high, dt.time(), tzinfo=zone)
        query = query.filter(Q(message__sent_at_ms__lt=_ms(high, zone)) | Q(message__isnull=True, detected_at__lt=end))
    return query


def _unrecorded_gaps(custodian: Custodian, form: FindingFilter, at: dt.datetime) -> list[Finding]:
    """An open cadence gap as of now that no finding records yet (the page shows it without writing)."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("type") not in (None, "", FindingType.DELIVERY_OVERDUE) or data.get("conversation"):
        return []
    if data.get("state") == "closed":
        return []
    gaps = cadence.expected(custodian, at)
    stored = set(
        Finding.objects.filter(
            custodian=custodian, type=FindingType.DELIVERY_OVERDUE, subject__in=list(gaps)
        ).values_list("subject", flat=True)
    )
    return [
        Finding(custodian=custodian, type=FindingType.DELIVERY_OVERDUE, subject=subject, details=details)
        for subject, details in gaps.items()
        if subject not in stored
    ]


def listing(custodian: Custodian, params: Any, page_number: str | None, at: dt.datetime | None = None) -> Listing:
    at = at or timezone.now()
    form = FindingFilter(params or None, custodian)
    totals = Finding.objects.filter(custodian=custodian).aggregate(total=Count("id"), open=Count("id", filter=open_q()))
    extra = _unrecorded_gaps(custodian, form, at)
    ordered = (
        _filtered(custodian, form)
        .annotate(closed_rank=Case(When(open_q(), then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("closed_rank", "-detected_at", "-id")
        .values_list("id", flat=True)
    )
    page = Paginator(ordered, PER_PAGE).get_page(page_number)  # sorts ids only; the page's rows below
    ids = list(page.object_list)
    loaded = Finding.objects.select_related("conversation", "message").in_bulk(ids)
    shown = [loaded[i] for i in ids if i in loaded]
    if page.number == 1:
        shown = extra + shown
    gaps = cadence.expected(custodian, at)
    for finding in shown:  # a stored gap's details as of now (in memory only), as compliance.status does
        if finding.type == FindingType.DELIVERY_OVERDUE and finding.subject in gaps:
            finding.details = gaps[finding.subject]
    own = _own_keys(custodian, shown)
    rows = [_row(finding, custodian.zone, own) for finding in shown]
    return Listing(
        page, rows, totals["total"] + len(extra), totals["open"] + len(extra), page.paginator.count + len(extra), form
    )


def _own_keys(custodian: Custodian, findings: list[Finding]) -> set[str]:
    """The custodian's identities in the conversations of these findings (see web.chat.self_keys)."""
    keys: set[str] = set()
    for conversation in {f.conversation for f in findings if f.conversation_id and f.conversation}:
        keys |= self_keys(conversation, custodian)
    return keys


def when(value: str | dt.datetime | None, zone: ZoneInfo) -> str:
    """A moment in the custodian's local time, in the one date format of the pages."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return dateformat.format(moment.astimezone(zone), DATE_FORMAT)


def _by(value: str | None, finding: Finding, own: set[str]) -> str:
    if value == "custodian":
        return _("door de functionaris")
    if value == "other":
        return _("door een ander")
    if value and (value in own or (finding.message is not None and is_own(finding.message, own))):
        return _("door de functionaris")
    return _("door een ander") if value else ""


def facts(finding: Finding, zone: ZoneInfo, own: set[str]) -> list[str]:
    """The details of a finding as short sentences in the user's language."""
    details = dict(finding.details or {})
    said: list[str] = []
    by = details.pop("by", None)
    if finding.type == FindingType.VIEW_ONCE:
        by = details.pop("sender", None)
    if by:
        said.append(_by(by, finding, own))
    actor = details.pop("actor", None)
    if actor:
        said.append(_("vermeld als %(who)s") % {"who": actor})
    basis = details.pop("by_basis", None)
    if basis:
        said.append(_("vastgesteld uit %(basis)s") % {"basis": compliance_words.BASIS.get(basis, _("de export"))})
    if "timer_seconds" in details:
        seconds = details.pop("timer_seconds")
        said.append(
            _("timer: %(duration)s") % {"duration": duration_words(seconds)} if seconds else _("timer onbekend")
        )
    if "versions" in details:
        n = details.pop("versions")
        said.append(ngettext("%(n)s versie bewaard", "%(n)s versies bewaard", n) % {"n": n})
    if "absent_in" in details:
        n = details.pop("absent_in")
        said.append(
            ngettext("ontbreekt in %(n)s latere aanlevering", "ontbreekt in %(n)s latere aanleveringen", n) % {"n": n}
        )
    if "content_preserved" in details:
        kept = details.pop("content_preserved")
        if finding.type == FindingType.MESSAGE_EDITED:
            said.append(_("het archief bewaart elke versie") if kept else _("de eerdere tekst is nooit gearchiveerd"))
        else:
            said.append(_("het archief bewaart de inhoud") if kept else _("de inhoud is nooit gearchiveerd"))
    if finding.type == FindingType.DELIVERY_OVERDUE:
        start, end = details.pop("from", None), details.pop("to", None)
        days, limit = details.pop("days", None), details.pop("limit_days", None)
        details.pop("open", None)
        due, overdue = details.pop("due_at", None), details.pop("overdue_days", None)
        details.pop("closed_by", None), details.pop("agreement_version", None)
        opened_by = details.pop("opened_by", None)
        frequency = details.pop("frequency", None)
        if start:
            said.append(
                _("geen aanlevering van %(start)s tot %(end)s") % {"start": when(start, zone), "end": when(end, zone)}
                if end
                else _("geen aanlevering sinds %(start)s") % {"start": when(start, zone)}
            )
        if finding.retracted_at is not None:  # retracted: a delivery ingested later covered the period
            said.append(_("gesloten: een later verwerkte aanlevering dekt deze periode"))
        elif days is not None:
            n = round(float(days))
            said.append(
                ngettext("%(n)s dag zonder aanlevering", "%(n)s dagen zonder aanlevering", n) % {"n": n}
                + (", " + _("de grens is %(limit)s") % {"limit": duration_words(int(limit) * 86400)} if limit else "")
            )
        if due:
            said.append(_("veilig te stellen uiterlijk %(when)s") % {"when": when(due, zone)})
        if overdue is not None and overdue > 0 and finding.retracted_at is None:
            late = round(float(overdue))
            said.append(ngettext("%(n)s dag te laat", "%(n)s dagen te laat", late) % {"n": late})
        if opened_by == "clock_start":
            said.append(_("nog nooit aangeleverd sinds de start van de afspraak of de ambtstermijn"))
        if frequency:
            said.append(
                _("afspraak: %(frequency)s") % {"frequency": compliance_words.FREQUENCIES.get(frequency, frequency)}
            )
    if finding.type == FindingType.FIXITY_FAILURE:
        kind = details.pop("kind", None)
        said.append(_("het bestand is verdwenen") if kind == "missing" else _("de inhoud van het bestand is veranderd"))
        sha = details.pop("sha256", "")
        if sha:
            said.append(_("SHA-256 %(sha)s…") % {"sha": sha[:16]})
    if "messages" in details:
        n = details.pop("messages")
        said.append(ngettext("%(n)s bericht", "%(n)s berichten", n) % {"n": n})
    if "excluded_at_ingest" in details:
        if details.pop("excluded_at_ingest"):
            said.append(_("uitgesloten bij het aanleveren"))
    if "category" in details:
        said.append(_("soort contact: %(what)s") % {"what": CONTACT_WORDS.get(details.pop("category"), _("anders"))})
    if "matched_by" in details:
        said.append(_("herkend aan: %(what)s") % {"what": MATCH_WORDS.get(details.pop("matched_by"), _("anders"))})
    for key, value in details.items():  # a detail without words yet: shown as it is (the words test notices)
        if value not in ("", None, [], {}):
            said.append(f"{key}: {value}")
    return said


CONTACT_WORDS = {"private": gettext_lazy("privé"), "party": gettext_lazy("partijpolitiek")}
MATCH_WORDS = {
    "phone": gettext_lazy("telefoonnummer"),
    "name": gettext_lazy("naam"),
    "label": gettext_lazy("markering"),
    "contact": gettext_lazy("contact"),
}


def _row(finding: Finding, zone: ZoneInfo, own: set[str]) -> dict[str, Any]:
    message = finding.message
    moment = dt.datetime.fromtimestamp(message.sent_at_ms / 1000, tz=zone) if message is not None else None
    if moment is None and finding.type == FindingType.DELIVERY_OVERDUE and (finding.details or {}).get("from"):
        moment = dt.datetime.fromisoformat(finding.details["from"]).astimezone(zone)
    return {
        "finding": finding,
        "label": FindingType(finding.type).label if finding.type in FindingType.values else finding.type,
        "open": is_open(finding),
        "moment": moment,
        "detected": finding.detected_at,
        "facts": facts(finding, zone, own),
        "conversation_id": finding.conversation_id,
        "conversation_title": finding.conversation.title if finding.conversation_id and finding.conversation else "",
        "message_id": finding.message_id,
    }


def never_delivered(custodian: Custodian) -> bool:
    """Nothing was ever ingested for this custodian: a state of its own, not 'no findings'."""
    return not custodian.deliveries.filter(status=DeliveryStatus.INGESTED).exists()
