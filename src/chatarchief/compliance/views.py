"""Compliance in the web app: the dashboard (per organisation and custodian), the findings with their
workflow, the ADR report download, the reminders preview. Access is asked of `access.services`
(through `compliance.services`); no page shows message content (auditors see all of these)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.archive.models import Custodian, Organisation
from chatarchief.compliance import dashboard, report, rules, services, snapshot, words
from chatarchief.compliance.models import Finding, FindingType
from chatarchief.core.errors import ChatarchiefError

PAGE_SIZE = 50


def _lang() -> str:
    return "en" if (get_language() or "nl").startswith("en") else "nl"


def _actor(request: HttpRequest) -> str:
    return f"web:{getattr(request.user, 'username', 'anonymous')}"


class DashboardFilter(forms.Form):
    organisation = forms.ChoiceField(label=gettext_lazy("Organisatie"), required=False)
    light = forms.ChoiceField(label=gettext_lazy("Stoplicht"), required=False)

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Alle organisaties")), *organisations]
        self.fields["light"].choices = [("", _("Alle")), *words.LIGHTS.items()]


class FindingFilter(forms.Form):
    organisation = forms.ChoiceField(label=gettext_lazy("Organisatie"), required=False)
    custodian = forms.CharField(label=gettext_lazy("Functionaris (kenmerk)"), required=False, max_length=64)
    type = forms.ChoiceField(label=gettext_lazy("Soort"), required=False)
    by = forms.ChoiceField(label=gettext_lazy("Gedaan door"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    start = forms.DateField(label=gettext_lazy("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=gettext_lazy("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Alle organisaties")), *organisations]
        self.fields["type"].choices = [("", _("Alle soorten")), *FindingType.choices]
        self.fields["by"].choices = [("", _("Iedereen")), *words.BY.items()]
        self.fields["status"].choices = [("", _("Alle statussen")), *words.STATUSES.items()]


class StepForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("Nieuwe status"))
    note = forms.CharField(label=gettext_lazy("Toelichting"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(words.STEPS.items())


def _organisations(request: HttpRequest) -> list[tuple[str, str]]:
    ids = services.visible_custodians(request.user).values_list("organisation_id", flat=True)
    return [(o.code, o.name or o.code) for o in Organisation.objects.filter(pk__in=ids).order_by("code")]


def compliance_dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilter(request.GET or None, organisations=_organisations(request))
    chosen = form.cleaned_data if form.is_valid() else {}
    custodians = services.visible_custodians(request.user, chosen.get("organisation") or None)
    now = timezone.now()
    view = dashboard.overview(custodians, now)
    ranked = snapshot.ranked(custodians, now)
    if chosen.get("light"):
        ranked = ranked.filter(rank={"red": 0, "orange": 1, "green": 2}[chosen["light"]])
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [words.judged_row(snapshot.judged_of(s, now)) for s in page.object_list]
    lang = _lang()
    return render(
        request,
        "compliance/dashboard.html",
        {
            "form": form,
            "view": view,
            "page": page,
            "organisations": [words.organisation_row(s) for s in view.organisations],
            "chart_svg": view.chart_svg(lang),
            "chart_rows": view.chart_rows(lang),
            "total": sum(o.custodians for o in view.organisations),
            "lights": [(code, label, view.lights[code]) for code, label in words.LIGHTS.items()],
            "fixity": report.last_fixity_run(),
        },
    )


def compliance_custodian(request: HttpRequest, slug: str) -> HttpResponse:
    custodian = access.custodian_by_slug(request.user, Action.VIEW_METADATA, slug)
    if custodian is None:
        raise PermissionDenied
    now = timezone.now()
    (judged,) = rules.statuses([custodian], now)
    buckets = dashboard.months(Custodian.objects.filter(pk=custodian.pk), now)
    from chatarchief.core.compliance import chart

    lang = _lang()
    by_type = dashboard.findings_by_type(custodian)
    agreement = services.agreement_view(request.user, custodian)
    return render(
        request,
        "compliance/custodian.html",
        {
            "custodian": custodian,
            "row": words.judged_row(judged),
            "agreement": words.agreement_words(agreement["agreement"]),
            "versions": [words.agreement_words(v) for v in reversed(agreement["versions"])],
            "by_type": words.by_type_rows(custodian.slug, by_type),
            "chart_svg": chart.render_svg(buckets, lang=lang, ident="custodian-chart"),
            "chart_rows": chart.table_rows(buckets, lang),
            "findings_url": reverse("findings") + "?" + urlencode({"custodian": custodian.slug}),
        },
    )


def findings(request: HttpRequest) -> HttpResponse:
    form = FindingFilter(request.GET or None, organisations=_organisations(request))
    chosen = form.cleaned_data if form.is_valid() else {}
    visible = services.visible_custodians(request.user)
    query = Finding.objects.filter(custodian__in=visible, retracted_at__isnull=True).select_related(
        "custodian", "custodian__organisation"
    )
    query = dashboard.filter_findings(query, chosen).order_by("-detected_at", "-id")
    page = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    handle = {c.pk for c in {f.custodian for f in page.object_list} if services.may_handle(request.user, c)}
    rows = [words.finding_row(f, may_handle=f.custodian_id in handle) for f in page.object_list]
    return render(
        request,
        "compliance/findings.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "total": page.paginator.count,
            "can_bulk": bool(handle),
            "step_form": StepForm(),
            "back": request.get_full_path(),
        },
    )


def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = Finding.objects.select_related("custodian", "custodian__organisation", "delivery").filter(pk=pk).first()
    if finding is None or not access.allowed(request.user, Action.VIEW_METADATA, finding.custodian):
        raise Http404
    may = services.may_handle(request.user, finding.custodian)
    form = StepForm(request.POST or None)
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        if form.is_valid():
            result = services.step_findings(
                request.user,
                [finding.pk],
                form.cleaned_data["target"],
                note=form.cleaned_data["note"],
                actor=_actor(request),
                lang=_lang(),
            )
            for reason in result.refused.values():
                flash.error(request, reason)
            if result.done:
                flash.success(request, _("De status is gewijzigd."))
            return redirect("finding", pk=finding.pk)
    allowed_steps = words.allowed_steps(finding.status)
    form.fields["target"].choices = allowed_steps
    return render(
        request,
        "compliance/finding.html",
        {
            "finding": finding,
            "row": words.finding_row(finding, may_handle=may),
            "details": words.detail_rows(finding),
            "steps": [words.step_row(s) for s in finding.steps.all()],
            "form": form if may and allowed_steps else None,
            "can_read": access.allowed(request.user, Action.READ_CONTENT, finding.custodian),
        },
    )


@require_POST
def findings_bulk(request: HttpRequest) -> HttpResponse:
    """One step for the chosen findings; every refusal named on the next page."""
    back = request.POST.get("next") or reverse("findings")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("findings")
    form = StepForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if not ids or not form.is_valid():
        flash.error(request, _("Kies bevindingen, een nieuwe status en schrijf een toelichting."))
        return redirect(back)
    try:
        result = services.step_findings(
            request.user,
            ids,
            form.cleaned_data["target"],
            note=form.cleaned_data["note"],
            actor=_actor(request),
            lang=_lang(),
        )
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
        return redirect(back)
    if result.done:
        flash.success(request, _("%(n)d bevinding(en) gewijzigd.") % {"n": len(result.done)})
    for finding_id, reason in sorted(result.refused.items()):
        flash.error(request, _("Bevinding %(id)d: %(reason)s") % {"id": finding_id, "reason": reason})
    return redirect(back)


class ReportForm(forms.Form):
    organisation = forms.ChoiceField(label=gettext_lazy("Organisatie"))
    start = forms.DateField(label=gettext_lazy("Vanaf"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Tot en met"), widget=forms.DateInput(attrs={"type": "date"}))
    output_format = forms.ChoiceField(
        label=gettext_lazy("Formaat"),
        choices=[("pdf", "PDF"), ("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("json", "JSON")],
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations


def compliance_report(request: HttpRequest) -> HttpResponse:
    """The ADR report: a form (organisation, period, format); a valid one downloads the file."""
    from chatarchief.compliance import report

    form = ReportForm(request.GET or None, organisations=_organisations(request))
    if request.GET and form.is_valid():
        chosen = form.cleaned_data
        try:
            data = services.compliance_report_file(
                request.user,
                organisation=chosen["organisation"],
                start=chosen["start"],
                end=chosen["end"],
                output_format=chosen["output_format"],
                actor=_actor(request),
                lang=_lang(),
            )
        except ChatarchiefError as error:
            form.add_error(None, error.message(_lang()))
        else:
            name = (
                f"nalevingsrapport-{chosen['organisation']}-{chosen['start']}-{chosen['end']}.{chosen['output_format']}"
            )
            response = HttpResponse(data, content_type=report.CONTENT_TYPES[chosen["output_format"]])
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "compliance/report.html", {"form": form})


def reminders_preview(request: HttpRequest) -> HttpResponse:
    """What the daily job would send now to (or about) the custodians this user may see."""
    from chatarchief.compliance import reminders

    custodians = list(services.visible_custodians(request.user).select_related("user"))
    lang = _lang()
    rows = []
    for plan in reminders.planned(custodians):
        subject, body = plan.reminder.text(lang)
        rows.append(
            {
                "custodian": plan.custodian.name,
                "kind": words.REMINDER_KINDS.get(plan.reminder.kind, ""),
                "due_at": plan.reminder.due_at,
                "role": words.REMINDER_ROLES.get(plan.reminder.recipient.role, ""),
                "recipient": plan.reminder.recipient.ident,
                "address": plan.address,
                "subject": subject,
                "body": body,
            }
        )
    return render(request, "compliance/reminders.html", {"rows": rows})


def _delivery(request: HttpRequest, pk: int) -> Any:
    from chatarchief.archive.models import Delivery

    delivery = Delivery.objects.select_related("custodian").filter(pk=pk).first()
    if delivery is None or not access.allowed(request.user, Action.VIEW_METADATA, delivery.custodian):
        raise Http404
    return delivery


def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed receipt PDF of a delivery (?lang=en for English); its signature at receipt_signature."""
    delivery = _delivery(request, pk)
    lang = request.GET.get("lang") if request.GET.get("lang") in ("nl", "en") else _lang()
    pdf, _signature = services.receipt_files(request.user, delivery, lang=lang, actor=_actor(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ontvangstbevestiging-{delivery.pk}-{lang}.pdf"'
    return response


def receipt_signature(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _delivery(request, pk)
    lang = request.GET.get("lang") if request.GET.get("lang") in ("nl", "en") else _lang()
    _pdf, signature = services.receipt_files(request.user, delivery, lang=lang, actor=_actor(request))
    response = HttpResponse(signature, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="ontvangstbevestiging-{delivery.pk}-{lang}.pdf.sig"'
    return response
