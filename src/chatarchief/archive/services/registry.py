"""Organisations and custodians (the officials whose chats are secured)."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction

from chatarchief.archive.models import Custodian, CustodianCategory, Organisation
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.phone import normalise_phone

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class RegistryError(ChatarchiefError):
    pass


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RegistryError(
            "registry.bad_time_zone",
            nl=f"Onbekende tijdzone {name!r} (bijvoorbeeld Europe/Amsterdam).",
            en=f"Unknown time zone {name!r} (for example Europe/Amsterdam).",
        ) from None
    return name


def add_organisation(code: str, name: str, *, actor: str) -> Organisation:
    organisation, created = Organisation.objects.get_or_create(code=code.upper(), defaults={"name": name or code})
    if created:
        log.organisation_added(actor, organisation)
    return organisation


def get_organisation(code: str) -> Organisation:
    try:
        return Organisation.objects.get(code=code.upper())
    except Organisation.DoesNotExist:
        raise RegistryError(
            "registry.unknown_organisation",
            nl=f"Organisatie {code!r} bestaat niet.",
            en=f"Organisation {code!r} does not exist.",
        ) from None


def get_custodian(slug: str) -> Custodian:
    try:
        return Custodian.objects.select_related("organisation").get(slug=slug)
    except Custodian.DoesNotExist:
        raise RegistryError(
            "registry.unknown_custodian",
            nl=f"Onbekende functionaris {slug!r}. Voeg die eerst toe met 'chatarchief custodian add'.",
            en=f"Unknown custodian {slug!r}. Add them first with 'chatarchief custodian add'.",
        ) from None


def add_custodian(
    slug: str,
    *,
    name: str,
    actor: str,
    organisation: str | None = None,
    category: str = CustodianCategory.SLEUTELFUNCTIONARIS,
    function: str = "",
    phones: list[str] | None = None,
    time_zone: str | None = None,
) -> Custodian:
    """Register an official. `time_zone` (default: the installation's CHATARCHIEF_TIME_ZONE) is
    where their export times without a zone are read."""
    zone = _zone(time_zone or settings.TIME_ZONE)
    if not _SLUG.match(slug):
        raise RegistryError(
            "registry.bad_slug",
            nl="Een kenmerk bestaat uit kleine letters, cijfers en streepjes.",
            en="A slug consists of lower-case letters, digits and hyphens.",
        )
    if category not in CustodianCategory.values:
        raise RegistryError(
            "registry.bad_category",
            nl=f"Onbekende categorie {category!r} (bewindspersoon of sleutelfunctionaris).",
            en=f"Unknown category {category!r} (bewindspersoon or sleutelfunctionaris).",
        )
    if Custodian.objects.filter(slug=slug).exists():
        raise RegistryError(
            "registry.duplicate_slug", nl=f"Kenmerk {slug!r} bestaat al.", en=f"Slug {slug!r} already exists."
        )
    with transaction.atomic():
        org = add_organisation(organisation, organisation, actor=actor) if organisation else None
        custodian = Custodian.objects.create(
            slug=slug,
            name=name,
            organisation=org,
            category=category,
            function=function,
            phone_numbers=[normalise_phone(p, strict=True) for p in phones or []],
            time_zone=zone,
        )
        log.custodian_added(actor, custodian)
    return custodian


def custodian_summary(custodian: Custodian) -> dict[str, Any]:
    """A custodian's metadata as the CLI and the API show it (select_related the organisation)."""
    return {
        "slug": custodian.slug,
        "name": custodian.name,
        "function": custodian.function,
        "category": custodian.category,
        "organisation": custodian.organisation.code if custodian.organisation else None,
    }
