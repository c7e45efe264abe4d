"""OpenID Connect single sign-on (mozilla-django-oidc), off unless CHATARCHIEF_OIDC_ENABLED=1.

Users are matched on the identity provider's (issuer, subject), never on e-mail, and their roles come
from one claim (`roles_from_claims`): values `chatarchief:<role>[:<ORGANISATION>|:@<custodian-slug>]`,
or group names listed in CHATARCHIEF_OIDC_ROLE_MAP. Those grants are replaced at every sign-on;
grants given locally stay. SSO users do not enrol a local TOTP device: the identity provider is
expected to enforce MFA (configure it there), so web.security lets OIDC sessions through.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from chatarchief.access.constants import GrantSource, Role
from chatarchief.access.models import ExternalIdentity
from chatarchief.access.services import GrantSpec, sync_grants

BACKEND_PATH = "chatarchief.access.oidc.OIDCBackend"


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path ("resource_access.chatarchief.roles" for Keycloak client roles)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [v for v in raw.replace(",", " ").split() if v]
    if isinstance(raw, Iterable):
        return [str(v) for v in raw if isinstance(v, str | int)]
    return []


def _parse_conventional(value: str, prefix: str) -> GrantSpec | None:
    parts = value.split(":")
    if len(parts) not in (2, 3) or parts[0] != prefix or parts[1] not in Role.values:
        return None
    if len(parts) == 2:
        return GrantSpec(role=parts[1])
    scope = parts[2]
    if not scope:
        return None
    if scope.startswith("@"):
        return GrantSpec(role=parts[1], custodian=scope[1:]) if scope[1:] else None
    return GrantSpec(role=parts[1], organisation=scope.upper())


def _from_map(entries: Any) -> list[GrantSpec]:
    specs = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, Mapping) and entry.get("role") in Role.values:
            specs.append(
                GrantSpec(role=entry["role"], organisation=entry.get("organisation"), custodian=entry.get("custodian"))
            )
    return specs


def roles_from_claims(
    claims: Mapping[str, Any],
    *,
    claim: str = "roles",
    prefix: str = "chatarchief",
    mapping: Mapping[str, Any] | None = None,
) -> list[GrantSpec]:
    """The grants a set of ID-token/userinfo claims stands for (unknown values are ignored)."""
    specs: list[GrantSpec] = []
    for value in _values(_claim(claims, claim)):
        if mapping and value in mapping:
            specs.extend(_from_map(mapping[value]))
            continue
        spec = _parse_conventional(value, prefix)
        if spec is not None:
            specs.append(spec)
    return list(dict.fromkeys(specs))


def claims_to_grants(claims: Mapping[str, Any]) -> list[GrantSpec]:
    return roles_from_claims(
        claims, claim=settings.OIDC_ROLES_CLAIM, prefix=settings.OIDC_ROLE_PREFIX, mapping=settings.OIDC_ROLE_MAP
    )


def _unique_username(claims: Mapping[str, Any]) -> str:
    User = get_user_model()
    base = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:120]
    candidate = base
    if User.objects.filter(username=candidate).exists():
        candidate = f"{base}-{str(claims['sub'])[:8]}"
    return candidate


class OIDCBackend(OIDCAuthenticationBackend):
    """Matches on (issuer, subject), creates users without a usable password, syncs roles from claims."""

    def verify_claims(self, claims: Mapping[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: Mapping[str, Any]) -> Any:
        return get_user_model().objects.filter(
            external_identities__issuer=settings.OIDC_ISSUER, external_identities__subject=str(claims.get("sub"))
        )

    def create_user(self, claims: Mapping[str, Any]) -> Any:
        user = get_user_model().objects.create_user(_unique_username(claims), email=claims.get("email") or "")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        ExternalIdentity.objects.create(user=user, issuer=settings.OIDC_ISSUER, subject=str(claims["sub"]))
        return self.update_user(user, claims)

    def update_user(self, user: Any, claims: Mapping[str, Any]) -> Any:
        ExternalIdentity.objects.filter(user=user, issuer=settings.OIDC_ISSUER).update(last_login_at=timezone.now())
        sync_grants(user, claims_to_grants(claims), actor=f"oidc:{user.username}", source=GrantSource.OIDC)
        return user


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Starts the sign-on; `?reauth=1` asks the identity provider to authenticate again (prompt=login)."""

    def get_extra_params(self, request: Any) -> dict[str, str]:
        params = dict(super().get_extra_params(request))
        if request.GET.get("reauth"):
            params.update({"prompt": "login", "max_age": "0"})
        return params
