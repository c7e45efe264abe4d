"""Reminders by e-mail (Django's mail framework): N days before the due date and once overdue, to
the custodian and whoever secures for them (core.compliance.reminders decides who gets what).

Never twice: each reminder's key (custodian, kind, due date, role, recipient) is stored in
`ReminderSent` under a unique constraint *before* the mail goes out, in the same transaction; a
second run, or two runs at once, find the key and skip it. `preview()` shows what would go out.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from chatarchief.archive.models import Custodian
from chatarchief.audit import log
from chatarchief.compliance import rules
from chatarchief.compliance.models import ReminderSent
from chatarchief.core.compliance import reminders as core

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    custodian: Custodian
    reminder: core.Reminder
    address: str  # "" when nobody's address is known (then it cannot be sent; the preview says so)

    def as_dict(self, lang: str = "nl") -> dict[str, Any]:
        subject, body = self.reminder.text(lang)
        return {
            "custodian": self.custodian.slug,
            "kind": self.reminder.kind,
            "due_at": self.reminder.due_at.isoformat(),
            "role": self.reminder.recipient.role,
            "recipient": self.reminder.recipient.ident,
            "address": self.address,
            "key": self.reminder.key,
            "subject": subject,
            "body": body,
        }


def address_of(custodian: Custodian, recipient: core.Recipient) -> str:
    if recipient.role == core.CUSTODIAN:
        user = custodian.user
        return user.email if user is not None and user.email else ""
    if recipient.role == core.SECRETARY:
        user = get_user_model().objects.filter(username=recipient.ident, is_active=True).first()
        return user.email if user is not None and user.email else ""
    return settings.COMPLIANCE_DOC_DIREKT_EMAIL


def planned(custodians: list[Custodian] | None = None, at: dt.datetime | None = None) -> list[Planned]:
    """Every reminder due at `at` that has not been sent (for the custodians given, or everyone)."""
    at = at or timezone.now()
    chosen = list(custodians if custodians is not None else Custodian.objects.select_related("user", "organisation"))
    sent = set(ReminderSent.objects.filter(custodian__in=chosen).values_list("key", flat=True))
    found = []
    for judged in rules.statuses(chosen, at):
        custodian = judged.custodian
        for reminder in core.reminders_due(
            custodian.slug,
            custodian.name,
            judged.status,
            already_sent=sent,
            days_before=settings.COMPLIANCE_REMINDER_DAYS_BEFORE,
            zone=custodian.zone_name,
        ):
            found.append(Planned(custodian, reminder, address_of(custodian, reminder.recipient)))
    return found


def evaluate(
    at: dt.datetime | None = None, *, actor: str = "task:evaluate_reminders", lang: str = "nl"
) -> list[ReminderSent]:
    """Send what is due and not sent yet; returns what went out. A reminder without an address is
    logged and left for a later run (once someone has an e-mail address)."""
    done = []
    for plan in planned(at=at):
        if not plan.address:
            logger.warning("reminder %s: no e-mail address for %s", plan.reminder.key, plan.reminder.recipient.ident)
            continue
        subject, body = plan.reminder.text(lang)
        try:
            with transaction.atomic():
                row = ReminderSent.objects.create(
                    key=plan.reminder.key,
                    custodian=plan.custodian,
                    kind=plan.reminder.kind,
                    due_at=plan.reminder.due_at,
                    role=plan.reminder.recipient.role,
                    recipient=plan.address,
                    subject=subject[:300],
                )
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [plan.address])
                log.reminder_sent(actor, row)
        except IntegrityError:  # sent by a run at the same moment: never twice
            continue
        logger.info("reminder %s sent to %s", plan.reminder.key, plan.address)
        done.append(row)
    return done
