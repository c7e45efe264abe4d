"""Organisations and custodians (the officials whose chats are secured)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from chatarchief.archive.models import Custodian, CustodianCategory, Organisation
from chatarchief.audit import log
from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.phone import normalise_phone

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class RegistryError(ChatarchiefError):
    pass


def add_organisation(code: str, name: str, *, actor: str) -> Organisation:
    organisation, created = Organisation.objects.get_or_create(code=code.upper(), defaults={"name": name or code})
    if created:
        log.record(actor, "organisation.added", obj=organisation, code=organisation.code)
    return organisation


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
) -> Custodian:
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
