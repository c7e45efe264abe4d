"""The client's address behind a reverse proxy (lock-outs, rate limits, audit) and the audit events for
logout and lock-out.

Behind a proxy every request has the proxy's REMOTE_ADDR; an attacker failing logins for a user
must not lock that user out everywhere, and a client that talks to the app directly must not choose
its address by sending a forwarded-for header.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from chatarchief.access import otp
from chatarchief.access.authn import LOGIN_AT, client_address
from chatarchief.access.ratelimit import principal_key
from chatarchief.audit.models import AuditEvent
from tests.paths import REPO_ROOT

PROXY = "10.0.0.5"
PASSWORD = "een-lang-wachtwoord-2026"
KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/8"]
    settings.CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    return settings


def _request(remote: str, forwarded: str | None = None, **meta: str) -> Any:
    extra = dict(meta)
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


# --- client_address ------------------------------------------------------------------------------


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_address(_request("192.0.2.10", "203.0.113.9")) == "192.0.2.10"


def test_a_direct_client_cannot_choose_its_address(behind_proxy: Any) -> None:
    assert client_address(_request("192.0.2.10", "203.0.113.9")) == "192.0.2.10"


def test_behind_a_trusted_proxy_the_forwarded_address_counts(behind_proxy: Any) -> None:
    assert client_address(_request(PROXY, "203.0.113.9")) == "203.0.113.9"
    assert client_address(_request(PROXY, "203.0.113.9:51234")) == "203.0.113.9"  # some proxies add the port


def test_a_forged_left_part_of_the_header_is_ignored(behind_proxy: Any) -> None:
    # the client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the address it saw
    assert client_address(_request(PROXY, "198.51.100.1, 203.0.113.9")) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(behind_proxy: Any) -> None:
    assert client_address(_request(PROXY, "198.51.100.1, 203.0.113.9, 10.0.0.7")) == "203.0.113.9"
    assert client_address(_request("fd00::1", "2001:db8::42, fd00::2")) == "2001:db8::42"
    assert client_address(_request(PROXY, "[2001:db8::43]:443")) == "2001:db8::43"


def test_garbage_or_an_empty_header_leaves_the_nearest_known_address(behind_proxy: Any) -> None:
    assert client_address(_request(PROXY)) == PROXY
    assert client_address(_request(PROXY, "")) == PROXY
    assert client_address(_request(PROXY, "203.0.113.9, nonsense")) == PROXY
    assert client_address(_request(PROXY, "nonsense, 10.0.0.9")) == "10.0.0.9"


def test_the_header_name_is_configurable(behind_proxy: Any) -> None:
    behind_proxy.CLIENT_ADDRESS_HEADER = "X-Real-IP"
    request = _request(PROXY, "198.51.100.1", HTTP_X_REAL_IP="203.0.113.77")
    assert client_address(request) == "203.0.113.77"


def test_rate_limits_of_anonymous_clients_are_per_forwarded_address(behind_proxy: Any) -> None:
    first = principal_key(_request(PROXY, "203.0.113.1"))
    second = principal_key(_request(PROXY, "203.0.113.2"))
    assert first == "ip:203.0.113.1" and second == "ip:203.0.113.2"


def test_a_malformed_trusted_proxy_setting_stops_the_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATARCHIEF_", "DJANGO_"))}
    env.update(
        CHATARCHIEF_DATA_DIR=str(tmp_path),
        CHATARCHIEF_TRUSTED_PROXIES="10.0.0.5, 10.0.0.300",
        PYTHONPATH=str(REPO_ROOT / "src"),
    )
    result = subprocess.run(
        [sys.executable, "-c", "import chatarchief.web.settings"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "'10.0.0.300' is not an IP address or network" in result.stderr


# --- lock-out behind the proxy, and the audit events -----------------------------------------------


@pytest.fixture
def jan(db: Any) -> Any:
    cache.clear()
    user = get_user_model().objects.create_user("jan", password=PASSWORD)
    otp.provision(user, KEY, actor="test")
    return user


def _login(client: Client, forwarded: str, password: str) -> Any:
    return client.post(
        reverse("login"), {"username": "jan", "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def test_an_attacker_behind_the_proxy_does_not_lock_out_the_real_user(behind_proxy: Any, jan: Any) -> None:
    attacker, real = Client(), Client()
    statuses = [_login(attacker, "198.51.100.66", "fout").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    assert _login(attacker, "198.51.100.66", PASSWORD).status_code == 429  # the attacker's address is locked
    response = _login(real, "203.0.113.9", PASSWORD)
    assert response.status_code == 302 and real.session.get("_auth_user_id") == str(jan.pk)

    events = list(AuditEvent.objects.filter(action="auth.locked_out").order_by("id"))
    assert events and events[0].actor == "web:jan"
    assert events[0].details["address"] == "198.51.100.66" and events[0].details["stage"] == "password"
    assert events[0].details["failures"] == settings.AXES_FAILURE_LIMIT
    assert "fout" not in str([e.details for e in events]) and PASSWORD not in str([e.details for e in events])


def test_logout_is_an_audit_event(behind_proxy: Any, jan: Any) -> None:
    client = Client()
    client.force_login(jan)
    response = client.post(reverse("logout"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor == "web:jan" and event.details == {"reason": "user", "address": "203.0.113.9"}
    Client().post(reverse("logout"))  # an anonymous visitor ends no session
    assert AuditEvent.objects.filter(action="auth.logout").count() == 1


def test_a_session_past_its_lifetime_is_logged_out_and_audited(jan: Any) -> None:
    client = Client()
    client.force_login(jan)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.get(action="auth.logout").details["reason"] == "session_expired"


def test_a_lock_out_by_wrong_codes_is_one_event_and_ends_the_session(jan: Any) -> None:
    client = Client()
    assert _login(client, "203.0.113.9", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = client.post(reverse("otp_verify"), {"token": "000000"})
    assert last.status_code == 429
    locked = AuditEvent.objects.filter(action="auth.locked_out")
    assert locked.count() == 1 and locked.get().details["stage"] == "totp"
    assert AuditEvent.objects.get(action="auth.logout").details["reason"] == "locked_out"
