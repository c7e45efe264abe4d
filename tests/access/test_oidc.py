"""OpenID Connect: claims -> roles mapping, the backend (match on issuer+subject), SSO skips local TOTP."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

from chatarchief.access.constants import Action
from chatarchief.access.models import ExternalIdentity
from chatarchief.access.oidc import BACKEND_PATH, OIDCBackend, roles_from_claims
from chatarchief.access.services import GrantSpec, custodians
from chatarchief.archive.services import registry

OIDC = {
    "OIDC_ENABLED": True,
    "OIDC_RP_CLIENT_ID": "chatarchief",
    "OIDC_RP_CLIENT_SECRET": "geheim",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.nl/realms/rijk/protocol/openid-connect/auth",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.nl/realms/rijk/protocol/openid-connect/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.nl/realms/rijk/protocol/openid-connect/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.nl/realms/rijk/protocol/openid-connect/certs",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_ISSUER": "https://idp.example.nl/realms/rijk",
    "OIDC_USE_PKCE": True,
    "AUTHENTICATION_BACKENDS": [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        BACKEND_PATH,
    ],
}


def test_conventional_role_values() -> None:
    claims = {
        "roles": [
            "chatarchief:auditor:bzk",
            "chatarchief:operator:@minister-bzk",
            "chatarchief:admin",
            "chatarchief:superuser",
            "other-app:admin",
            "chatarchief:reviewer:",
            "chatarchief:custodian:@",
        ]
    }
    assert roles_from_claims(claims) == [
        GrantSpec("auditor", organisation="BZK"),
        GrantSpec("operator", custodian="minister-bzk"),
        GrantSpec("admin"),
    ]


def test_mapping_dotted_claims_and_strings() -> None:
    mapping = {"g-adr": [{"role": "auditor", "organisation": "FIN"}], "g-bad": [{"role": "root"}]}
    claims = {"resource_access": {"chatarchief": {"roles": ["g-adr", "g-bad", "chatarchief:reviewer:FIN", "g-adr"]}}}
    assert roles_from_claims(claims, claim="resource_access.chatarchief.roles", mapping=mapping) == [
        GrantSpec("auditor", organisation="FIN"),
        GrantSpec("reviewer", organisation="FIN"),
    ]
    assert roles_from_claims({"groups": "ca:auditor:A, ca:woo_coordinator:B"}, claim="groups", prefix="ca") == [
        GrantSpec("auditor", organisation="A"),
        GrantSpec("woo_coordinator", organisation="B"),
    ]
    assert roles_from_claims({}) == [] and roles_from_claims({"roles": 5}) == []


@pytest.mark.django_db
def test_backend_creates_matches_on_subject_and_syncs_roles() -> None:
    registry.add_organisation("BZK", "BZK", actor="t")
    registry.add_custodian("m", name="M", actor="t", organisation="BZK")
    local = get_user_model().objects.create_user("jan", email="jan@example.nl")  # same e-mail: never taken over
    with override_settings(**OIDC):
        backend = OIDCBackend()
        claims = {
            "sub": "abc-123",
            "preferred_username": "jan",
            "email": "jan@example.nl",
            "roles": ["chatarchief:auditor:BZK"],
        }
        backend.get_userinfo = lambda *a: claims  # type: ignore[method-assign]
        user = backend.get_or_create_user("access", "id", {})
        assert user.pk != local.pk and user.username == "jan-abc-123" and not user.has_usable_password()
        assert ExternalIdentity.objects.get(user=user).subject == "abc-123"
        assert set(custodians(user, Action.VIEW_METADATA).values_list("slug", flat=True)) == {"m"}
        claims["roles"] = ["chatarchief:reviewer:BZK"]
        again = backend.get_or_create_user("access", "id", {})
        assert again.pk == user.pk
        assert {g.role for g in again.role_grants.all()} == {"reviewer"}


@pytest.mark.django_db
def test_an_sso_session_skips_local_totp() -> None:
    user = get_user_model().objects.create_user("sso")
    with override_settings(**OIDC):
        client = Client()
        client.force_login(user, backend=BACKEND_PATH)
        assert client.get("/").status_code == 200
        # the same user logged in locally still needs the second factor
        local = Client()
        local.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        assert local.get("/")["Location"].startswith("/login/tweestaps")


@pytest.fixture
def oidc_urls() -> Iterator[None]:
    import chatarchief.web.urls as urls

    with override_settings(**OIDC):
        importlib.reload(urls)
        clear_url_caches()
        yield
    importlib.reload(urls)
    clear_url_caches()


@pytest.mark.django_db
def test_sso_urls_are_mounted_and_reauth_asks_the_idp_to_log_in_again(oidc_urls: None) -> None:
    from tests.web.test_authorization_matrix import TABLE, url_names

    sso = {"oidc_authentication_init", "oidc_authentication_callback", "oidc_logout"}
    assert sso <= set(url_names()) and sso <= set(TABLE)
    client = Client()
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("oidc_authentication_init") in login_page
    response = client.get(reverse("oidc_authentication_init") + "?reauth=1&next=/beheer/gebruikers/")
    assert response.status_code == 302
    target = urlparse(response["Location"])
    query: dict[str, Any] = parse_qs(target.query)
    assert target.netloc == "idp.example.nl" and query["prompt"] == ["login"] and query["max_age"] == ["0"]
    assert query["code_challenge_method"] == ["S256"]
