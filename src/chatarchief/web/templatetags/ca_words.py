"""Words instead of codes on the pages (`{% load ca_words %}`): receipt counts, file formats, channels,
audit actions, actors and objects, in Dutch or English. A code without a word here is shown as it is,
so that tests/web/test_words.py notices it and someone adds the word.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from chatarchief.preservation.templatetags.preservation import ACTIONS as PRESERVATION_ACTIONS

register = template.Library()

COUNTS = {
    "messages": _("berichten in het bestand"),
    "new": _("nieuw in het archief"),
    "unchanged": _("stonden al in het archief"),
    "enriched": _("aangevuld met media"),
    "deleted": _("later verwijderd"),
    "edited": _("later bewerkt"),
    "missing": _("ontbreken in dit bestand"),
    "excluded": _("uitgesloten (privé of partijpolitiek, niet bewaard)"),
}
FORMATS = {
    "whatsapp": _("WhatsApp-export"),
    "signal_v2": _("Signal-back-up"),
    "signal_android": _("Signal-back-up (oud formaat, Android)"),
    "signal_desktop": _("Signal Desktop"),
    "sms_backup_restore": _("SMS Backup & Restore"),
    "telegram": _("Telegram-export"),
}
CHANNELS = {"whatsapp": "WhatsApp", "signal": "Signal", "sms": _("Sms"), "telegram": "Telegram"}
ACTIONS = {
    "custodian.added": _("Functionaris toegevoegd"),
    "organisation.added": _("Organisatie toegevoegd"),
    "delivery.received": _("Aanlevering ontvangen"),
    "delivery.ingested": _("Aanlevering verwerkt"),
    "delivery.duplicate": _("Aanlevering was dubbel"),
    "delivery.failed": _("Aanlevering mislukt"),
    "content.read": _("Inhoud bekeken"),
    "findings.listed": _("Bevindingen opgevraagd"),
    "auth.login": _("Ingelogd"),
    "auth.login_failed": _("Inloggen mislukt"),
    "auth.locked_out": _("Geblokkeerd na te veel pogingen"),
    "auth.second_factor": _("Tweestapsverificatie gedaan"),
    "auth.reauthenticated": _("Opnieuw bevestigd wie het is"),
    "auth.totp_enrolled": _("Authenticator-app ingesteld"),
    "auth.totp_reset": _("Tweestapsverificatie hersteld"),
    "auth.totp_provisioned": _("Authenticator-app klaargezet"),
    "access.role_granted": _("Rol toegekend"),
    "access.role_revoked": _("Rol ingetrokken"),
    "access.roles_synced": _("Rollen overgenomen van eenmalige aanmelding"),
    "user.added": _("Gebruiker toegevoegd"),
    "keys.rotated": _("Hoofdsleutel vervangen"),
    "api.account_added": _("Serviceaccount toegevoegd"),
    "api.read": _("Opgevraagd via de API"),
    "api.denied": _("Geweigerd via de API"),
    "review.contacts_imported": _("Contacten ingelezen"),
    "review.contact_marked": _("Contact gemarkeerd"),
    "review.label_proposed": _("Label voorgesteld"),
    "review.label_decided": _("Label besloten"),
    "review.confirm_refused": _("Bevestiging geweigerd (vier ogen)"),
    "review.exclusion_executed": _("Privé- of partijdeel uit het archief verwijderd"),
    "review.excluded_at_ingest": _("Uitgesloten bij het aanleveren"),
    "review.standup_opened": _("Stand-up geopend"),
    "review.standup_closed": _("Stand-up gesloten"),
    "review.suggestions_trained": _("Suggestiemodel getraind"),
    "audit.exported": _("Audittrail geëxporteerd"),
}
READS = {
    "conversation.view": _("gesprek"),
    "attachment.view": _("bijlage"),
    "messages.export": _("berichten geëxporteerd"),
}
OBJECTS = {
    "Custodian": _("Functionaris"),
    "Organisation": _("Organisatie"),
    "Delivery": _("Aanlevering"),
    "Conversation": _("Gesprek"),
    "Attachment": _("Bijlage"),
    "Message": _("Bericht"),
    "User": _("Gebruiker"),
    "RoleGrant": _("Rol"),
    "ServiceAccount": _("Serviceaccount"),
    "TOTPDevice": _("Authenticator-app"),
}
DETAILS = {
    "file": _("bestand"),
    "size": _("grootte"),
    "format": _("formaat"),
    "name": _("naam"),
    "page": _("pagina"),
    "messages": _("berichten"),
    "count": _("aantal"),
    "error": _("fout"),
    "what": _("wat"),
    "role": _("rol"),
    "user": _("gebruiker"),
    "stage": _("stap"),
    "method": _("methode"),
    "operation": _("handeling"),
    "reason": _("reden"),
    "filter": _("filter"),
    "hit": _("zoektreffer"),
}
ACTORS = {"web": _("website"), "cli": _("opdrachtregel"), "api": _("API")}


@register.filter
def count_label(key: str) -> Any:
    return COUNTS.get(key, key)


@register.filter
def format_label(code: str) -> Any:
    return FORMATS.get(code, code) if code else ""


@register.filter
def operation_label(code: str) -> Any:
    """An API operation of a service account (`deliver`, `read_status`, ...) in words."""
    from chatarchief.api.constants import Operation

    return Operation(code).label if code in Operation.values else code


@register.filter
def channel_label(code: str) -> Any:
    return CHANNELS.get(code, code)


@register.filter
def action_label(code: str) -> Any:
    return ACTIONS.get(code) or PRESERVATION_ACTIONS.get(code, code)


@register.filter
def object_label(code: str) -> Any:
    return OBJECTS.get(code, code)


@register.filter
def actor_label(actor: str) -> str:
    """`web:jan` -> `jan (website)`; `system` -> the word for it."""
    channel, _sep, name = actor.partition(":")
    if channel in ACTORS and name:
        return f"{name} ({ACTORS[channel]})"
    return str(_("systeem")) if actor == "system" else actor


@register.filter
def audit_details(details: dict[str, Any] | None) -> list[tuple[Any, Any]]:
    """The details of an audit event worth showing, as (label, value) pairs in words; the SHA-256 and
    the counts of a delivery are left to the receipt the event links to."""
    shown = []
    for key, value in (details or {}).items():
        if value in ("", None, [], {}) or key in ("sha256", "counts", "custodian"):
            continue
        if key == "what":
            value = READS.get(value, value)
        elif key == "format":
            value = FORMATS.get(value, value)
        shown.append((DETAILS.get(key, key), value))
    return shown


EVENTS = {
    "e2e_notice": _("Berichten in dit gesprek zijn end-to-end versleuteld"),
    "group_created": _("Groep aangemaakt"),
    "member_added": _("Deelnemer toegevoegd"),
    "member_left": _("Deelnemer heeft de groep verlaten"),
    "member_removed": _("Deelnemer verwijderd"),
    "admin_changed": _("Beheerder gewijzigd"),
    "subject_changed": _("Naam van de groep gewijzigd"),
    "icon_changed": _("Afbeelding van de groep gewijzigd"),
    "security_code_changed": _("Beveiligingscode gewijzigd"),
    "number_changed": _("Telefoonnummer gewijzigd"),
    "disappearing_enabled": _("Verdwijnende berichten aangezet"),
    "disappearing_disabled": _("Verdwijnende berichten uitgezet"),
    "missed_call": _("Gemiste oproep"),
    "call": _("Oproep"),
    "pinned": _("Bericht vastgezet"),
    "other": _("Systeembericht"),
}
KINDS = {
    "text": _("tekst"),
    "media": _("media"),
    "system": _("systeembericht"),
    "call": _("oproep"),
    "location": _("locatie"),
    "contact": _("contactkaart"),
    "poll": _("peiling"),
    "deleted": _("verwijderd"),
    "view_once": _("eenmalig bekijken"),
}


@register.filter
def event_label(code: str) -> Any:
    """A system event (`disappearing_enabled`) in words; an empty code is a system message."""
    return EVENTS.get(code or "other", code)


@register.filter
def kind_label(code: str) -> Any:
    """The form a message took in an export (`text`, `deleted`, ...) in words."""
    return KINDS.get(code, code)


def duration_words(seconds: float | int | None) -> str:
    """`604800` -> "7 dagen"; whole days, else hours, else minutes, else seconds."""
    from django.utils.translation import ngettext

    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds >= 86400 and seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("%(n)s dag", "%(n)s dagen", n) % {"n": n}
    if seconds >= 3600 and seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("%(n)s uur", "%(n)s uur", n) % {"n": n}
    if seconds >= 60 and seconds % 60 == 0:
        n = seconds // 60
        return ngettext("%(n)s minuut", "%(n)s minuten", n) % {"n": n}
    return ngettext("%(n)s seconde", "%(n)s seconden", seconds) % {"n": seconds}


@register.filter
def duration(seconds: float | int | None) -> str:
    return duration_words(seconds)
