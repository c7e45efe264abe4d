"""Authentication state of a web session: second factor done, last full authentication, SSO or local.

A session is fully authenticated after password + TOTP (local accounts) or after an OpenID Connect
sign-on (the identity provider does the MFA). `AUTH_AT` holds the moment of the last full
authentication; destructive actions ask for one within `settings.REAUTH_SECONDS`.

`client_address` is the one answer to "which address is this request from" (django-axes lock-outs,
rate limits, audit events): REMOTE_ADDR, or behind a trusted reverse proxy the forwarded address.
Logins, logouts, failures and lock-outs become audit events here, from Django's and axes' signals.
"""

from __future__ import annotations

import ipaddress
import time
from functools import lru_cache
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from chatarchief.audit import log

AUTH_AT = "chatarchief_auth_at"
LOGIN_AT = "chatarchief_login_at"
OIDC_BACKEND = "chatarchief.access.oidc.OIDCBackend"


def is_sso_session(request: HttpRequest) -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False)) and request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


def second_factor_done(request: HttpRequest) -> bool:
    """Has this (authenticated) session passed the second factor? TOTP verified, or signed on via OIDC."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return False
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified()) or is_sso_session(request)


def mark_authenticated(request: HttpRequest) -> None:
    """Record a full authentication now (after TOTP, SSO or re-authentication)."""
    request.session[AUTH_AT] = int(time.time())


def has_recent_auth(request: HttpRequest, seconds: int | None = None) -> bool:
    limit = settings.REAUTH_SECONDS if seconds is None else seconds
    at = request.session.get(AUTH_AT)
    return isinstance(at, int) and 0 <= time.time() - at <= limit


def session_too_old(request: HttpRequest) -> bool:
    """Past the absolute session lifetime (the idle timeout is the session cookie age)."""
    at = request.session.get(LOGIN_AT)
    return isinstance(at, int) and time.time() - at > settings.SESSION_ABSOLUTE_SECONDS


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LOGOUT_REASON = "chatarchief_logout_reason"  # a request attribute: why the server ended a session


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in trusted)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.7:443"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_address(request: HttpRequest) -> str:
    """The client's IP address. REMOTE_ADDR, unless it is a trusted proxy (`CHATARCHIEF_TRUSTED_PROXIES`):
    then the forwarded-for header (`CHATARCHIEF_CLIENT_ADDRESS_HEADER`) is read from the right, past the
    trusted proxies, and its first untrusted address is the client. A client can put anything at the
    left of that header, never at the right: the proxy appends the address it saw."""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    nearest = _address(remote)
    if nearest is None or not any(nearest in n for n in networks):
        return remote
    header = "HTTP_" + str(getattr(settings, "CLIENT_ADDRESS_HEADER", "X-Forwarded-For")).upper().replace("-", "_")
    for hop in reversed(str(request.META.get(header, "")).split(",")):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: trust nothing further left of it
        nearest = address
        if not any(address in n for n in networks):
            break
    return str(nearest)


def _actor(user: Any) -> str:
    return f"web:{getattr(user, 'username', '') or 'anonymous'}"


@receiver(user_logged_in, dispatch_uid="chatarchief.access.authn.logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[LOGIN_AT] = int(time.time())
    request.session.pop(AUTH_AT, None)
    if getattr(user, "backend", "") == OIDC_BACKEND:
        mark_authenticated(request)
    log.login(_actor(user), True)


@receiver(user_login_failed, dispatch_uid="chatarchief.access.authn.login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str((credentials or {}).get("username") or "")[:150]
    log.login_failed(f"web:{username or 'anonymous'}", str((credentials or {}).get("stage", "password")))


@receiver(user_logged_out, dispatch_uid="chatarchief.access.authn.logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:  # an anonymous visitor pressed logout: no session ended
        return
    if getattr(request, "axes_locked_out", False):
        reason = "locked_out"
    else:
        reason = getattr(request, LOGOUT_REASON, "user")
    log.logged_out(_actor(user), reason, client_address(request) if request is not None else "")


@receiver(user_locked_out, dispatch_uid="chatarchief.access.authn.locked_out")
def _locked_out(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    credentials = getattr(request, "axes_credentials", None) or {}
    log.locked_out(
        f"web:{(username or '')[:150] or 'anonymous'}",
        ip_address or "",
        stage=str(credentials.get("stage", "password")),
        failures=int(getattr(request, "axes_failures_since_start", 0) or 0),
    )
