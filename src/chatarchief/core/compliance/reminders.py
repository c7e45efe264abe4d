"""Reminders: which are due on a day, to whom, and a key that makes sure none goes out twice.

- **Upcoming**: from `days_before` days before the next due date (default: the agreement's due-soon
  window, 7 days for monthly, 2 for weekly) until the due date.
- **Overdue**: once the due date has passed (a custodian who never delivered included).
- **To whom**: the custodian, and whoever secures for them: the named secretary, or Doc-Direkt.
- **Never twice**: the key is (custodian, kind, due date, recipient). A daily job that runs twice, or
  runs every day of the window, finds the key already sent and skips it. A new securing moment moves
  the due date, so the next period gets its own reminders.

The texts are plain `string.Template`s, Dutch and English; the e-mail framework sends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from string import Template

from chatarchief.core.compliance.agreements import Agreement, SecuredBy
from chatarchief.core.compliance.dates import human_date, local_date, utc_text
from chatarchief.core.compliance.status import Status

UPCOMING = "upcoming"
OVERDUE = "overdue"
CUSTODIAN = "custodian"
SECRETARY = "secretary"
DOC_DIREKT = "doc-direkt"


@dataclass(frozen=True)
class Recipient:
    role: str  # custodian | secretary | doc-direkt
    ident: str  # the custodian's slug, the secretary's username, or "doc-direkt" (a functional mailbox)


@dataclass(frozen=True)
class Reminder:
    custodian: str  # slug
    kind: str  # upcoming | overdue
    due_at: dt.datetime
    recipient: Recipient
    key: str  # never sent twice: store it when sent
    subject: dict[str, str]  # lang -> text
    body: dict[str, str]

    def text(self, lang: str = "nl") -> tuple[str, str]:
        chosen = "nl" if lang.startswith("nl") else "en"
        return self.subject[chosen], self.body[chosen]


def reminder_key(custodian: str, kind: str, due_at: dt.datetime, recipient: Recipient) -> str:
    return f"reminder:{custodian}:{kind}:{utc_text(due_at)}:{recipient.role}:{recipient.ident}"


def recipients(custodian: str, agreement: Agreement | None) -> list[Recipient]:
    """The custodian, and whoever secures for them under the agreement."""
    found = [Recipient(CUSTODIAN, custodian)]
    if agreement is not None and agreement.secured_by is SecuredBy.SECRETARY and agreement.secretary:
        found.append(Recipient(SECRETARY, agreement.secretary))
    elif agreement is not None and agreement.secured_by is SecuredBy.DOC_DIREKT:
        found.append(Recipient(DOC_DIREKT, DOC_DIREKT))
    return found


def reminder_kind(status: Status, days_before: int | None = None) -> str | None:
    """`upcoming`, `overdue`, or None when no reminder is due at the status' moment."""
    if not status.in_scope or status.next_due_at is None:
        return None
    if status.at > status.next_due_at:
        return OVERDUE
    if days_before is not None:
        window = dt.timedelta(days=days_before)
    else:
        window = status.agreement.due_soon if status.agreement else dt.timedelta(days=7)
    return UPCOMING if status.next_due_at - status.at <= window else None


def reminders_due(
    custodian: str,
    custodian_name: str,
    status: Status,
    *,
    already_sent: Collection[str] = (),
    days_before: int | None = None,
    zone: str | None = None,
) -> list[Reminder]:
    """The reminders to send now for one custodian, leaving out every key in `already_sent`."""
    kind = reminder_kind(status, days_before)
    if kind is None or status.next_due_at is None:
        return []
    due_at = status.next_due_at
    found = []
    for recipient in recipients(custodian, status.agreement):
        key = reminder_key(custodian, kind, due_at, recipient)
        if key in already_sent:
            continue
        subject, body = render(kind, recipient.role, custodian_name, due_at, status.at, zone)
        found.append(Reminder(custodian, kind, due_at, recipient, key, subject, body))
    return found


# ---------------------------------------------------------------- texts

SUBJECTS = {
    (UPCOMING, "nl"): Template("Herinnering: chatberichten van $name veiligstellen vóór $due"),
    (UPCOMING, "en"): Template("Reminder: secure the chat messages of $name before $due"),
    (OVERDUE, "nl"): Template("Te laat: chatberichten van $name hadden op $due veiliggesteld moeten zijn"),
    (OVERDUE, "en"): Template("Overdue: the chat messages of $name were due to be secured on $due"),
}
OPENINGS = {
    (CUSTODIAN, "nl"): Template("Beste $name,"),
    (CUSTODIAN, "en"): Template("Dear $name,"),
    (SECRETARY, "nl"): Template("Beste collega,\n\nU stelt de chatberichten van $name veilig."),
    (SECRETARY, "en"): Template("Dear colleague,\n\nYou secure the chat messages of $name."),
    (DOC_DIREKT, "nl"): Template("Beste collega's van Doc-Direkt,\n\nU stelt de chatberichten van $name veilig."),
    (DOC_DIREKT, "en"): Template("Dear Doc-Direkt colleagues,\n\nYou secure the chat messages of $name."),
}
BODIES = {
    (UPCOMING, "nl"): Template(
        "Volgens de afspraak moeten de zakelijke chatberichten uiterlijk $due veiliggesteld zijn "
        "(nog $days dagen). Maak een export van elke zakelijke chat (WhatsApp, Signal, sms, Telegram) en "
        "lever die aan bij chatarchief. Verwijder of bewerk geen zakelijke berichten en zet verdwijnende "
        "berichten niet aan."
    ),
    (UPCOMING, "en"): Template(
        "Under the agreement the business chat messages must be secured by $due ($days days left). "
        "Export every business chat (WhatsApp, Signal, SMS, Telegram) and hand it in to chatarchief. Do "
        "not delete or edit business messages and do not switch on disappearing messages."
    ),
    (OVERDUE, "nl"): Template(
        "De zakelijke chatberichten hadden uiterlijk $due veiliggesteld moeten zijn; dat is $late dagen "
        "geleden. Lever zo snel mogelijk een export aan bij chatarchief. De termijn voor alle "
        "functionarissen is minstens eens per maand."
    ),
    (OVERDUE, "en"): Template(
        "The business chat messages were due to be secured by $due, $late days ago. Hand in an export to "
        "chatarchief as soon as possible. Every official must secure at least once a month."
    ),
}
CLOSING = {"nl": "Met vriendelijke groet,\nchatarchief", "en": "Kind regards,\nchatarchief"}


def render(
    kind: str, role: str, name: str, due_at: dt.datetime, now: dt.datetime, zone: str | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """(subject, body), each by language, for one reminder."""
    days = max(0, (due_at - now).days)
    late = max(0, (now - due_at).days)
    subjects, bodies = {}, {}
    for lang in ("nl", "en"):
        due = human_date(local_date(due_at, zone), lang)
        values = {"name": name, "due": due, "days": days, "late": late}
        subjects[lang] = SUBJECTS[(kind, lang)].substitute(values)
        parts = [OPENINGS[(role, lang)].substitute(values), BODIES[(kind, lang)].substitute(values), CLOSING[lang]]
        bodies[lang] = "\n\n".join(parts) + "\n"
    return subjects, bodies
