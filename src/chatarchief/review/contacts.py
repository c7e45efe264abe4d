"""Contacts per custodian and per organisation: import (CSV, vCard), marking by hand, history, and
the contact book the rules match participants against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from chatarchief.archive.models import Custodian, Organisation
from chatarchief.audit import log
from chatarchief.core.contacts import Contact as ParsedContact
from chatarchief.core.contacts import parse_contacts
from chatarchief.core.rules.contact_book import ContactBook
from chatarchief.core.rules.labels import Label
from chatarchief.core.rules.text import fold_name
from chatarchief.review.models import Contact, ContactMark


@dataclass
class ImportResult:
    contacts: int
    created: int
    changed: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return vars(self).copy()


def _owned(custodian: Custodian | None, organisation: Organisation | None) -> Any:
    if custodian is not None:
        return Contact.objects.filter(custodian=custodian)
    return Contact.objects.filter(organisation=organisation, custodian=None)


def import_contacts(
    path: str | Path,
    *,
    actor: str,
    custodian: Custodian | None = None,
    organisation: Organisation | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import a CSV or vCard file for a custodian (or an organisation). Every row is checked first
    (`core.contacts`: one error naming the file and line); then all contacts go in in one
    transaction. A contact already known by its (folded) name is updated, its category change kept
    in its history; re-importing the same file changes nothing."""
    path = Path(path)
    name = file_name or path.name
    parsed = parse_contacts(path.read_bytes(), name)
    if (custodian is None) == (organisation is None):
        raise ValueError("contacts belong to a custodian or to an organisation")
    result = ImportResult(len(parsed), 0, 0, 0)
    now = timezone.now()
    with transaction.atomic():
        known = {c.name_key: c for c in _owned(custodian, organisation).select_for_update()}
        for item in parsed:
            existing = known.get(fold_name(item.name))
            if existing is None:
                known[fold_name(item.name)] = _create(item, custodian, organisation, actor, now, name)
                result.created += 1
            elif _update(existing, item, actor, now, name):
                result.changed += 1
            else:
                result.unchanged += 1
        owner = custodian if custodian is not None else organisation
        log.contacts_imported(actor, owner, file=name, created=result.created, changed=result.changed)
    return result


def _create(item: ParsedContact, custodian: Any, organisation: Any, actor: str, now: Any, source: str) -> Contact:
    contact = Contact.objects.create(
        custodian=custodian,
        organisation=organisation,
        name=item.name[:300],
        name_key=fold_name(item.name)[:300],
        phones=list(item.phones),
        signal_ids=list(item.signal_ids),
        telegram_ids=list(item.telegram_ids),
        category=str(item.category),
        note=item.note,
        marked_by=actor,
        marked_at=now,
        reason=item.note,
    )
    ContactMark.objects.create(
        contact=contact, category=contact.category, marked_by=actor, marked_at=now, reason=item.note, source=source
    )
    return contact


def _update(contact: Contact, item: ParsedContact, actor: str, now: Any, source: str) -> bool:
    ids = (sorted(item.phones), sorted(item.signal_ids), sorted(item.telegram_ids))
    if ids != (sorted(contact.phones), sorted(contact.signal_ids), sorted(contact.telegram_ids)):
        contact.phones = sorted(set(contact.phones) | set(item.phones))
        contact.signal_ids = sorted(set(contact.signal_ids) | set(item.signal_ids))
        contact.telegram_ids = sorted(set(contact.telegram_ids) | set(item.telegram_ids))
        changed = True
    else:
        changed = False
    if contact.category != str(item.category):
        contact.category = str(item.category)
        contact.marked_by, contact.marked_at, contact.reason = actor, now, item.note
        ContactMark.objects.create(
            contact=contact, category=contact.category, marked_by=actor, marked_at=now, reason=item.note, source=source
        )
        changed = True
    if changed:
        contact.save()
    return changed


def mark_contact(contact: Contact, category: str, *, actor: str, reason: str) -> Contact:
    """Set a contact's category by hand (history kept)."""
    category = str(Label(category))
    now = timezone.now()
    with transaction.atomic():
        contact.category, contact.marked_by, contact.marked_at, contact.reason = category, actor, now, reason
        contact.save(update_fields=["category", "marked_by", "marked_at", "reason"])
        ContactMark.objects.create(
            contact=contact, category=category, marked_by=actor, marked_at=now, reason=reason, source="web"
        )
        slug = contact.custodian.slug if contact.custodian else ""
        log.contact_marked(actor, contact, slug)
    return contact


def contacts_of(custodian: Custodian) -> list[Contact]:
    """The custodian's own contacts, then their organisation's."""
    own = list(Contact.objects.filter(custodian=custodian))
    shared = (
        list(Contact.objects.filter(organisation_id=custodian.organisation_id, custodian=None))
        if custodian.organisation_id
        else []
    )
    return own + shared


def book_for(custodian: Custodian) -> ContactBook:
    """The contact book the rules match a custodian's participants against (own contacts first)."""
    return ContactBook(
        ParsedContact(
            name=c.name,
            category=Label(c.category),
            phones=tuple(c.phones),
            signal_ids=tuple(c.signal_ids),
            telegram_ids=tuple(c.telegram_ids),
            note=c.note,
        )
        for c in contacts_of(custodian)
    )
