"""Login with password + TOTP, enrolment, the second-factor gate, lock-out, re-authentication, sessions."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from chatarchief.access import otp
from chatarchief.access.authn import AUTH_AT, LOGIN_AT
from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.services import registry
from chatarchief.audit.models import AuditEvent
from tests.web.test_authorization_matrix import TABLE, url_names
from tests.web.world import pass_second_factor

pytestmark = pytest.mark.django_db

PASSWORD = "een-lang-wachtwoord-2026"
KEY = "3132333435363738393031323334353637383930"


def _user(name: str = "jan", *, enrolled: bool = True, role: Role = Role.REVIEWER) -> Any:
    user = get_user_model().objects.create_user(name, password=PASSWORD)
    grant(user, role, organisation=registry.add_organisation("BZK", "BZK", actor="test"))
    if enrolled:
        otp.provision(user, KEY, actor="test")
    return user


def _login(client: Client, name: str = "jan", password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": name, "password": password})


def _fresh_code(device: TOTPDevice) -> str:
    """A code the device has not seen yet (django-otp refuses a replay within the same 30 s step)."""
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    return otp.current_code(device.key)


def test_passwords_are_hashed_with_argon2() -> None:
    assert _user().password.startswith("argon2$")


def test_password_then_totp_then_in(client: Client) -> None:
    _user()
    response = _login(client)
    assert response.status_code == 302
    gate = client.get(reverse("home"))
    assert gate.status_code == 302 and gate["Location"].startswith(reverse("otp_verify"))
    page = client.get(gate["Location"])
    assert page.status_code == 200 and "authenticator-app" in page.content.decode()
    wrong = client.post(reverse("otp_verify"), {"token": "000000", "next": "/"})
    assert "klopt niet" in wrong.content.decode()
    right = client.post(
        reverse("otp_verify"),
        {"token": _fresh_code(otp.confirmed_device(get_user_model().objects.get(username="jan"))), "next": "/"},
    )
    assert right.status_code == 302 and right["Location"] == "/"
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "Functionarissen" in home.content.decode()
    assert AuditEvent.objects.filter(action="auth.second_factor").exists()


def test_enrolment_shows_qr_as_inline_svg_and_the_secret(client: Client) -> None:
    _user(enrolled=False)
    _login(client)
    gate = client.get(reverse("home"))
    assert gate["Location"].startswith(reverse("otp_setup"))
    page = client.get(gate["Location"]).content.decode()
    assert re.search(r'<svg [^>]*role="img"', page) and "<path " in page
    assert "<?xml" not in page and "style=" not in page
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    device = TOTPDevice.objects.get(user__username="jan", confirmed=False)
    assert secret.replace(" ", "") == otp.secret_text(device).replace(" ", "")
    code = otp.current_code(device.key)
    done = client.post(reverse("otp_setup"), {"token": code, "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("home")).status_code == 200
    # enrolled: the setup page no longer shows a (new) secret
    assert client.get(reverse("otp_setup")).status_code == 302


def test_an_unverified_session_reaches_nothing_but_the_otp_pages(client: Client) -> None:
    _user()
    _login(client)
    allowed = {"login", "logout", "set_language", "otp_verify", "otp_setup"}
    for name in url_names():
        row = TABLE.get(name)
        if row is None or row.method != "get" or name in allowed or row.optional or row.anon != "login":
            continue  # public pages and token-authenticated API endpoints have no session gate
        kwargs = {} if row.target is None else {"slug": "x"} if row.target == "custodian" else {"pk": 1}
        if row.target == "woo_document":  # a Woo request's document: /woo/<request>/documenten/<number>/
            kwargs["number"] = 1
        response = client.get(reverse(name, kwargs=kwargs))  # the gate answers before any object lookup
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("otp_verify")), name


def test_lockout_after_five_wrong_passwords_with_a_dutch_message() -> None:
    _user()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, password="fout").status_code == 200
    locked = _login(client, password="fout")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "geblokkeerd" in text and "30 minuten" in text
    again = _login(client)  # even the right password is refused now
    assert again.status_code == 429
    assert client.get(reverse("home")).status_code == 302


def test_wrong_codes_count_towards_the_lockout() -> None:
    _user()
    client = Client()
    _login(client)
    responses = [client.post(reverse("otp_verify"), {"token": "123456"}) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert responses[-1].status_code == 429
    assert "geblokkeerd" in responses[-1].content.decode()
    assert client.get(reverse("home"))["Location"].startswith("/login/")  # the half-logged-in session ended
    assert _login(client).status_code == 429


def test_destructive_actions_need_recent_reauthentication(client: Client) -> None:
    admin = _user("beheerder", role=Role.ADMIN)
    target = _user("piet")
    client.force_login(admin)  # second factor passed, but no recent full authentication
    url = reverse("user_totp_reset", kwargs={"pk": target.pk})
    detour = client.post(url, HTTP_REFERER="http://testserver/beheer/gebruikers/")
    assert detour.status_code == 302 and detour["Location"].startswith(reverse("reauth"))
    assert otp.is_enrolled(target)
    bad = client.post(reverse("reauth"), {"password": "fout", "token": "000000", "next": "/beheer/gebruikers/"})
    assert bad.status_code == 200 and "onjuist" in bad.content.decode()
    good = client.post(
        reverse("reauth"),
        {"password": PASSWORD, "token": _fresh_code(otp.confirmed_device(admin)), "next": "/beheer/gebruikers/"},
    )
    assert good.status_code == 302 and good["Location"] == "/beheer/gebruikers/"
    done = client.post(url)
    assert done.status_code == 302 and not otp.is_enrolled(target)
    assert AuditEvent.objects.filter(action="auth.totp_reset", details__user="piet").exists()
    session = client.session
    session[AUTH_AT] = int(time.time()) - settings.REAUTH_SECONDS - 5  # five minutes later: ask again
    session.save()
    assert client.post(reverse("grant_revoke", kwargs={"pk": target.role_grants.first().pk}))["Location"].startswith(
        reverse("reauth")
    )


def test_session_idle_timeout_and_absolute_lifetime(client: Client) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    user = _user()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    assert client.session.get_expiry_age() <= 30 * 60
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_force_login_without_the_test_helper_is_stopped_at_the_gate() -> None:
    user = _user()
    plain = Client()
    plain.force_login(user)
    assert plain.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    pass_second_factor(plain, user)
    assert plain.get(reverse("home")).status_code == 200


def test_security_headers_and_no_store_on_pages(client: Client) -> None:
    client.force_login(_user())
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
