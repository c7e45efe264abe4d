"""The weekly review in the web app: queue, decisions, confirmation, agenda, stand-up sessions.
A few lines each around the review services; access is asked of `access.services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chatarchief.access import services as access
from chatarchief.access.constants import Action
from chatarchief.archive.models import Custodian, Message, Organisation
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.review import decisions, queue, suggestions
from chatarchief.review.constants import LabelChoice, QueueReason
from chatarchief.review.models import Decision, StandupSession, Tombstone

CONTEXT = 3  # neighbouring messages shown on each side of a message on the queue


def _actor(request: HttpRequest) -> str:
    return f"web:{getattr(request.user, 'username', 'anonymous')}"


def _custodian(request: HttpRequest, slug: str, *actions: Action) -> Custodian:
    for action in actions:
        found = access.custodian_by_slug(request.user, action, slug)
        if found is not None:
            return found
    raise PermissionDenied


def _lang() -> str:
    return "en" if (get_language() or "nl").startswith("en") else "nl"


def _context_rows(message_id: int, conversation_id: int) -> list[dict[str, Any]]:
    """The message with its neighbours, in time order."""
    target = Message.objects.filter(pk=message_id).values_list("sent_at_ms", "sort_index").first()
    if target is None:
        return []
    base = Message.objects.filter(conversation_id=conversation_id)
    before = list(base.filter(sent_at_ms__lt=target[0]).order_by("-sent_at_ms", "-sort_index")[:CONTEXT])[::-1]
    after = list(base.filter(sent_at_ms__gt=target[0]).order_by("sent_at_ms", "sort_index")[:CONTEXT])
    same = list(base.filter(sent_at_ms=target[0]).order_by("sort_index", "id"))
    return [{"message": m, "current": m.pk == message_id} for m in before + same + after]


def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    custodian = _custodian(request, slug, Action.CLASSIFY, Action.PROPOSE_LABEL)
    can_decide = access.allowed(request.user, Action.CLASSIFY, custodian)
    items = queue.review_queue(custodian)
    rows = [
        {
            "item": item,
            "why": QueueReason(item.why).label,
            "context": _context_rows(item.message_id, item.conversation_id) if item.message_id else [],
        }
        for item in items
    ]
    log.content_read(
        _actor(request),
        "review_queue",
        custodian,
        custodian.slug,
        message_ids=[i.message_id for i in items if i.message_id],
    )
    return render(
        request,
        "review/queue.html",
        {
            "custodian": custodian,
            "rows": rows,
            "can_decide": can_decide,
            "labels": LabelChoice.choices,
            "reasons": dict(QueueReason.choices),
            "lang": _lang(),
        },
    )


def _targets(request: HttpRequest) -> list[tuple[int | None, list[int]]]:
    """(conversation, messages) pairs from the form: `item` values `c<id>` or `m<id>` (bulk), or
    `conversation` / `message` fields."""
    conversations = [int(v) for v in request.POST.getlist("conversation") if v.isdigit()]
    message_ids = [int(v) for v in request.POST.getlist("message") if v.isdigit()]
    for value in request.POST.getlist("item"):
        if value[:1] == "c" and value[1:].isdigit():
            conversations.append(int(value[1:]))
        elif value[:1] == "m" and value[1:].isdigit():
            message_ids.append(int(value[1:]))
    by_conversation: dict[int, list[int]] = {}
    for message_id, conversation_id in Message.objects.filter(pk__in=message_ids).values_list("id", "conversation_id"):
        by_conversation.setdefault(conversation_id, []).append(message_id)
    return [(c, []) for c in dict.fromkeys(conversations)] + [(None, ids) for ids in by_conversation.values()]


def _owned(custodian: Custodian, conversation_id: int | None, message_ids: list[int]) -> bool:
    if conversation_id is not None:
        return custodian.conversations.filter(pk=conversation_id).exists()
    return not Message.objects.filter(pk__in=message_ids).exclude(conversation__custodian=custodian).exists()


@require_POST
def review_decide(request: HttpRequest, slug: str) -> HttpResponse:
    custodian = _custodian(request, slug, Action.CLASSIFY)
    targets = _targets(request)
    done = 0
    try:
        if not targets:
            raise decisions.target()  # no target: the service's own error
        for conversation_id, message_ids in targets:
            if not _owned(custodian, conversation_id, message_ids):
                raise PermissionDenied
            decisions.decide(
                request.user,
                label=request.POST.get("label", ""),
                reason=request.POST.get("reason", ""),
                actor=_actor(request),
                conversation_id=conversation_id,
                message_ids=message_ids,
            )
            done += 1
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    else:
        flash.success(request, _("%(count)d besluit(en) vastgelegd.") % {"count": done})
    return redirect("review_queue", slug=custodian.slug)


@require_POST
def review_propose(request: HttpRequest, slug: str) -> HttpResponse:
    custodian = _custodian(request, slug, Action.PROPOSE_LABEL)
    try:
        for conversation_id, message_ids in _targets(request) or [(None, [])]:
            if not _owned(custodian, conversation_id, message_ids):
                raise PermissionDenied
            decisions.propose(
                request.user,
                label=request.POST.get("label", ""),
                reason=request.POST.get("reason", ""),
                actor=_actor(request),
                conversation_id=conversation_id,
                message_ids=message_ids,
            )
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    else:
        flash.success(request, _("Uw voorstel is doorgegeven aan de beoordelaars."))
    return redirect("review_queue", slug=custodian.slug)


@require_POST
def review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(Decision.objects.select_related("custodian"), pk=pk)
    if not access.allowed(request.user, Action.CLASSIFY, decision.custodian):
        raise PermissionDenied
    try:
        result = decisions.confirm(request.user, decision, actor=_actor(request))
    except ChatarchiefError as error:
        flash.error(request, error.message(_lang()))
    else:
        flash.success(
            request,
            _(
                "Uitgesloten: %(messages)d berichten, %(destroyed)d originelen vernietigd, %(derived)d afgeleide originelen, %(media)d mediabestanden verwijderd."
            )
            % {
                "messages": result.excluded_messages,
                "destroyed": result.destroyed_originals,
                "derived": result.derived_originals,
                "media": result.removed_media,
            },
        )
    return redirect("review_decisions", slug=decision.custodian.slug)


def review_decisions(request: HttpRequest, slug: str) -> HttpResponse:
    """Decisions and tombstones of a custodian: no content (auditors see this, never the messages)."""
    custodian = _custodian(request, slug, Action.CLASSIFY, Action.VIEW_AUDIT_TRAIL, Action.PROPOSE_LABEL)
    return render(
        request,
        "review/decisions.html",
        {
            "custodian": custodian,
            "decisions": Decision.objects.filter(custodian=custodian).order_by("-decided_at", "-id")[:200],
            "tombstones": Tombstone.objects.filter(custodian=custodian).order_by("-excluded_at", "-id")[:200],
            "can_confirm": access.allowed(request.user, Action.CLASSIFY, custodian),
            "me": request.user.pk,
        },
    )


def _organisations(request: HttpRequest) -> list[Organisation]:
    ids = access.custodians(request.user, Action.CLASSIFY).values_list("organisation_id", flat=True)
    return list(Organisation.objects.filter(pk__in=list(ids)).order_by("code"))


def review_agenda(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    if not organisations:
        raise PermissionDenied
    code = request.GET.get("organisation") or organisations[0].code
    organisation = next((o for o in organisations if o.code == code), None)
    if organisation is None:
        raise Http404
    agenda = queue.agenda(request.user, organisation)
    items = [{"item": item, "why": QueueReason(item.why).label} for item in agenda.items]
    open_session = decisions.open_standup_of(organisation.pk)
    model = suggestions.model_for(organisation.pk)
    return render(
        request,
        "review/agenda.html",
        {
            "organisation": organisation,
            "organisations": organisations,
            "agenda": agenda,
            "items": items,
            "session": open_session,
            "sessions": StandupSession.objects.filter(organisation=organisation)[:10],
            "reasons": dict(QueueReason.choices),
            "today": dt.date.today().isoformat(),
            "model": model,
            "lang": _lang(),
        },
    )


@require_POST
def review_standup(request: HttpRequest) -> HttpResponse:
    organisation = get_object_or_404(Organisation, code=request.POST.get("organisation", ""))
    if not decisions.may_review_organisation(request.user, organisation):
        raise PermissionDenied
    if request.POST.get("action") == "close":
        session = decisions.open_standup_of(organisation.pk)
        if session is not None:
            decisions.close_standup(request.user, session, actor=_actor(request))
            flash.success(request, _("De stand-up is gesloten."))
    else:
        try:
            held_on = dt.date.fromisoformat(request.POST.get("held_on", ""))
        except ValueError:
            held_on = dt.date.today()
        attendees = [a for a in request.POST.get("attendees", "").replace(";", ",").split(",")]
        decisions.open_standup(request.user, organisation, held_on=held_on, attendees=attendees, actor=_actor(request))
        flash.success(request, _("De stand-up is geopend; besluiten worden erin vastgelegd."))
    return redirect(f"{reverse('review_agenda')}?organisation={organisation.code}")


@require_POST
def review_retrain(request: HttpRequest) -> HttpResponse:
    organisation = get_object_or_404(Organisation, code=request.POST.get("organisation", ""))
    try:
        model = suggestions.retrain(request.user, organisation, actor=_actor(request))
    except access.AccessDenied:
        raise PermissionDenied from None
    why = model.why_not()
    flash.info(request, why[0 if _lang() == "nl" else 1] if why else _("Het suggestiemodel is opnieuw getraind."))
    return redirect(f"{reverse('review_agenda')}?organisation={organisation.code}")
